"""The grant check's answers kept in each web process, good while the check's stamp is unchanged.

The exchange platform asks the same few questions over and over; reading the database for each costs most
of a call. So each web process remembers its answers (and which API token hash names which token),
under the **stamp** they were computed at: a number in the shared cache (Redis) that every write able to
change an answer moves on, by `invalidate()` from the models' signals (`connect()`), in the writer's
transaction:

- at once, so that a write whose cache is unreachable fails (and rolls back) instead of leaving
  remembered answers standing;
- again when the transaction commits, so that an answer computed from the rows as they were just before
  the commit, and remembered under the first move, is not used after it.

The writes that move it: a grant (new, revoked, expired, renewed, its items, its scenario link), a catalog
resource (withdrawn, changed) and its items (retired, renamed), the negative list and its items, an API token
(issued, disabled), a department, a scenario (whose name the answer gives). A check reads the stamp in the same round trip as its rate counters
(`workflows.ratelimit.Batch`) and uses a remembered answer only when the stamp is the one it was
remembered under, so "allowed" is never answered after a revocation, withdrawal or listing has committed.
The date is part of every question: an answer is never carried past midnight (validity is by date).

Only where every process shares the cache (`GRANT_CHECK_ANSWER_CACHE`, on by default with CACHE_URL):
with a per-process memory cache a write in one process could not reach the others, so nothing is kept.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

STAMP_KEY = "grant_check:stamp"

Question = tuple[str, str, tuple[str, ...], dt.date]  # consumer code, resource code, items, day


@dataclass(frozen=True, slots=True)
class Remembered:
    """An answered check, as the API sends it (less the time it was checked)."""

    consumer_id: int
    resource_id: int
    reason: str
    body: dict[str, Any]


class Memo:
    """One process's answers and tokens at one stamp; a new stamp empties it. Bounded (least recently used)."""

    def __init__(self, max_answers: int) -> None:
        self.stamp: int | None = None
        self.max_answers = max_answers
        self.tokens: dict[str, int] = {}  # token hash -> id of an active token
        self.answers: OrderedDict[Question, Remembered] = OrderedDict()
        self.lock = threading.Lock()

    def at(self, stamp: int) -> None:
        """The shared stamp now: forget everything remembered at another one."""
        with self.lock:
            if stamp != self.stamp:
                self.tokens.clear()
                self.answers.clear()
                self.stamp = stamp

    def lookup(self, token_hash: str, question: Question) -> tuple[int | None, int | None, Remembered | None]:
        """The stamp remembered at, the token's id and the question's answer (None for what is not remembered)."""
        with self.lock:
            remembered = self.answers.get(question)
            if remembered is not None:
                self.answers.move_to_end(question)
            return self.stamp, self.tokens.get(token_hash), remembered

    def remember(self, stamp: int, question: Question, remembered: Remembered) -> None:
        with self.lock:
            if stamp != self.stamp:
                return
            self.answers[question] = remembered
            while len(self.answers) > self.max_answers:
                self.answers.popitem(last=False)

    def remember_token(self, stamp: int, token_hash: str, token_id: int) -> None:
        with self.lock:
            if stamp == self.stamp:
                self.tokens[token_hash] = token_id


_memo: Memo | None = None


def memo() -> Memo | None:
    """This process's memo, or None where answers are not kept."""
    global _memo
    if not settings.GRANT_CHECK_ANSWER_CACHE:
        return None
    if _memo is None or _memo.max_answers != settings.GRANT_CHECK_ANSWER_CACHE_SIZE:
        _memo = Memo(settings.GRANT_CHECK_ANSWER_CACHE_SIZE)
    return _memo


def stamp_or_start(read: int | None) -> int:
    """The stamp as read, or, when the cache has none (new, or emptied), a new one.

    A new stamp starts at the clock in nanoseconds, past every stamp given out before (each move adds one),
    so nothing remembered before the cache was emptied can be taken for current.
    """
    if read is not None:
        return read
    cache.add(STAMP_KEY, time.time_ns(), None)
    return int(cache.get(STAMP_KEY))


def _move() -> None:
    try:
        cache.incr(STAMP_KEY)
    except ValueError:  # no stamp yet: any new one is past the old
        stamp_or_start(None)


def invalidate(**_: Any) -> None:
    """Move the stamp now and when the caller's transaction commits (see the module's docstring)."""
    if not settings.GRANT_CHECK_ANSWER_CACHE:
        return
    _move()
    transaction.on_commit(_move)


def connect() -> None:
    """Move the stamp on every write that can change an answer (called from the app's ready())."""
    from catalog.models import DataItem, DataResource, NegativeListEntry
    from organizations.models import Department
    from requests.models import ApiToken, Grant, Scenario

    for model in (Grant, DataResource, DataItem, NegativeListEntry, ApiToken, Department, Scenario):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"grant_check_saved_{model.__name__}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"grant_check_deleted_{model.__name__}")
    for through in (Grant.items.through, NegativeListEntry.items.through):
        m2m_changed.connect(invalidate, sender=through, dispatch_uid=f"grant_check_items_{through.__name__}")
