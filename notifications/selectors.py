from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications import events
from notifications.models import Channel, Notification, NotificationPreference
from organizations.models import User


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own inbox; nobody else's rows are reachable through it."""
    return Notification.objects.filter(recipient=user).select_related("on_behalf_of")


def notification_of(user: User, pk: int) -> Notification:
    """404 for another user's notification, the same as for a missing one."""
    return get_object_or_404(notifications_for(user), pk=pk)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def preferences_of(user: User) -> list[tuple[events.EventType, str]]:
    """Each selectable event with the user's channel for it (the event's default if unset)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("event", "channel"))
    return [(event, chosen.get(event.key, event.default_channel)) for event in events.selectable()]


def channel_choices() -> list[tuple[str, str]]:
    return list(Channel.choices)
