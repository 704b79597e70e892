import datetime as dt

import pytest
import time_machine

from notifications import deadlines as notify_actions
from notifications.models import Notification
from tests.races import messages, run_concurrently
from workflows import deadlines
from workflows.models import Deadline
from workflows.tasks import evaluate_deadlines

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
CALLS: list[int] = []


@deadlines.action("tests.escalate")
def escalate(deadline):
    CALLS.append(deadline.pk)
    notify_actions.notify_escalated(deadline)


@deadlines.action("tests.broken")
def broken(deadline):
    raise RuntimeError("arbitration service down")


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def clear_calls():
    CALLS.clear()


@pytest.fixture
def national_day_deadline(zhujian, zhujian_reviewer):
    """Registered Monday 2026-09-28: 5 working days skip National Day (10-01..07) and end on the
    make-up Saturday 10-10; the reminder is 2 working days before, on 10-08."""
    with at(2026, 9, 28, 10, 0):
        return deadlines.register(
            subject=zhujian,
            kind="provider_reply",
            title="提供方答复期限",
            start=dt.date(2026, 9, 28),
            workdays=5,
            remind_before=2,
            recipients=[zhujian_reviewer],
            on_expiry="tests.escalate",
        )


def titles(event):
    return list(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


def test_it_counts_working_days_across_a_holiday(national_day_deadline):
    d = national_day_deadline
    assert d.due_at == dt.datetime(2026, 10, 10, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert d.remind_at == dt.datetime(2026, 10, 8, 8, 30, tzinfo=SHANGHAI)
    assert d.status == Deadline.Status.ACTIVE


def test_it_fires_the_reminder_and_the_expiry_once_each(national_day_deadline, coordinator, zhujian_reviewer):
    d = national_day_deadline
    quiet = {"reminded": 0, "expired": 0, "failed": 0}
    for moment in [(2026, 9, 30, 17, 0), (2026, 10, 5, 12, 0), (2026, 10, 8, 8, 29)]:
        with at(*moment):
            assert evaluate_deadlines() == quiet, moment

    with at(2026, 10, 8, 8, 35):
        assert evaluate_deadlines() == {"reminded": 1, "expired": 0, "failed": 0}
        assert evaluate_deadlines() == quiet
    assert titles("deadline_reminder") == ["zj_reviewer"]
    reminder = Notification.objects.get(event="deadline_reminder")
    assert reminder.title == "办理期限提醒：提供方答复期限将于2026年10月10日到期"
    assert reminder.subject == d.subject

    for moment in [(2026, 10, 9, 9, 0), (2026, 10, 10, 23, 59)]:
        with at(*moment):
            assert evaluate_deadlines() == quiet, moment

    with at(2026, 10, 11, 0, 5):
        assert evaluate_deadlines() == {"reminded": 0, "expired": 1, "failed": 0}
        assert evaluate_deadlines() == quiet
    with at(2026, 10, 12, 9, 0):
        assert evaluate_deadlines() == quiet
    assert CALLS == [d.pk]
    assert sorted(titles("deadline_escalated")) == ["zj_reviewer", "zs_coordinator"]
    assert titles("deadline_reminder") == ["zj_reviewer"]
    d.refresh_from_db()
    assert d.status == Deadline.Status.EXPIRED
    assert d.expired_at == dt.datetime(2026, 10, 11, 0, 5, tzinfo=SHANGHAI)


def test_it_skips_a_reminder_that_comes_too_late_and_only_expires(national_day_deadline):
    with at(2026, 10, 12, 9, 0):  # beat was down for days
        assert evaluate_deadlines() == {"reminded": 0, "expired": 1, "failed": 0}
    assert titles("deadline_reminder") == []
    assert CALLS == [national_day_deadline.pk]


def test_it_cancels_or_completes_with_the_subject(national_day_deadline, zhujian, gongan):
    other = deadlines.register(
        subject=gongan,
        kind="provider_reply",
        title="答复期限",
        start=dt.date(2026, 9, 28),
        workdays=1,
        on_expiry="tests.escalate",
    )
    with at(2026, 10, 1, 10, 0):
        assert deadlines.cancel_for(zhujian) == 1
        assert deadlines.complete_for(gongan) == 1
        assert deadlines.cancel_for(zhujian) == 0
    with at(2026, 10, 20, 10, 0):
        assert evaluate_deadlines() == {"reminded": 0, "expired": 0, "failed": 0}
    assert CALLS == []
    assert Notification.objects.count() == 0
    national_day_deadline.refresh_from_db()
    other.refresh_from_db()
    assert (national_day_deadline.status, other.status) == (Deadline.Status.CANCELLED, Deadline.Status.COMPLETED)


def test_it_replaces_a_running_deadline_of_the_same_kind(national_day_deadline, zhujian):
    with at(2026, 10, 8, 10, 0):
        again = deadlines.register(
            subject=zhujian,
            kind="provider_reply",
            title="提供方答复期限（延期）",
            start=dt.date(2026, 10, 8),
            workdays=5,
            on_expiry="tests.escalate",
        )
    national_day_deadline.refresh_from_db()
    assert national_day_deadline.status == Deadline.Status.CANCELLED
    assert again.due_at.date() == dt.date(2026, 10, 14)  # 10-09, 10-10 (调休), 10-12, 13, 14
    assert list(deadlines.for_subject(zhujian).filter(status="active")) == [again]


def test_it_retries_an_expiry_action_that_failed(zhujian):
    d = deadlines.register(
        subject=zhujian, kind="k", title="期限", start=dt.date(2026, 9, 28), workdays=1, on_expiry="tests.broken"
    )
    with at(2026, 9, 30, 9, 0):
        assert evaluate_deadlines() == {"reminded": 0, "expired": 0, "failed": 1}
    d.refresh_from_db()
    assert d.status == Deadline.Status.ACTIVE and d.expired_at is None  # the claim rolled back
    Deadline.objects.filter(pk=d.pk).update(on_expiry="tests.escalate")
    with at(2026, 9, 30, 9, 5):
        assert evaluate_deadlines()["expired"] == 1
    assert CALLS == [d.pk]


def test_it_refuses_an_unknown_action_when_registering(zhujian):
    with pytest.raises(deadlines.UnknownDeadlineAction):
        deadlines.register(
            subject=zhujian, kind="k", title="期限", start=dt.date(2026, 9, 28), workdays=1, on_expiry="no_such_action"
        )
    assert Deadline.objects.count() == 0
    # A dotted path to any callable is accepted.
    deadlines.register(
        subject=zhujian,
        kind="k",
        title="期限",
        start=dt.date(2026, 9, 28),
        workdays=1,
        on_expiry="notifications.deadlines.notify_escalated",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_runs_the_expiry_once_under_concurrent_beats(zhujian):
    d = deadlines.register(
        subject=zhujian, kind="k", title="期限", start=dt.date(2026, 9, 28), workdays=1, on_expiry="tests.escalate"
    )

    def beat():
        return deadlines.evaluate(dt.datetime(2026, 10, 20, tzinfo=SHANGHAI))["expired"]

    results = messages(run_concurrently(*[beat] * 6))  # an error in a beat is raised here
    assert sorted(results) == [0, 0, 0, 0, 0, 1]
    assert CALLS == [d.pk]
