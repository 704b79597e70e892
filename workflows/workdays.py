"""The working-day clock as the rest of govshare uses it: the official calendar
plus the operator's CalendarOverride rows.

The overrides change a few times a year (the State Council's holiday notice, a
city's adjustment) but every deadline reads them, so each process keeps them
for CALENDAR_OVERRIDES_CACHE_SECONDS. Saving or deleting an override through
the ORM (the admin, a service) drops this process's copy at once and again at
commit, for the threads that read the old rows in between. Other processes
(web workers, Celery) see the change up to the TTL late, as does this one after
a write that sends no signal (queryset.update, bulk_create, raw SQL) or one
that is rolled back after being read.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from workflows.models import CalendarOverride
from workflows.workcalendar import WorkCalendar

# (monotonic expiry, calendar): one tuple, so a thread never sees one without the other.
_cached: tuple[float, WorkCalendar] | None = None


def current_calendar() -> WorkCalendar:
    global _cached
    cached, now = _cached, time.monotonic()
    if cached is None or now >= cached[0]:
        cached = _cached = (now + settings.CALENDAR_OVERRIDES_CACHE_SECONDS, _read_calendar())
    return cached[1]


def _read_calendar() -> WorkCalendar:
    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    for day, kind in CalendarOverride.objects.values_list("date", "kind"):
        (holidays if kind == CalendarOverride.Kind.HOLIDAY else workdays).append(day)
    return WorkCalendar(holidays=holidays, workdays=workdays)


def forget_calendar() -> None:
    """Drop this process's copy of the overrides: the next deadline reads them again."""
    global _cached
    _cached = None


@receiver(post_save, sender=CalendarOverride, dispatch_uid="workdays.override_saved")
@receiver(post_delete, sender=CalendarOverride, dispatch_uid="workdays.override_deleted")
def _override_changed(**kwargs) -> None:
    forget_calendar()  # the writer's own transaction sees its change
    transaction.on_commit(forget_calendar)


def is_workday(day: dt.date) -> bool:
    return current_calendar().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    return current_calendar().add_workdays(start, n)


def workdays_between(a: dt.date, b: dt.date) -> int:
    return current_calendar().workdays_between(a, b)


def due_date(start: dt.date | dt.datetime, n: int) -> dt.datetime:
    return current_calendar().due_date(start, n, tz=timezone.get_default_timezone())


@dataclass(frozen=True)
class Countdown:
    """Where a deadline stands today, in working days."""

    due_date: dt.date  # the local date it falls due, at the end of the day
    workdays: int  # working days after today up to it (0 on its last day); once passed, minus those since it

    @property
    def overdue(self) -> bool:
        """Passed: a weekend after a Friday deadline is overdue by no working day yet, but overdue."""
        return self.due_date < timezone.localdate()


def countdown(due: dt.datetime | None, today: dt.date | None = None) -> Countdown | None:
    """The countdown to a deadline (None without one): 剩 3 个工作日, 今日到期, 逾期 2 个工作日."""
    if due is None:
        return None
    due_date = timezone.localtime(due).date()
    return Countdown(due_date, workdays_between(today or timezone.localdate(), due_date))
