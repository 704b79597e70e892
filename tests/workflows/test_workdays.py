"""The clock as the app uses it: official calendar plus CalendarOverride rows."""

import datetime as dt
import time

import time_machine
from django.core import checks

from workflows.checks import for_the_operator
from workflows.models import CalendarOverride
from workflows.workdays import add_workdays, due_date, is_workday, workdays_between

D = dt.date


def test_it_follows_the_official_calendar(db):
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_it_computes_a_deadline_that_crosses_into_2027(db):
    # Dec 25, 28–31, then 元旦 (Fri 2027-01-01) is no working day: Jan 4–8. chinese-calendar knows no 2027.
    due = due_date(D(2026, 12, 24), 10)
    assert due.date() == D(2027, 1, 8)
    assert str(due.tzinfo) == "Asia/Shanghai"
    assert due_date(D(2026, 12, 31), 1).date() == D(2027, 1, 4)


def test_it_skips_the_2027_spring_festival_and_takes_the_announced_arrangement(db):
    # 2027-02-05 除夕 (Fri) to 02-08 初三 (Mon) are statutory; the 补假 and the 调休 Saturday are not known.
    assert due_date(D(2027, 2, 4), 1).date() == D(2027, 2, 9)
    assert not is_workday(D(2027, 2, 20))
    for day in (D(2027, 2, 9), D(2027, 2, 10)):
        CalendarOverride.objects.create(date=day, kind=CalendarOverride.Kind.HOLIDAY, note="春节补假")
    CalendarOverride.objects.create(date=D(2027, 2, 20), kind=CalendarOverride.Kind.WORKDAY, note="春节调休上班")
    assert due_date(D(2027, 2, 4), 1).date() == D(2027, 2, 11)
    assert is_workday(D(2027, 2, 20))


def test_an_operator_override_takes_precedence(db):
    # A city closes its offices on the Monday after 元旦 2027.
    CalendarOverride.objects.create(date=D(2027, 1, 4), kind=CalendarOverride.Kind.HOLIDAY, note="本市调整")
    assert due_date(D(2026, 12, 24), 10).date() == D(2027, 1, 11)
    CalendarOverride.objects.create(date=D(2026, 10, 7), kind=CalendarOverride.Kind.WORKDAY)
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 7)
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 2


def _calendar_warnings():
    with for_the_operator():  # as `manage.py check` runs them
        return [message for message in checks.run_checks() if message.id == "workflows.W001"]


@time_machine.travel("2026-11-21 09:00 +0800")
def test_it_warns_about_next_year_when_the_package_stops_this_year():
    warnings = _calendar_warnings()
    assert len(warnings) == 1
    assert "2027" in warnings[0].msg
    assert "扣除法定节假日" in warnings[0].msg
    assert (
        warnings[0].hint
        == "在管理后台“工作日历调整”中逐日录入 2027 年的放假日和调休上班日；或升级 chinesecalendar 包后重启服务。"
    )
    assert warnings[0].level == checks.WARNING


@time_machine.travel("2025-03-01 09:00 +0800")
def test_it_is_silent_while_the_package_covers_this_year_and_next():
    assert _calendar_warnings() == []


def test_it_reads_the_overrides_once_while_they_are_fresh(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        due_date(D(2026, 12, 24), 10)
    with django_assert_num_queries(0):
        assert due_date(D(2026, 12, 24), 10).date() == D(2027, 1, 8)
        assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_it_sees_an_override_saved_or_deleted_at_once(db):
    assert due_date(D(2026, 12, 24), 10).date() == D(2027, 1, 8)  # cached
    override = CalendarOverride.objects.create(date=D(2027, 1, 4), kind=CalendarOverride.Kind.HOLIDAY)
    assert due_date(D(2026, 12, 24), 10).date() == D(2027, 1, 11)
    override.kind = CalendarOverride.Kind.WORKDAY
    override.date = D(2027, 1, 2)  # a Saturday made a workday
    override.save()
    assert due_date(D(2026, 12, 24), 10).date() == D(2027, 1, 7)
    override.delete()
    assert due_date(D(2026, 12, 24), 10).date() == D(2027, 1, 8)


def test_it_reads_the_overrides_again_when_the_change_commits(db, django_capture_on_commit_callbacks):
    # Another thread may read the old rows between the save and the commit: the commit drops them too.
    with django_capture_on_commit_callbacks(execute=True):
        CalendarOverride.objects.create(date=D(2027, 1, 4), kind=CalendarOverride.Kind.HOLIDAY)
        assert not is_workday(D(2027, 1, 4))  # cached
        CalendarOverride.objects.update(date=D(2027, 1, 5))  # sends no signal
        assert not is_workday(D(2027, 1, 4)) and is_workday(D(2027, 1, 5))
    assert is_workday(D(2027, 1, 4)) and not is_workday(D(2027, 1, 5))


def test_it_sees_an_edit_made_behind_its_back_after_the_ttl(db, settings, monkeypatch):
    settings.CALENDAR_OVERRIDES_CACHE_SECONDS = 60
    CalendarOverride.objects.create(date=D(2027, 1, 4), kind=CalendarOverride.Kind.HOLIDAY)
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 5)
    CalendarOverride.objects.update(kind=CalendarOverride.Kind.WORKDAY)  # sends no signal
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 5)

    # Time freezing (time_machine) leaves the monotonic clock alone: move it by hand.
    started = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: started + 59)
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 5)
    monkeypatch.setattr(time, "monotonic", lambda: started + 61)
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_it_reads_the_overrides_every_time_with_a_ttl_of_zero(db, settings):
    settings.CALENDAR_OVERRIDES_CACHE_SECONDS = 0
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    CalendarOverride.objects.bulk_create([CalendarOverride(date=D(2027, 1, 4), kind=CalendarOverride.Kind.HOLIDAY)])
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 5)
