"""In-app channel: a Notification row in the recipient's inbox."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from notifications.events import EventType
from notifications.models import Notification
from notifications.rendering import render_line, render_text


def deliver(
    *, recipient, event: EventType, subject, context: dict[str, Any], link: str, on_behalf_of=None
) -> Notification:
    return Notification.objects.create(
        recipient=recipient,
        on_behalf_of=on_behalf_of,
        event=event.key,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=str(subject.pk) if subject is not None else "",
        title=render_line(event.inapp_template("title.txt"), context)[:200],
        body=render_text(event.inapp_template("body.txt"), context),
        link=link,
    )
