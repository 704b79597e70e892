"""Working-day arithmetic on the official Chinese calendar. No Django.

The official calendar (holidays and make-up workdays, 调休) comes from the
`chinese-calendar` package, which knows only the years the State Council has
announced. For any other year a day is a working day when it is Monday to
Friday and not a statutory holiday: 元旦, 春节 (除夕 to 初三), 清明, 劳动节,
端午, 中秋 and 国庆, as the `holidays` package computes them for any year,
lunar dates included. Only the statutory days themselves count: the package's
guessed "observed" days (补假) and any substituted days it lists are not the
State Council's arrangement, which also turns weekend days into working days,
and only the operator's overrides can say that. The overrides (announced
holidays and 调休 the packages do not know yet) win over everything.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays as holiday_rules

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The statutory festivals, by the names the `holidays` package gives them in
# simplified Chinese. Anything else it lists (补假, 调休) is a guess or an
# arrangement, not a statutory day.
STATUTORY_HOLIDAY_NAMES = frozenset({"元旦", "农历除夕", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"})


def official_calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# What an operator is told about a year the official calendar lacks (`manage.py check`, the admin's 工作日历调整,
# the bureau's 工作台), and what to do.
MSG_MISSING_YEAR = (
    "chinese-calendar 没有 {year} 年的放假安排：该年工作日暂按周一至周五、扣除法定节假日当天计算"
    "（不含补假和调休上班），请在“工作日历调整”中录入已公布的 {year} 年放假和调休安排，或升级 chinesecalendar 包。"
)
MSG_MISSING_YEAR_HINT = (
    "在管理后台“工作日历调整”中逐日录入 {year} 年的放假日和调休上班日；或升级 chinesecalendar 包后重启服务。"
)


def missing_years(today: dt.date | None = None) -> list[int]:
    """This year and next (deadlines run up to a year ahead) where the official calendar has no arrangement,
    so working days are estimated until an operator enters the announced ones as overrides."""
    year = (today or dt.datetime.now(SHANGHAI).date()).year
    return [y for y in (year, year + 1) if not official_calendar_knows(y)]


def missing_year_notices(today: dt.date | None = None) -> list[str]:
    """MSG_MISSING_YEAR for each of missing_years(), for a page to show."""
    return [MSG_MISSING_YEAR.format(year=year) for year in missing_years(today)]


@functools.cache
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The statutory holidays of `year`, weekend days included, without any arrangement."""
    computed = holiday_rules.country_holidays("CN", years=year, observed=False, language="zh_CN")
    # get_list: two festivals may share a day (国庆 and 中秋 in 2020 and 2001).
    return frozenset(day for day in computed if STATUTORY_HOLIDAY_NAMES.intersection(computed.get_list(day)))


class WorkCalendar:
    def __init__(self, *, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        # Each day's answer, once asked: a page of deadlines (the inbox, 50 rows) counts the same days again and
        # again, and the packages' lookups cost microseconds each. The calendar never changes once built.
        self._answers: dict[dt.date, bool] = {}
        self._counts: dict[int, list[int]] = {}

    def is_workday(self, day: dt.date) -> bool:
        answer = self._answers.get(day)
        if answer is None:
            answer = self._answers[day] = self._is_workday(day)
        return answer

    def _is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5 and day not in statutory_holidays(day.year)

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
        if a.year == b.year:
            return self._up_to(b) - self._up_to(a)
        whole_years = sum(self._year(year)[-1] for year in range(a.year + 1, b.year))
        return self._year(a.year)[-1] - self._up_to(a) + whole_years + self._up_to(b)

    def _up_to(self, day: dt.date) -> int:
        """Working days of its year up to and including `day`."""
        return self._year(day.year)[day.timetuple().tm_yday]

    def _year(self, year: int) -> list[int]:
        """Working days of `year` up to each day of the year (index 0: none yet; [-1]: the whole year), counted
        once per calendar: a page of deadlines asks for many spans."""
        counts = self._counts.get(year)
        if counts is None:
            counts, day, total = [0], dt.date(year, 1, 1), 0
            while day.year == year:
                total += self.is_workday(day)
                counts.append(total)
                day += dt.timedelta(days=1)
            self._counts[year] = counts
        return counts

    def due_date(self, start: dt.date | dt.datetime, n: int, tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
        """The moment a reply within n working days of `start` falls due: the end
        of the n-th working day, local time."""
        if isinstance(start, dt.datetime):
            start = start.astimezone(tz).date() if start.tzinfo else start.date()
        last_day = self.add_workdays(start, n)
        return dt.datetime.combine(last_day, dt.time.max, tzinfo=tz)
