"""Exactly-once email delivery through a real Celery worker on Redis."""

import time

import pytest
from django.db import transaction

from notifications.email.transport import OUTBOX_HEADER
from notifications.models import OutboundEmail
from notifications.services import notify
from notifications.tasks import requeue_stuck_emails
from tests.notifications.worker import DEAD_BROKER_URL, REDIS_URL, celery_worker, flush_redis, producer_broker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def sent_copies(mail_dir, email_id) -> int:
    """How many times the file backend wrote the message with this outbox id."""
    header = f"{OUTBOX_HEADER}: {email_id}\n"
    return sum(path.read_text().count(header) for path in mail_dir.glob("*.log"))


def status_of(email_id) -> str:
    return OutboundEmail.objects.get(pk=email_id).status


def test_it_sends_exactly_once_after_a_broker_outage(zhujian_reviewer, zhujian, tmp_path):
    flush_redis()
    mail_dir = tmp_path / "mail"
    # The decision commits while the broker is down: the decision stands, the email waits in the outbox.
    with producer_broker(DEAD_BROKER_URL), transaction.atomic():
        notify(recipients=[zhujian_reviewer], event="test", subject=zhujian, context={"message": "断网期间的决定"})
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.PENDING

    with producer_broker(REDIS_URL):
        # The broker is back. Beat re-queues the row; a second beat run before any worker
        # picks it up queues it twice.
        assert requeue_stuck_emails(older_than_seconds=0) == 1
        assert requeue_stuck_emails(older_than_seconds=0) == 1
        with celery_worker(
            tmp_path / "worker.log",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(mail_dir),
        ):
            wait_for(
                lambda: status_of(email.pk) == OutboundEmail.Status.SENT, timeout=60, log_path=tmp_path / "worker.log"
            )
            # Let the second message be consumed too before counting.
            wait_for(lambda: "succeeded" in _second_success(tmp_path / "worker.log"), timeout=30)

    assert sent_copies(mail_dir, email.pk) == 1
    email.refresh_from_db()
    assert email.attempts == 1
    assert "断网期间的决定" in (next(mail_dir.glob("*.log"))).read_text()


def _second_success(log_path) -> str:
    text = log_path.read_text(errors="replace")
    return "succeeded" if text.count("notifications.tasks.send_email") >= 2 and text.count("succeeded") >= 2 else ""


def test_it_sends_once_when_the_worker_is_killed_mid_send(zhujian_reviewer, zhujian, tmp_path):
    flush_redis()
    mail_dir = tmp_path / "mail"
    marker = tmp_path / "died"
    log = tmp_path / "worker.log"
    with (
        producer_broker(REDIS_URL),
        celery_worker(
            log,
            EMAIL_BACKEND="tests.notifications.backends.DieOnceFileBackend",
            EMAIL_FILE_PATH=str(mail_dir),
            NOTIFY_TEST_DIE_MARKER=str(marker),
            NOTIFY_EMAIL_LEASE_SECONDS="3",
        ),
    ):
        with transaction.atomic():
            notify(recipients=[zhujian_reviewer], event="test", subject=zhujian)
        email = OutboundEmail.objects.get()
        wait_for(lambda: status_of(email.pk) == OutboundEmail.Status.SENT, timeout=90, log_path=log)
        time.sleep(1)

    assert marker.exists(), "the worker process was not killed"
    assert "WorkerLostError" in log.read_text(errors="replace")
    assert sent_copies(mail_dir, email.pk) == 1
    email.refresh_from_db()
    # The killed attempt claimed the row; the re-delivered message took it over after the lease.
    assert email.attempts == 2
