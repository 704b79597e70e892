"""The clock as the app uses it: official calendar plus CalendarOverride rows."""

import datetime as dt

import time_machine
from django.core import checks

from workflows.models import CalendarOverride
from workflows.workdays import add_workdays, due_date, workdays_between

D = dt.date


def test_it_follows_the_official_calendar(db):
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_it_computes_a_deadline_that_crosses_into_2027(db):
    due = due_date(D(2026, 12, 24), 10)
    assert due.date() == D(2027, 1, 7)
    assert str(due.tzinfo) == "Asia/Shanghai"


def test_an_operator_override_takes_precedence(db):
    # The State Council announces New Year's Day 2027 before the package knows it.
    CalendarOverride.objects.create(date=D(2027, 1, 1), kind=CalendarOverride.Kind.HOLIDAY, note="元旦")
    assert due_date(D(2026, 12, 24), 10).date() == D(2027, 1, 8)
    CalendarOverride.objects.create(date=D(2026, 10, 7), kind=CalendarOverride.Kind.WORKDAY)
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 7)
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 2


def _calendar_warnings():
    return [message for message in checks.run_checks() if message.id == "workflows.W001"]


@time_machine.travel("2026-11-21 09:00 +0800")
def test_it_warns_about_next_year_when_the_package_stops_this_year():
    warnings = _calendar_warnings()
    assert len(warnings) == 1
    assert "2027" in warnings[0].msg
    assert warnings[0].level == checks.WARNING


@time_machine.travel("2025-03-01 09:00 +0800")
def test_it_is_silent_while_the_package_covers_this_year_and_next():
    assert _calendar_warnings() == []
