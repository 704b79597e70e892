"""Celery tasks of the notifications app. They take ids and move outbox rows on."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications import services
from notifications.email import transport
from notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

# Errors that a later attempt cannot fix: the address or the message itself is refused.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError, ValueError)


def backoff(attempt: int) -> int:
    """Seconds before retry `attempt` (1-based): base, 2×base, 4×base … capped at one hour."""
    return min(settings.NOTIFY_EMAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1), 3600)


@shared_task(bind=True, name="notifications.tasks.send_email", acks_late=True, max_retries=None, ignore_result=True)
def send_email(self, email_id: int) -> str:
    """Send one outbox row. Safe to run twice, or in parallel: only the claimant sends."""
    claim = transport.claim(email_id)
    email = claim.email
    if email is None:
        if claim.lease_ends is not None:
            # Another sender holds the row. If it died mid-send, its lease runs out;
            # look again then, so a re-delivered message still ends in one send.
            wait = max((claim.lease_ends - timezone.now()).total_seconds(), 0) + 1
            raise self.retry(countdown=wait)
        return claim.status
    try:
        transport.send(email)
    except PERMANENT_ERRORS as exc:
        transport.mark_failed(email, _describe(exc))
        logger.warning("outbox: email %s failed permanently: %s", email_id, exc)
        return OutboundEmail.Status.FAILED
    except Exception as exc:  # noqa: BLE001  (SMTP down, DNS, timeouts: worth another try)
        error = _describe(exc)
        if email.attempts >= settings.NOTIFY_EMAIL_MAX_ATTEMPTS:
            transport.mark_failed(email, error)
            logger.warning("outbox: email %s failed after %s attempts: %s", email_id, email.attempts, exc)
            return OutboundEmail.Status.FAILED
        countdown = backoff(email.attempts)
        transport.mark_retrying(email, error, timezone.now() + dt.timedelta(seconds=countdown))
        raise self.retry(countdown=countdown, exc=exc) from exc
    transport.mark_sent(email)
    return OutboundEmail.Status.SENT


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


@shared_task(name="notifications.tasks.requeue_stuck_emails", ignore_result=True)
def requeue_stuck_emails(older_than_seconds: int | None = None) -> int:
    """Beat: publish again every row that no live task is carrying.

    That is a row still pending a while after it was written (the broker was
    down at commit), one whose retry is overdue, and one whose sender's lease
    has run out. Publishing a row twice is harmless: only one claim wins.
    """
    ids = services.stuck_email_ids(older_than_seconds=older_than_seconds)
    transport.enqueue(ids)
    return len(ids)


@shared_task(name="notifications.tasks.send_daily_digests", ignore_result=True)
def send_daily_digests() -> int:
    """Beat, once a day at NOTIFY_DIGEST_HOUR: one digest email per user who asked for it."""
    return len(services.digests_create())
