"""Working-day arithmetic on the official Chinese calendar. No Django.

The official calendar (holidays and make-up workdays, 调休) comes from the
`chinese-calendar` package, which knows only the years the State Council has
announced. For any other year we fall back to "Monday to Friday", and the
operator's overrides (announced holidays the package does not know yet) win
over both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def official_calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    def __init__(self, *, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (before it, for negative n).

        The start day itself never counts, as with a time limit that runs from
        the day after receipt.
        """
        step = 1 if n >= 0 else -1
        day, remaining = start, abs(n)
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        if b < a:
            return -self.workdays_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + dt.timedelta(days=i)))

    def due_date(self, start: dt.date | dt.datetime, n: int, tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
        """The moment a reply within n working days of `start` falls due: the end
        of the n-th working day, local time."""
        if isinstance(start, dt.datetime):
            start = start.astimezone(tz).date() if start.tzinfo else start.date()
        last_day = self.add_workdays(start, n)
        return dt.datetime.combine(last_day, dt.time.max, tzinfo=tz)
