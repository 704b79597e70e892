"""Email channel: the outbox and Django's email backend.

Delivery is at-most-once per row: a sender first claims the row with a
conditional UPDATE (only one concurrent UPDATE can match `status IN
(pending, retrying)`), sends, then marks it sent under its own claim token.
A claim older than NOTIFY_EMAIL_LEASE_SECONDS belongs to a sender that died
mid-send (nothing was handed to the mail server, or it would have been
marked sent), so it may be claimed again. EMAIL_TIMEOUT keeps a live
sender's conversation shorter than the lease.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from notifications.events import EventType
from notifications.models import Notification, OutboundEmail
from notifications.rendering import render_html, render_line, render_text

logger = logging.getLogger(__name__)

OUTBOX_HEADER = "X-Govshare-Outbox-Id"


def build(
    *, recipient, event: EventType, context: dict[str, Any], notification: Notification | None = None, dedupe_key=None
) -> OutboundEmail:
    """Write the outbox row; the caller's transaction commits it with the decision."""
    email = compose(recipient=recipient, event=event, context=context, notification=notification, dedupe_key=dedupe_key)
    email.save(force_insert=True)
    return email


def compose(
    *, recipient, event: EventType, context: dict[str, Any], notification: Notification | None = None, dedupe_key=None
) -> OutboundEmail:
    """The unsaved outbox row, for build() or for notify()'s one insert of a call's rows."""
    return OutboundEmail(
        recipient=recipient,
        notification=notification,
        event=event.key,
        to_address=recipient.email,
        subject_line=render_line(event.email_template("subject.txt"), context)[:300],
        body_text=render_text(event.email_template("body.txt"), context),
        body_html=render_html(event.email_template("body.html"), context),
        dedupe_key=dedupe_key,
    )


def enqueue(email_ids: list[int]) -> None:
    """Hand the rows to Celery; runs after commit.

    A broker that is down must not fail the decision that was just committed:
    the rows stay pending and the beat task `requeue_stuck_emails` sends them.
    """
    from notifications.tasks import send_email

    for email_id in email_ids:
        try:
            send_email.apply_async((email_id,), retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2})
        except Exception:  # noqa: BLE001  (any broker error: the row is safe in the outbox)
            logger.warning("outbox: broker unavailable, email %s stays pending for re-queue", email_id, exc_info=True)
            return


@dataclass
class Claim:
    email: OutboundEmail | None
    # When not claimed: the current status, and for a live claim, when its lease ends.
    status: str = ""
    lease_ends: dt.datetime | None = None


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFY_EMAIL_LEASE_SECONDS)


def claim(email_id: int) -> Claim:
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.RETRYING]) | Q(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - lease()
    )
    won = OutboundEmail.objects.filter(claimable, pk=email_id).update(
        status=OutboundEmail.Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    if won:
        return Claim(OutboundEmail.objects.get(pk=email_id))
    row = OutboundEmail.objects.filter(pk=email_id).values("status", "claimed_at").first()
    if row is None:
        return Claim(None, status="missing")
    lease_ends = row["claimed_at"] + lease() if row["status"] == OutboundEmail.Status.SENDING else None
    return Claim(None, status=row["status"], lease_ends=lease_ends)


def message(email: OutboundEmail, connection=None) -> EmailMultiAlternatives:
    msg = EmailMultiAlternatives(
        subject=email.subject_line,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
        headers={OUTBOX_HEADER: str(email.pk)},
        connection=connection,
    )
    if email.body_html:
        msg.attach_alternative(email.body_html, "text/html")
    return msg


def send(email: OutboundEmail) -> None:
    """Hand one claimed row to the configured backend (console, file or SMTP)."""
    connection = get_connection(fail_silently=False)
    message(email, connection).send()


def _finish(email: OutboundEmail, **fields) -> bool:
    """Move a claimed row on, only if our claim still holds."""
    return bool(
        OutboundEmail.objects.filter(
            pk=email.pk, claim_token=email.claim_token, status=OutboundEmail.Status.SENDING
        ).update(**fields)
    )


def mark_sent(email: OutboundEmail) -> bool:
    return _finish(email, status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None)


def mark_retrying(email: OutboundEmail, error: str, next_attempt_at: dt.datetime) -> bool:
    return _finish(email, status=OutboundEmail.Status.RETRYING, last_error=error, next_attempt_at=next_attempt_at)


def mark_failed(email: OutboundEmail, error: str) -> bool:
    return _finish(email, status=OutboundEmail.Status.FAILED, last_error=error, next_attempt_at=None)
