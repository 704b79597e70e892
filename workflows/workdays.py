"""The working-day clock as the rest of govshare uses it: the official calendar
plus the operator's CalendarOverride rows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from workflows.models import CalendarOverride
from workflows.workcalendar import WorkCalendar


def current_calendar() -> WorkCalendar:
    holidays, workdays = [], []
    for day, kind in CalendarOverride.objects.values_list("date", "kind"):
        (holidays if kind == CalendarOverride.Kind.HOLIDAY else workdays).append(day)
    return WorkCalendar(holidays=holidays, workdays=workdays)


def is_workday(day: dt.date) -> bool:
    return current_calendar().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    return current_calendar().add_workdays(start, n)


def workdays_between(a: dt.date, b: dt.date) -> int:
    return current_calendar().workdays_between(a, b)


def due_date(start: dt.date | dt.datetime, n: int) -> dt.datetime:
    return current_calendar().due_date(start, n, tz=timezone.get_default_timezone())
