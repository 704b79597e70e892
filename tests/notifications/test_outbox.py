import datetime as dt
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.test import Client
from django.utils import timezone

from notifications.email import transport
from notifications.models import OutboundEmail
from notifications.services import notify
from notifications.tasks import backoff, requeue_stuck_emails, send_email
from tests.factories import UserFactory
from tests.races import messages, run_concurrently


@pytest.fixture
def email(zhujian_reviewer, zhujian):
    notify(recipients=[zhujian_reviewer], event="test", subject=zhujian)
    return OutboundEmail.objects.get()


def test_it_sends_a_row_once_when_the_task_runs_twice(email):
    assert send_email(email.pk) == OutboundEmail.Status.SENT
    assert send_email(email.pk) == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
    assert email.sent_at is not None


def test_it_retries_a_transient_error_with_backoff(email, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.DisconnectedBackend"
    before = timezone.now()
    # Called directly, Celery re-raises the cause instead of scheduling the retry.
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_email(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.RETRYING
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error
    assert email.next_attempt_at >= before + dt.timedelta(seconds=backoff(1))
    assert [backoff(n) for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(20) == 3600

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_email(email.pk) == OutboundEmail.Status.SENT
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.SENT, 2, "")


def test_it_fails_permanently_after_the_last_attempt(email, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.DisconnectedBackend"
    settings.NOTIFY_EMAIL_MAX_ATTEMPTS = 2
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_email(email.pk)
    assert send_email(email.pk) == OutboundEmail.Status.FAILED
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.FAILED, 2)
    assert "Connection unexpectedly closed" in email.last_error
    # A failed row is not picked up again by a stray message.
    assert send_email(email.pk) == OutboundEmail.Status.FAILED


def test_it_fails_a_refused_recipient_at_once(email, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    assert send_email(email.pk) == OutboundEmail.Status.FAILED
    email.refresh_from_db()
    assert email.attempts == 1
    assert "SMTPRecipientsRefused" in email.last_error


def test_it_waits_for_a_live_claim_and_takes_over_an_expired_one(email, settings):
    settings.NOTIFY_EMAIL_LEASE_SECONDS = 300
    first = transport.claim(email.pk)
    assert first.email is not None
    # A second delivery of the same message while the first sender is busy: no send, look again later.
    with pytest.raises(Retry):
        send_email(email.pk)
    assert mail.outbox == []
    second = transport.claim(email.pk)
    assert second.email is None and second.lease_ends is not None

    # The first sender died mid-send: once its lease ran out the row is claimable again.
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=301))
    assert send_email(email.pk) == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    # The dead sender's late "sent" cannot overwrite the new claim's outcome.
    assert transport.mark_failed(first.email, "late") is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 2)


def test_it_requeues_only_rows_no_task_is_carrying(zhujian_reviewer, zhujian, settings):
    settings.NOTIFY_EMAIL_REQUEUE_AFTER_SECONDS = 120
    settings.NOTIFY_EMAIL_LEASE_SECONDS = 300
    notify(recipients=[UserFactory(department=zhujian) for _ in range(6)], event="test", subject=zhujian)
    rows = list(OutboundEmail.objects.order_by("pk"))
    now = timezone.now()
    old = now - dt.timedelta(minutes=5)
    S = OutboundEmail.Status
    OutboundEmail.objects.filter(pk=rows[0].pk).update(created_at=old)  # broker was down at commit
    # rows[1]: just written, its task is probably on the way
    OutboundEmail.objects.filter(pk=rows[2].pk).update(status=S.RETRYING, next_attempt_at=old)  # retry overdue
    OutboundEmail.objects.filter(pk=rows[3].pk).update(status=S.RETRYING, next_attempt_at=now + dt.timedelta(hours=1))
    OutboundEmail.objects.filter(pk=rows[4].pk).update(status=S.SENDING, claimed_at=now - dt.timedelta(minutes=6))
    OutboundEmail.objects.filter(pk=rows[5].pk).update(status=S.SENT, created_at=old)

    assert requeue_stuck_emails() == 3
    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in rows] == [S.SENT, S.PENDING, S.SENT, S.RETRYING, S.SENT, S.SENT]
    assert len(mail.outbox) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_many_concurrent_senders_claim_a_row(zhujian_reviewer, zhujian):
    notify(recipients=[zhujian_reviewer], event="test", subject=zhujian)
    # Autocommit ran the (eager) send at once; put the row back in the outbox.
    OutboundEmail.objects.update(status=OutboundEmail.Status.PENDING, attempts=0)
    email = OutboundEmail.objects.get()

    def sender():
        return transport.claim(email.pk).email is not None

    results = messages(run_concurrently(*[sender] * 8))  # an error in a sender is raised here
    assert sorted(results) == [False] * 7 + [True], results


def test_it_lets_an_operator_retry_failed_sends_from_the_admin(email, zhujian, django_capture_on_commit_callbacks):
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED, attempts=6, last_error="x")
    notify(recipients=[UserFactory(department=zhujian)], event="test", subject=zhujian)
    other = OutboundEmail.objects.exclude(pk=email.pk).get()
    admin = UserFactory(username="ops", is_staff=True, is_superuser=True, department=zhujian)
    client = Client()
    client.force_login(admin)

    page = client.get("/admin/notifications/outboundemail/?status__exact=failed")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/outboundemail/",
            {"action": "retry_failed", "_selected_action": [email.pk, other.pk]},
            follow=True,
        )
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert "已重新排队 1 封邮件。" in texts
    assert any("1 封不是“发送失败”状态" in t for t in texts)
    email.refresh_from_db()
    other.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert other.status == OutboundEmail.Status.PENDING  # untouched by the action
    # Rows are not editable by hand.
    assert client.post(f"/admin/notifications/outboundemail/{email.pk}/change/", {}).status_code == 403


def test_it_hides_the_outbox_from_staff_without_permission(email, zhujian):
    staff = UserFactory(username="clerk", is_staff=True, department=zhujian)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/notifications/outboundemail/").status_code == 403


def test_it_schedules_requeue_digest_and_deadline_beat_tasks(settings):
    from project.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks
    schedule = settings.CELERY_BEAT_SCHEDULE
    for key in ["notifications-requeue-stuck-emails", "notifications-daily-digest", "workflows-evaluate-deadlines"]:
        assert schedule[key]["task"] in app.tasks, key
    assert schedule["notifications-daily-digest"]["schedule"].hour == {settings.NOTIFY_DIGEST_HOUR}
    assert schedule["workflows-evaluate-deadlines"]["schedule"].minute == set(range(0, 60, 5))
