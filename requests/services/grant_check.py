"""The grant check's answer (GET /api/grants/check), in one query, and its call statistics without a write per call.

The exchange platform asks before every exchange, so the check sits in its hot path: `check_facts()`
reads everything the answer needs (the consumer, the resource, the items asked for, the pair's grants
and their items, the resource's negative list) in one UNION ALL statement, on PostgreSQL and SQLite.
The database is the truth: a revocation, an expiry, a withdrawal or a negative-list entry counts from the
moment it commits. Each web process may remember answers (requests.services.grant_check_cache), only under a
stamp that every such write moves in its own transaction, so nothing remembered outlives a change.

Calls are counted per consumer, resource, outcome and day in Django's cache (an atomic INCR on Redis);
beat's `flush_grant_check_stats` writes the day's totals to GrantCheckStat and stamps the tokens'
last_used_at. It writes totals, not increments, so running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import DataItem, DataResource, NegativeListEntry, ResourceStatus
from organizations.models import Department
from requests.models import ApiToken, Grant, GrantCheckStat, GrantState, Scenario
from workflows.ratelimit import count_up


class CheckReason:
    GRANTED = "granted"
    ITEMS_NOT_COVERED = "items_not_covered"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NO_GRANT = "no_grant"
    RESOURCE_WITHDRAWN = "resource_withdrawn"
    NEGATIVE_LIST = "negative_list"


# What each reason reads as on pages (the API answers the codes).
REASON_LABELS = {
    CheckReason.GRANTED: "已授权",
    CheckReason.ITEMS_NOT_COVERED: "信息项未获授权",
    CheckReason.NOT_YET_VALID: "授权尚未生效",
    CheckReason.EXPIRED: "授权已到期",
    CheckReason.REVOKED: "授权已撤销",
    CheckReason.NO_GRANT: "无授权",
    CheckReason.RESOURCE_WITHDRAWN: "资源已撤回",
    CheckReason.NEGATIVE_LIST: "负面清单",
}


@dataclass(slots=True)
class Party:
    """A consumer department or a resource as the check reads it: no model instance (they cost the hot path)."""

    pk: int
    code: str
    status: str = ""


@dataclass(slots=True)
class CheckedGrant:
    """The fields of a Grant the check weighs and answers with."""

    pk: int
    number: str
    state: str
    share_method: str
    valid_from: dt.date
    valid_to: dt.date
    scenario: dict[str, str] | None = None  # the authorized scenario it comes from: its reference and name

    def is_in_force(self, on: dt.date) -> bool:
        return self.state == GrantState.ACTIVE and self.valid_from <= on <= self.valid_to


@dataclass
class CheckAnswer:
    allowed: bool
    reason: str
    grant: CheckedGrant | None = None
    items_not_covered: list[str] = field(default_factory=list)
    unknown_items: list[str] = field(default_factory=list)

    def as_dict(
        self, *, consumer: Department | Party, resource: DataResource | Party, items: list[str]
    ) -> dict[str, Any]:
        grant = self.grant
        return {
            "allowed": self.allowed,
            "reason": self.reason,
            "consumer": consumer.code,
            "resource": resource.code,
            "items": items,
            "items_not_covered": self.items_not_covered,
            "unknown_items": self.unknown_items,
            "grant_number": (grant.number or None) if grant else None,
            "grant_state": grant.state if grant else None,
            "share_method": grant.share_method if grant else None,
            "valid_from": grant.valid_from.isoformat() if grant else None,
            "valid_until": grant.valid_to.isoformat() if grant else None,
            "scenario": grant.scenario if grant else None,
            "checked_at": checked_at(),
        }


def checked_at() -> str:
    """Now, in local time with its offset (Beijing time, +08:00), as every time the API answers."""
    return timezone.localtime().isoformat()


@dataclass
class CheckFacts:
    """What one check reads: None for a consumer or resource code that names nothing."""

    consumer: Party | None = None
    resource: Party | None = None
    known: dict[str, int] = field(default_factory=dict)  # item name asked for -> current item id
    grants: list[CheckedGrant] = field(default_factory=list)  # latest valid_to first
    granted: dict[int, set[str]] = field(default_factory=dict)  # grant id -> its item names (of those asked)
    negative_whole: bool = False  # an active entry lists the whole resource
    negative_items: set[int] = field(default_factory=set)  # item ids active entries list
    scenarios: dict[int, dict[str, str]] = field(default_factory=dict)  # grant id -> its scenario's reference, name


def _check_sql(with_items: int) -> str:
    """The one statement. Columns: kind, id, ref, t1..t5 (text), the same in every branch.

    The consumer and the resource are found once (the CTEs); each branch then reads by their ids,
    which keeps PostgreSQL's planning short (it was most of the statement's time).
    """
    q = connection.ops.quote_name
    dept, res, item = (q(m._meta.db_table) for m in (Department, DataResource, DataItem))
    grant, entry, scenario = (q(m._meta.db_table) for m in (Grant, NegativeListEntry, Scenario))
    grant_items, entry_items = q(Grant.items.through._meta.db_table), q(NegativeListEntry.items.through._meta.db_table)
    names = ", ".join(["%s"] * with_items)
    text = "CAST(NULL AS TEXT)"
    pair = "g.consumer_department_id = (SELECT id FROM c) AND g.resource_id = (SELECT id FROM r)"
    branches = [
        # PostgreSQL types each column from the branches left to right: the first one says them all.
        f"SELECT 'c' AS kind, c.id AS id, CAST(NULL AS BIGINT) AS ref, {text} AS t1, {text} AS t2, {text} AS t3, "
        f"{text} AS t4, {text} AS t5 FROM c",
        "SELECT 'r', r.id, NULL, r.status, NULL, NULL, NULL, NULL FROM r",
        f"SELECT 'g', g.id, NULL, g.number, g.state, g.share_method, CAST(g.valid_from AS TEXT), "
        f"CAST(g.valid_to AS TEXT) FROM {grant} g WHERE {pair}",
        # The scenario a grant comes from (proactive or automatic sharing), by reference and name.
        f"SELECT 's', g.id, s.id, s.name, NULL, NULL, NULL, NULL FROM {grant} g "
        f"JOIN {scenario} s ON s.id = g.scenario_id WHERE {pair}",
        f"SELECT 'n', e.id, ei.dataitem_id, NULL, NULL, NULL, NULL, NULL FROM {entry} e "
        f"LEFT JOIN {entry_items} ei ON ei.negativelistentry_id = e.id "
        f"WHERE e.resource_id = (SELECT id FROM r) AND e.is_active = %s",
    ]
    if with_items:
        branches += [
            f"SELECT 'i', i.id, NULL, i.name, NULL, NULL, NULL, NULL FROM {item} i "
            f"WHERE i.resource_id = (SELECT id FROM r) AND i.retired_at IS NULL AND i.name IN ({names})",
            f"SELECT 'gi', gi.grant_id, NULL, i.name, NULL, NULL, NULL, NULL FROM {grant_items} gi "
            f"JOIN {grant} g ON gi.grant_id = g.id JOIN {item} i ON gi.dataitem_id = i.id "
            f"WHERE {pair} AND i.name IN ({names})",
        ]
    ctes = f"WITH c AS (SELECT id FROM {dept} WHERE code = %s), r AS (SELECT id, status FROM {res} WHERE code = %s) "
    return ctes + " UNION ALL ".join(branches)


def check_facts(*, consumer_code: str, resource_code: str, items: list[str]) -> CheckFacts:
    """Everything the check needs, in one query."""
    params: list[Any] = [consumer_code, resource_code, True, *items, *items]
    with connection.cursor() as cursor:
        cursor.execute(_check_sql(len(items)), params)
        rows = cursor.fetchall()
    facts = CheckFacts()
    for kind, pk, ref, t1, t2, t3, t4, t5 in rows:
        if kind == "c":
            facts.consumer = Party(pk, consumer_code)
        elif kind == "r":
            facts.resource = Party(pk, resource_code, t1)
        elif kind == "i":
            facts.known[t1] = pk
        elif kind == "g":
            valid_from, valid_to = dt.date.fromisoformat(t4[:10]), dt.date.fromisoformat(t5[:10])
            facts.grants.append(CheckedGrant(pk, t1, t2, t3, valid_from, valid_to))
        elif kind == "gi":
            facts.granted.setdefault(pk, set()).add(t1)
        elif kind == "s":
            facts.scenarios[pk] = {"reference": Scenario.reference_of(ref), "name": t1}
        elif ref is None:  # kind "n": an entry without items lists the whole resource
            facts.negative_whole = True
        else:
            facts.negative_items.add(ref)
    facts.grants.sort(key=lambda g: (g.valid_to, g.pk), reverse=True)
    for grant in facts.grants:
        grant.scenario = facts.scenarios.get(grant.pk)
    return facts


def token_by_hash(token_hash: str) -> ApiToken | None:
    """The API token with this hash (one short statement: the ORM's compiling cost more than the query)."""
    table = connection.ops.quote_name(ApiToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, department_id, is_active FROM {table} WHERE token_hash = %s", [token_hash])
        row = cursor.fetchone()
    return None if row is None else ApiToken(id=row[0], department_id=row[1], is_active=bool(row[2]))


def grant_check(
    *, consumer: Department, resource: DataResource, items: list[str], today: dt.date | None = None
) -> CheckAnswer:
    """May `consumer` use `items` (names) of `resource` today? See `answer_check`."""
    facts = check_facts(consumer_code=consumer.code, resource_code=resource.code, items=items)
    return answer_check(facts, items=items, today=today)


def answer_check(facts: CheckFacts, *, items: list[str], today: dt.date | None = None) -> CheckAnswer:
    """The answer from the facts of a known consumer and resource.

    One grant must cover every item asked for: each grant carries its own purpose and
    conditions, so items are not pooled across grants. The answer's grant is the one in
    force that covers the most, or, when none is in force, the latest one (to say why).
    Validity is judged by date here, so a grant past valid_to is refused even before
    the beat task has marked it expired. A withdrawn resource is refused whatever its
    grants say (withdrawal revokes them, but a decision racing the withdrawal may still
    commit one). So are items on the negative list, which may have been listed after the grant.
    """
    assert facts.resource is not None
    today = today or timezone.localdate()
    known, grants = facts.known, facts.grants
    unknown = [name for name in items if name not in known]
    if facts.resource.status == ResourceStatus.WITHDRAWN:
        return CheckAnswer(False, CheckReason.RESOURCE_WITHDRAWN, grants[0] if grants else None, list(items), unknown)
    if listed := _negative_listed(facts, items):
        return CheckAnswer(False, CheckReason.NEGATIVE_LIST, grants[0] if grants else None, listed, unknown)
    in_force = [g for g in grants if g.is_in_force(today)]
    if in_force:
        best, best_missing = None, None
        for grant in in_force:
            granted = facts.granted.get(grant.pk, set())
            missing = [name for name in items if name not in granted or name not in known]  # known: not deleted
            if best_missing is None or len(missing) < len(best_missing):
                best, best_missing = grant, missing
        if not best_missing:
            return CheckAnswer(True, CheckReason.GRANTED, best)
        return CheckAnswer(False, CheckReason.ITEMS_NOT_COVERED, best, best_missing, unknown)
    if not grants:
        return CheckAnswer(False, CheckReason.NO_GRANT, None, list(items), unknown)
    latest = grants[0]
    if latest.state == GrantState.REVOKED:
        reason = CheckReason.REVOKED
    elif latest.state == GrantState.ACTIVE and latest.valid_from > today:
        reason = CheckReason.NOT_YET_VALID
    else:
        reason = CheckReason.EXPIRED
    return CheckAnswer(False, reason, latest, list(items), unknown)


def _negative_listed(facts: CheckFacts, items: list[str]) -> list[str]:
    """Which of `items` the negative list forbids now (all of them when the whole resource is listed)."""
    if facts.negative_whole:
        return list(items)
    return [name for name in items if facts.known.get(name) in facts.negative_items]


# --- call statistics ----------------------------------------------------------------------------

# Counters live this long in the cache: the flush runs every few minutes, and the day before is flushed too.
STATS_TTL = 3 * 24 * 3600
STATS_PREFIX = "grant_check_stats"


def note_token_used(token_id: int) -> None:
    """The token was used now (the throttle calls this on a token's first call of each rate window)."""
    cache.set(f"{STATS_PREFIX}:token_used:{token_id}", timezone.now(), STATS_TTL)


def stats_counter(*, consumer_id: int, resource_id: int, outcome: str, day: dt.date) -> str:
    """The cache key counting a (day, consumer, resource, outcome)'s calls."""
    return f"{STATS_PREFIX}:{day.isoformat()}:{consumer_id}:{resource_id}:{outcome}"


def counted(counter: str, count: int) -> None:
    """`counter` was just counted up to `count`: its first call takes a numbered slot in the day's index,
    so the flush can find every counter without listing the cache's keys."""
    if count == 1:
        day = counter.split(":")[1]
        slot = count_up(f"{STATS_PREFIX}:{day}:slots", STATS_TTL)
        cache.set(f"{STATS_PREFIX}:{day}:slot:{slot}", counter, STATS_TTL)


def count_check_call(*, consumer_id: int, resource_id: int, outcome: str, day: dt.date, by: int = 1) -> None:
    """Count one answered check (or take one back, by=-1), in the cache only."""
    counter = stats_counter(consumer_id=consumer_id, resource_id=resource_id, outcome=outcome, day=day)
    counted(counter, count_up(counter, STATS_TTL, by=by))


def flush_grant_check_stats(*, today: dt.date | None = None) -> int:
    """Write the cache's counters of today and yesterday to GrantCheckStat; stamp tokens' last use.

    Idempotent: each row takes the day's total so far (never less than it already holds, so a cache
    that lost its counters does not lower a total). Returns the number of rows written.
    """
    today = today or timezone.localdate()
    written = 0
    for day in (today - dt.timedelta(days=1), today):
        prefix = f"{STATS_PREFIX}:{day.isoformat()}"
        slots = cache.get(f"{prefix}:slots") or 0
        counters = cache.get_many([f"{prefix}:slot:{n}" for n in range(1, slots + 1)]).values()
        totals = cache.get_many(list(counters))
        with transaction.atomic():
            for counter, calls in totals.items():
                _, _, consumer_id, resource_id, outcome = counter.split(":")
                row, created = GrantCheckStat.objects.select_for_update().get_or_create(
                    day=day,
                    consumer_id=int(consumer_id),
                    resource_id=int(resource_id),
                    outcome=outcome,
                    defaults={"calls": calls},
                )
                if not created and calls > row.calls:
                    row.calls = calls
                    row.save(update_fields=["calls"])
                written += 1
    _stamp_tokens()
    return written


def _stamp_tokens() -> None:
    tokens = list(ApiToken.objects.values_list("pk", "last_used_at"))
    used = cache.get_many([f"{STATS_PREFIX}:token_used:{pk}" for pk, _ in tokens])
    for pk, last in tokens:
        seen = used.get(f"{STATS_PREFIX}:token_used:{pk}")
        if seen is not None and (last is None or seen > last):
            ApiToken.objects.filter(pk=pk).update(last_used_at=seen)
