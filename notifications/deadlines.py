"""The deadline engine's built-in actions (workflows.deadlines names them; this app sends the notices).

Registered when NotificationsConfig.ready imports this module.
"""

from __future__ import annotations

from notifications import recipients
from notifications.services import notify
from workflows import deadlines
from workflows.models import Deadline


@deadlines.action(deadlines.DEFAULT_REMIND_ACTION)
def notify_reminder(deadline: Deadline) -> None:
    notify(
        recipients=deadline.recipients.all(),
        event="deadline_reminder",
        subject=deadline.subject,
        context={"deadline": deadline},
    )


@deadlines.action(deadlines.ESCALATE_ACTION)
def notify_escalated(deadline: Deadline) -> None:
    notify(
        recipients=[*deadline.recipients.all(), *recipients.data_bureau()],
        event="deadline_escalated",
        subject=deadline.subject,
        context={"deadline": deadline},
    )
