"""The working-day clock on the official calendar; plain module, no database."""

import datetime as dt

import pytest

from workflows.workcalendar import SHANGHAI, WorkCalendar, official_calendar_knows, statutory_holidays

D = dt.date


def test_it_skips_the_national_day_holiday():
    assert WorkCalendar().add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_it_counts_a_make_up_saturday():
    assert D(2026, 10, 10).weekday() == 5
    assert WorkCalendar().add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_it_crosses_into_a_year_the_package_does_not_know():
    # 2026-12-24 (Thu) + 10: Dec 25, 28–31, then 2027 skipping 元旦 (Fri Jan 1): Jan 4–8.
    assert not official_calendar_knows(2027)
    assert WorkCalendar().add_workdays(D(2026, 12, 24), 10) == D(2027, 1, 8)
    assert WorkCalendar().workdays_between(D(2026, 12, 31), D(2027, 1, 4)) == 1


# 2027 by the statutory rules, lunar festivals included (春节 2027 is 初一 = Feb 6).
STATUTORY_2027 = {
    "元旦": [D(2027, 1, 1)],
    "春节": [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)],  # 除夕 to 初三
    "清明": [D(2027, 4, 5)],
    "劳动节": [D(2027, 5, 1), D(2027, 5, 2)],
    "端午": [D(2027, 6, 9)],
    "中秋": [D(2027, 9, 15)],
    "国庆": [D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)],
}


def test_it_knows_the_statutory_holidays_of_2027():
    assert statutory_holidays(2027) == {day for days in STATUTORY_2027.values() for day in days}


@pytest.mark.parametrize("festival", STATUTORY_2027)
def test_a_statutory_holiday_of_2027_is_no_working_day(festival):
    calendar = WorkCalendar()
    assert [calendar.is_workday(day) for day in STATUTORY_2027[festival]] == [False] * len(STATUTORY_2027[festival])


def test_it_takes_no_guessed_make_up_day_in_2027():
    # The package would guess 补假 on the next weekdays (Feb 9–10, May 3–4, Oct 4–5) and knows
    # no 调休 Saturday: only the State Council's arrangement, entered as overrides, says either.
    calendar = WorkCalendar()
    assert all(calendar.is_workday(day) for day in [D(2027, 2, 9), D(2027, 2, 10), D(2027, 5, 3), D(2027, 10, 4)])
    assert not calendar.is_workday(D(2027, 2, 20))  # a plain Saturday
    # Spring Festival: Thu Feb 4 + 1 is Tue Feb 9, skipping 除夕 (Fri), the weekend and 初三 (Mon).
    assert calendar.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 9)
    # National Day: Thu Sep 30 + 1 is Mon Oct 4; 中秋 (Wed Sep 15) is skipped too.
    assert calendar.add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 4)
    assert calendar.add_workdays(D(2027, 9, 14), 1) == D(2027, 9, 16)


def test_it_takes_only_the_statutory_days_from_a_year_the_library_arranged():
    # For 2026 the `holidays` package lists the State Council's substituted days off too
    # (2026-01-02, 2026-10-06, …) but no 调休 Saturdays: none of them may count.
    assert len(statutory_holidays(2026)) == 13
    assert D(2026, 1, 2) not in statutory_holidays(2026)
    assert D(2026, 10, 6) not in statutory_holidays(2026)
    # Two festivals on one day count once (国庆 and 中秋 in 2020).
    assert D(2020, 10, 1) in statutory_holidays(2020)


def test_the_operators_arrangement_wins_in_a_year_the_package_does_not_know():
    # A 2027 notice in the usual shape: Feb 9–10 off, Sat Feb 20 worked.
    calendar = WorkCalendar(holidays=[D(2027, 2, 9), D(2027, 2, 10)], workdays=[D(2027, 2, 20), D(2027, 1, 1)])
    assert calendar.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 11)
    assert calendar.add_workdays(D(2027, 2, 19), 1) == D(2027, 2, 20)
    assert calendar.is_workday(D(2027, 1, 1))  # an override beats even a statutory day


def test_it_lets_overrides_win_over_the_package():
    calendar = WorkCalendar(holidays=[D(2026, 12, 31)], workdays=[D(2026, 10, 3)])
    assert calendar.add_workdays(D(2026, 12, 24), 10) == D(2027, 1, 11)
    assert calendar.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 3)


def test_it_goes_backwards_for_negative_counts():
    assert WorkCalendar().add_workdays(D(2026, 10, 8), -1) == D(2026, 9, 30)


def test_it_counts_workdays_between_dates():
    calendar = WorkCalendar()
    assert calendar.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3  # Oct 8, 9, 10
    assert calendar.workdays_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert calendar.workdays_between(D(2026, 10, 1), D(2026, 10, 1)) == 0


def test_it_puts_the_due_moment_at_the_end_of_the_last_working_day():
    started = dt.datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)
    due = WorkCalendar().due_date(started, 1)
    assert due.date() == D(2026, 10, 8)
    assert (due.hour, due.minute) == (23, 59)
    assert due.tzinfo == SHANGHAI


def test_it_takes_the_local_date_of_a_utc_start():
    # 2026-10-09 17:00 UTC is already Saturday 2026-10-10 in Shanghai.
    started = dt.datetime(2026, 10, 9, 17, 0, tzinfo=dt.UTC)
    assert WorkCalendar().due_date(started, 1).date() == D(2026, 10, 12)
