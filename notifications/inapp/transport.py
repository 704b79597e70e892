"""In-app channel: a Notification row in the recipient's inbox."""

from __future__ import annotations

from typing import Any

from notifications.events import EventType
from notifications.models import Notification
from notifications.rendering import render_line, render_text


def compose(
    *, recipient, event: EventType, subject_type, subject_id: str, context: dict[str, Any], link: str, on_behalf_of=None
) -> Notification:
    """The unsaved row; notify() inserts the rows of one call together."""
    return Notification(
        recipient=recipient,
        on_behalf_of=on_behalf_of,
        event=event.key,
        subject_type=subject_type,
        subject_id=subject_id,
        title=render_line(event.inapp_template("title.txt"), context)[:200],
        body=render_text(event.inapp_template("body.txt"), context),
        link=link,
    )
