"""The working-day clock on the official calendar; plain module, no database."""

import datetime as dt

from workflows.workcalendar import SHANGHAI, WorkCalendar

D = dt.date


def test_it_skips_the_national_day_holiday():
    assert WorkCalendar().add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_it_counts_a_make_up_saturday():
    assert D(2026, 10, 10).weekday() == 5
    assert WorkCalendar().add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_it_crosses_into_a_year_the_package_does_not_know():
    # 2026-12-24 (Thu) + 10: Dec 25, 28–31, then 2027 on weekdays only.
    # 2027-01-01 has no official data yet, so it counts as a Friday workday.
    assert WorkCalendar().add_workdays(D(2026, 12, 24), 10) == D(2027, 1, 7)


def test_it_lets_overrides_win_over_package_and_fallback():
    calendar = WorkCalendar(holidays=[D(2027, 1, 1)], workdays=[D(2026, 10, 3)])
    assert calendar.add_workdays(D(2026, 12, 24), 10) == D(2027, 1, 8)
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
