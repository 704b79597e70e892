"""Writes of the notifications app. `notify()` is what processes call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, FilteredRelation, Q
from django.urls import reverse
from django.utils import timezone

from notifications import events
from notifications.email import transport as email_transport
from notifications.events import EventType
from notifications.inapp import transport as inapp_transport
from notifications.models import Channel, Notification, NotificationPreference, OutboundEmail
from notifications.rendering import absolute_url
from organizations.models import User
from organizations.selectors import substitution_in_force

NOT_A_CHANNEL = "无效的接收方式。"
NOT_RETRYABLE = "只有发送失败的邮件可以重新发送。"


class NotificationError(Exception):
    pass


def notify(
    *, recipients: Iterable[User], event: str, subject: Any, context: dict[str, Any] | None = None
) -> list[Notification]:
    """Tell `recipients` (and the substitutes of any who are absent today) about `subject`.

    Call it inside the decision's transaction: the inbox rows and the outbox
    rows commit or roll back with the decision, and the emails are handed to
    Celery only after commit. `context` feeds the event's templates; a "link"
    in it (or `subject.get_absolute_url()`) becomes the notice's link.
    """
    event_type = events.get(event)
    context = dict(context or {})
    link = context.pop("link", "") or _link_for(subject)
    shared = {
        **context,
        "subject": subject,
        "link": link,
        "url": absolute_url(link) if link else "",
        "event": event_type,
        "site_url": settings.SITE_URL,
    }
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    subject_id = str(subject.pk) if subject is not None else ""
    notifications, emails = [], []
    for user, principal, channel in _targets(recipients, event_type):
        ctx = {**shared, "recipient": user, "on_behalf_of": principal}
        notification = inapp_transport.compose(
            recipient=user,
            event=event_type,
            subject_type=subject_type,
            subject_id=subject_id,
            context=ctx,
            link=link,
            on_behalf_of=principal,
        )
        notifications.append(notification)
        if channel == Channel.INAPP_EMAIL and user.email:
            emails.append(
                email_transport.compose(recipient=user, event=event_type, context=ctx, notification=notification)
            )
    # No savepoint: nothing here is retried on failure, it all rolls back with the caller's decision.
    with transaction.atomic(savepoint=False):
        # One INSERT per table. PostgreSQL and SQLite return the new ids, and bulk_create
        # copies each notification's id into the email that was given it unsaved.
        Notification.objects.bulk_create(notifications)
        OutboundEmail.objects.bulk_create(emails)
        if emails:
            transaction.on_commit(partial(email_transport.enqueue, [email.pk for email in emails]))
    return notifications


def _link_for(subject: Any) -> str:
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""


def _targets(recipients: Iterable[User], event: EventType) -> list[tuple[User, User | None, str]]:
    """(user, principal-or-None, channel) for each user once: a direct recipient wins over a substitute.

    One query reads the direct recipients' channels, the active substitutes
    of any of them (organizations.selectors.substitution_in_force)
    and the substitutes' channels. A user without a preference row gets the
    event's default channel.
    """
    direct = {user.pk: user for user in recipients if user.is_active}
    if not direct:
        return []
    ids, today = list(direct), timezone.localdate()
    rows = User.objects.annotate(
        standing_in=FilteredRelation(
            "substitutions_taken",
            condition=Q(substitutions_taken__principal__in=ids) & substitution_in_force(today, "substitutions_taken"),
        ),
        preference=FilteredRelation("notification_preferences", condition=Q(notification_preferences__event=event.key)),
        principal_id=F("standing_in__principal_id"),
        standing_in_since=F("standing_in__starts_on"),
        channel=F("preference__channel"),
    ).filter(
        # On the annotation: `standing_in__isnull` would cost the ORM a second resolution of the relation.
        Q(pk__in=ids) | Q(principal_id__isnull=False, is_active=True)
    )
    channels: dict[int, str] = {}
    substitutes: dict[int, Any] = {}  # Users with the annotations above
    for user in rows:  # a substitute comes once per principal it stands in for
        channels[user.pk] = user.channel or event.default_channel
        if user.pk in direct:
            continue
        # For several principals at once: on behalf of the one whose substitution began last.
        if user.pk not in substitutes or user.standing_in_since > substitutes[user.pk].standing_in_since:
            substitutes[user.pk] = user
    targets: list[tuple[User, User | None, str]] = [
        (user, None, channels.get(pk, event.default_channel)) for pk, user in direct.items()
    ]
    return targets + [(user, direct[user.principal_id], channels[pk]) for pk, user in sorted(substitutes.items())]


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        # The views never get here (they look the row up by recipient); a guard for other callers.
        raise NotificationError("只能操作本人的消息。")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at=None).update(read_at=timezone.now())


def preference_set(*, user: User, event: str, channel: str) -> NotificationPreference:
    event_type = events.get(event)
    if channel not in Channel.values or not event_type.user_selectable:
        raise NotificationError(NOT_A_CHANNEL)
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, event=event_type.key, defaults={"channel": channel}
    )
    return preference


def emails_retry(*, email_ids: Iterable[int]) -> int:
    """An operator's "send again" for failed rows: back to pending, queued after commit."""
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update()
            .filter(pk__in=list(email_ids), status=OutboundEmail.Status.FAILED)
            .values_list("pk", flat=True)
        )
        OutboundEmail.objects.filter(pk__in=ids).update(
            status=OutboundEmail.Status.PENDING, attempts=0, next_attempt_at=None, claim_token=""
        )
        if ids:
            transaction.on_commit(partial(email_transport.enqueue, ids))
    return len(ids)


def stuck_email_ids(*, older_than_seconds: int | None = None) -> list[int]:
    now = timezone.now()
    grace = dt.timedelta(
        seconds=settings.NOTIFY_EMAIL_REQUEUE_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    )
    Status = OutboundEmail.Status
    stuck = (
        Q(status=Status.PENDING, created_at__lte=now - grace)
        | Q(status=Status.RETRYING, next_attempt_at__lte=now - grace)
        | Q(status=Status.SENDING, claimed_at__lt=now - email_transport.lease())
    )
    return list(OutboundEmail.objects.filter(stuck).order_by("pk").values_list("pk", flat=True)[:5000])


def digests_create(*, today: dt.date | None = None) -> list[OutboundEmail]:
    """One digest per user who chose 每日汇总 for some event and has such a notice unread.

    It lists everything the user has not read, grouped by event type. The
    dedupe key (user, day) makes a second run on the same day send nothing.
    """
    today = today or timezone.localdate()
    digest_events: dict[int, set[str]] = {}
    for user_id, event in NotificationPreference.objects.filter(channel=Channel.DIGEST).values_list("user_id", "event"):
        digest_events.setdefault(user_id, set()).add(event)
    created = []
    for user in User.objects.filter(pk__in=digest_events, is_active=True).exclude(email="").order_by("pk"):
        unread = list(Notification.objects.filter(recipient=user, read_at=None).order_by("event", "-created_at"))
        if not any(n.event in digest_events[user.pk] for n in unread):
            continue
        groups = [
            {"event": events.EVENTS.get(key), "label": _event_label(key), "items": list(items)}
            for key, items in groupby(unread, key=lambda n: n.event)
        ]
        context = {
            "recipient": user,
            "day": today,
            "groups": groups,
            "total": len(unread),
            "url": absolute_url(reverse("notifications:index")),
        }
        try:
            with transaction.atomic():
                email = email_transport.build(
                    recipient=user, event=events.DAILY_DIGEST, context=context, dedupe_key=f"digest:{user.pk}:{today}"
                )
        except IntegrityError:
            continue  # already sent today
        transaction.on_commit(partial(email_transport.enqueue, [email.pk]))
        created.append(email)
    return created


def _event_label(key: str) -> str:
    event = events.EVENTS.get(key)
    return event.label if event else key
