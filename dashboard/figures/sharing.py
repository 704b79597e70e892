"""Sharing (共享申请) figures: applications by state and month, outcomes and refusal reasons by provider, reply
times, overdue and escalated applications, and the grant check API's calls.

Applications are those the user may see (requests.selectors.applications_visible_to), submitted in the
range; the department filter is the provider. For those who see every application (the bureau, auditors)
the counts come from the daily aggregates up to the last run and live after it; otherwise they are read
live from the user's own rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from dashboard import aggregates
from dashboard.charts import ChartSpec
from dashboard.figures import LIVE, Figure, Filters, Row, Section, Table
from dashboard.models import DailyFigure
from organizations.models import Department
from requests import permissions as request_permissions
from requests.models import DECIDED_STATES, OPEN_STATES, ApplicationState, Decision, GrantCheckStat, ShareApplication
from requests.selectors import applications_visible_to
from requests.services.grant_check import REASON_LABELS
from workflows.hashing import canonical_json, sha256_hex
from workflows.workdays import workdays_between

# The aggregates change only when beat runs; their sums are kept until then (the run's time is in the key).
STORED_CACHE_SECONDS = 24 * 3600

FLAG_FILTERS = {"overdue": Q(was_overdue=True), "escalated": Q(escalated_at__isnull=False)}
FLAG_LABELS = {"overdue": "曾超期未答复", "escalated": "提请协调"}
# States a figure counts together, as its list's `state` parameter names them.
STATE_GROUPS = {
    "granted_all": [ApplicationState.GRANTED, ApplicationState.PARTIALLY_GRANTED],
    "open": OPEN_STATES,
    "decided": DECIDED_STATES,
}


def applications(user, filters: Filters, *, state: str = "", flag: str = "", provider: str = "") -> QuerySet:
    """The applications a figure counts: what the user may see, submitted in the range, narrowed."""
    start, end = aggregates.bounds(filters.date_from, filters.date_to)
    found = applications_visible_to(user).filter(submitted_at__gte=start, submitted_at__lt=end)
    if filters.department is not None:
        found = found.filter(provider_department=filters.department)
    if provider:
        found = found.filter(provider_department_id=provider)
    if state in STATE_GROUPS:
        found = found.filter(state__in=STATE_GROUPS[state])
    elif state:
        found = found.filter(state=state)
    if flag in FLAG_FILTERS:
        found = found.filter(FLAG_FILTERS[flag])
    return found


def uses_aggregates(user) -> bool:
    """The aggregates count every submitted application: only for those who see every one."""
    return request_permissions.sees_all(user)


def freshness(user) -> str:
    if not uses_aggregates(user):
        return LIVE
    last = aggregates.last_run()
    if last is None:
        return LIVE
    return f"每日汇总截至{timezone.localtime(last):%Y-%m-%d %H:%M}，其后实时"


def _stored(filters: Filters, department, last: dt.datetime, covered: dt.date) -> Counter:
    """The aggregates' sums over the range's days they cover: cached until the next run (its time is the key)."""
    key = "dashboard-stored-" + sha256_hex(
        canonical_json(
            [
                last.isoformat(),
                filters.date_from.isoformat(),
                min(covered, filters.date_to).isoformat(),
                department.pk if department is not None else None,
            ]
        )
    )
    found = cache.get(key)
    if found is None:
        stored = DailyFigure.objects.filter(
            measure__in=[aggregates.APPLICATIONS, aggregates.FLAGS],
            day__gte=filters.date_from,
            day__lte=min(covered, filters.date_to),
        )
        if department is not None:
            stored = stored.filter(department=department)
        found = [
            [r["measure"], r["department_id"], r["key"], r["n"]]
            for r in stored.values("measure", "department_id", "key").annotate(n=Sum("value")).order_by()
        ]
        cache.set(key, found, STORED_CACHE_SECONDS)
    return Counter({(m, d, k): n for m, d, k, n in found})


def _counts(user, filters: Filters, *, city: bool = False) -> Counter:
    """{(measure, provider, key): n}: applications by state, and the overdue and escalated ones."""
    counts: Counter = Counter()
    department = None if city else filters.department
    live_from = filters.date_from
    if uses_aggregates(user) or city:
        last = aggregates.last_run()
        covered = timezone.localtime(last).date() - dt.timedelta(days=1) if last else None
        if last is not None and covered >= filters.date_from:
            counts.update(_stored(filters, department, last, covered))
            live_from = covered + dt.timedelta(days=1)
    if live_from > filters.date_to:
        return counts
    start, end = aggregates.bounds(live_from, filters.date_to)
    if city:
        live = ShareApplication.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    else:
        live = applications(user, Filters(live_from, filters.date_to, department))
    live = live.order_by()
    for r in live.values("provider_department_id", "state").annotate(n=Count("pk")):
        counts[(aggregates.APPLICATIONS, r["provider_department_id"], r["state"])] += r["n"]
    flags = live.values("provider_department_id").annotate(
        **{key: Count("pk", filter=q) for key, q in FLAG_FILTERS.items()}
    )
    for r in flags:
        for key in FLAG_FILTERS:
            counts[(aggregates.FLAGS, r["provider_department_id"], key)] += r[key]
    return counts


def _by(counts, measure: str, key_of) -> Counter:
    out: Counter = Counter()
    for (m, department, key), n in counts.items():
        if m == measure:
            out[key_of(department, key)] += n
    return out


def overview(user, filters: Filters, *, leader_department=None) -> Section:
    """The first page's sharing part: totals by state, overdue, escalated, and the providers' table."""
    counts = _counts(user, filters)
    fresh = freshness(user)
    by_state = _by(counts, aggregates.APPLICATIONS, lambda d, k: k)
    flags = _by(counts, aggregates.FLAGS, lambda d, k: k)
    total = sum(by_state.values())
    figures = [
        Figure("applications", "提交的申请", total, filters.drill("applications"), fresh, "件"),
        Figure(
            "granted",
            "已授权（含部分授权）",
            by_state[ApplicationState.GRANTED] + by_state[ApplicationState.PARTIALLY_GRANTED],
            filters.drill("applications", state="granted_all"),
            fresh,
            "件",
        ),
        Figure(
            "refused",
            "不予授权",
            by_state[ApplicationState.REFUSED],
            filters.drill("applications", state=ApplicationState.REFUSED),
            fresh,
            "件",
        ),
        Figure(
            "open",
            "办理中",
            sum(by_state[s] for s in OPEN_STATES),
            filters.drill("applications", state="open"),
            fresh,
            "件",
        ),
        Figure("overdue", "曾超期未答复", flags["overdue"], filters.drill("applications", flag="overdue"), fresh, "件"),
        Figure(
            "escalated", "提请协调", flags["escalated"], filters.drill("applications", flag="escalated"), fresh, "件"
        ),
    ]
    states = Table(
        "applications_by_state",
        "申请按状态",
        ["状态", "件数"],
        [
            Row([label, by_state[value]], filters.drill("applications", state=value))
            for value, label in ApplicationState.choices
            if value != ApplicationState.DRAFT
        ],
        fresh,
        ChartSpec(
            "pie",
            "申请按状态",
            [label for value, label in ApplicationState.choices if by_state[value]],
            [("件数", [by_state[value] for value, _ in ApplicationState.choices if by_state[value]])],
        ),
    )
    own_counts = None if leader_department is not None else counts
    tables = [states, providers_table(user, filters, leader_department=leader_department, counts=own_counts)]
    return Section("sharing", "数据共享", figures, tables)


def providers_table(user, filters: Filters, *, leader_department=None, counts=None) -> Table:
    """Applications per provider. A department leader sees the city's rows beside their own (highlighted),
    counts only: the list behind a row is theirs only for their own department. `counts`: the user's own,
    when the caller has them already."""
    city = leader_department is not None
    counts = counts if counts is not None else _counts(user, filters, city=city)
    per = _by(counts, aggregates.APPLICATIONS, lambda d, k: (d, k))
    flagged = _by(counts, aggregates.FLAGS, lambda d, k: (d, k))
    ids = sorted({d for d, _ in per})
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for pk in sorted(ids, key=lambda pk: -sum(n for (d, _), n in per.items() if d == pk)):
        total = sum(n for (d, _), n in per.items() if d == pk)
        decided = sum(per[(pk, s)] for s in DECIDED_STATES)
        own = city and pk == leader_department.pk
        url = "" if city and not own else filters.drill("applications", provider=pk)
        if own:
            url = Filters(filters.date_from, filters.date_to, leader_department).drill("applications")
        rows.append(
            Row(
                [names.get(pk, pk), total, decided, per[(pk, ApplicationState.REFUSED)], flagged[(pk, "overdue")]],
                url,
                own,
            )
        )
    return Table(
        "applications_by_provider",
        "各提供部门收到的申请" + ("（全市对比）" if city else ""),
        ["提供部门", "申请", "已决定", "不予授权", "曾超期"],
        rows,
        freshness_city() if city else freshness(user),
        ChartSpec(
            "hbar",
            "各提供部门收到的申请",
            [str(r.cells[0]) for r in rows[:15]],
            [("申请", [r.cells[1] for r in rows[:15]])],
        ),
    )


def freshness_city() -> str:
    last = aggregates.last_run()
    return f"每日汇总截至{timezone.localtime(last):%Y-%m-%d %H:%M}，其后实时" if last else LIVE


def by_month(user, filters: Filters) -> Table:
    """Applications submitted per month (live: a range of the user's own, or the whole city's months)."""
    counts: Counter = Counter()
    if uses_aggregates(user) and aggregates.covered_until():
        covered = aggregates.covered_until()
        stored = DailyFigure.objects.filter(
            measure=aggregates.APPLICATIONS, day__gte=filters.date_from, day__lte=min(covered, filters.date_to)
        )
        if filters.department is not None:
            stored = stored.filter(department=filters.department)
        for r in stored.values("day").annotate(n=Sum("value")).order_by():
            counts[r["day"].strftime("%Y-%m")] += r["n"]
        rest = Filters(max(filters.date_from, covered + dt.timedelta(days=1)), filters.date_to, filters.department)
    else:
        rest = filters
    if rest.date_from <= rest.date_to:
        for when in applications(user, rest).values_list("submitted_at", flat=True).order_by():
            counts[timezone.localtime(when).strftime("%Y-%m")] += 1
    months = sorted(counts)
    return Table(
        "applications_by_month",
        "申请按月",
        ["月份", "件数"],
        [Row([m, counts[m]]) for m in months],
        freshness(user),
        ChartSpec("line", "申请按月", months, [("申请", [counts[m] for m in months])]),
    )


def outcomes(user, filters: Filters) -> tuple[Table, Table]:
    """Grants, partial grants and refusals by provider, and the refusal reasons (decisions in the range)."""
    decided = applications(user, filters).filter(state__in=DECIDED_STATES).order_by()
    per: dict = defaultdict(Counter)
    for r in decided.values("provider_department_id", "provider_department__name", "state").annotate(n=Count("pk")):
        per[(r["provider_department_id"], r["provider_department__name"])][r["state"]] += r["n"]
    rows = []
    for (pk, name), c in sorted(per.items(), key=lambda item: item[0][1]):
        rows.append(
            Row(
                [name, c[ApplicationState.GRANTED], c[ApplicationState.PARTIALLY_GRANTED], c[ApplicationState.REFUSED]],
                filters.drill("applications", provider=pk, state="decided"),
            )
        )
    table = Table("outcomes_by_provider", "各提供部门的决定", ["提供部门", "同意", "部分同意", "不予共享"], rows)
    reasons = Counter(
        dict(
            Decision.objects.filter(application__in=decided.filter(state=ApplicationState.REFUSED))
            .values_list("refusal_reason__label")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    reason_rows = [Row([label or "（未注明）", n]) for label, n in reasons.most_common()]
    reason_table = Table(
        "refusal_reasons",
        "不予授权理由",
        ["理由", "件数"],
        reason_rows,
        chart=ChartSpec(
            "pie", "不予授权理由", [r.cells[0] for r in reason_rows], [("件数", [r.cells[1] for r in reason_rows])]
        ),
    )
    return table, reason_table


def reply_days(user, filters: Filters) -> dict[int, list[int]]:
    """Working days from submission to decision, per provider, of the decisions in the range."""
    out: dict[int, list[int]] = defaultdict(list)
    rows = applications(user, filters).filter(state__in=DECIDED_STATES, decided_at__isnull=False).order_by()
    for provider, submitted, decided in rows.values_list("provider_department_id", "submitted_at", "decided_at"):
        out[provider].append(workdays_between(timezone.localtime(submitted).date(), timezone.localtime(decided).date()))
    return out


def p90(values: list[int]) -> int:
    """The 90th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]


def reply_times(user, filters: Filters) -> Table:
    days = reply_days(user, filters)
    names = dict(Department.objects.filter(pk__in=days).values_list("pk", "name"))
    rows = [
        Row(
            [names[pk], len(v), statistics.median(v), p90(v)],
            filters.drill("applications", provider=pk, state="decided"),
        )
        for pk, v in sorted(days.items(), key=lambda item: names[item[0]])
    ]
    return Table(
        "reply_times",
        "答复用时（工作日）",
        ["提供部门", "已决定", "中位数", "90%分位"],
        rows,
        chart=ChartSpec(
            "bar",
            "答复用时中位数（工作日）",
            [r.cells[0] for r in rows],
            [("中位数", [float(r.cells[2]) for r in rows])],
        ),
    )


def grant_checks(user, filters: Filters) -> Table:
    """The grant check API's calls per consumer and resource, allowed or refused by reason."""
    stats = GrantCheckStat.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to)
    if not request_permissions.sees_all(user):
        stats = stats.filter(consumer_id=user.department_id)
    if filters.department is not None:
        stats = stats.filter(consumer=filters.department)
    per: dict = defaultdict(Counter)
    for r in stats.values("consumer__name", "resource__name", "outcome").annotate(n=Sum("calls")).order_by():
        per[(r["consumer__name"], r["resource__name"])][r["outcome"]] += r["n"]
    outcomes_seen = sorted({o for c in per.values() for o in c})
    rows = [Row([c, r, *[counts[o] for o in outcomes_seen]]) for (c, r), counts in sorted(per.items())]
    return Table(
        "grant_checks",
        "授权核验接口调用",
        ["使用部门", "资源", *(REASON_LABELS.get(o, o) for o in outcomes_seen)],
        rows,
        note="按日汇总（每分钟写入）",
    )


def detail(user, filters: Filters) -> Section:
    table, reasons = outcomes(user, filters)
    return Section(
        "sharing",
        "数据共享",
        (),
        [by_month(user, filters), table, reasons, reply_times(user, filters), grant_checks(user, filters)],
    )
