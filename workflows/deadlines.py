"""Reminders and escalations: time limits in working days on any subject.

A process registers a deadline inside its transition's transaction:

    deadlines.register(
        subject=application, kind="provider_reply", title="提供方答复期限",
        start=timezone.now(), workdays=settings.SHARE_REPLY_WORKDAYS,
        remind_before=2, on_remind="share_requests.remind_reviewers",  # who they are on the day
        on_expiry="share_requests.escalate_overdue",    # a registered key or a dotted path
    )

(or fixed `recipients=[...]` for the default reminder, which notifies them)

and cancels it when the subject is decided, withdrawn or completed:

    deadlines.cancel_for(application)            # or complete_for(application)

The beat task `workflows.tasks.evaluate_deadlines` sends each reminder once
and runs each expiry action once: it claims the deadline with a conditional
UPDATE in the same transaction as the action, so a second beat, or a retry
after a crash, finds nothing left to claim, and a failing action rolls back
its claim to be tried again on the next run.

An action is `callable(deadline) -> None`. Register one with
`@deadlines.action("key")`, or name any module-level function by dotted path.
The default reminder "notify_reminder" notifies the deadline's recipients (event
`deadline_reminder`); the expiry action "notify_escalated" tells the recipients
and the data bureau (event `deadline_escalated`). Both are implemented and
registered by `notifications` (notifications.deadlines), which sits above this
app: the engine names them but does not send anything itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from workflows import workdays as clock
from workflows.models import Deadline
from workflows.workcalendar import WorkCalendar

logger = logging.getLogger(__name__)

# Reminders go out at the start of the working day, not at midnight.
REMIND_AT = dt.time(8, 30)
DEFAULT_REMIND_ACTION = "notify_reminder"
ESCALATE_ACTION = "notify_escalated"

Action = Callable[[Deadline], Any]
ACTIONS: dict[str, Action] = {}


# How kinds and actions read in the admin (办理期限): each app describes its own in AppConfig.ready().
KIND_LABELS: dict[str, str] = {}
ACTION_LABELS: dict[str, str] = {
    DEFAULT_REMIND_ACTION: "提醒办理人",
    ESCALATE_ACTION: "通知办理人和政数局：已超期",
}


def describe(*, kinds: dict[str, str] | None = None, actions: dict[str, str] | None = None) -> None:
    KIND_LABELS.update(kinds or {})
    ACTION_LABELS.update(actions or {})


class UnknownDeadlineAction(LookupError):
    pass


def action(key: str) -> Callable[[Action], Action]:
    """Register `func` under `key` for use as on_remind / on_expiry."""

    def decorator(func: Action) -> Action:
        ACTIONS[key] = func
        return func

    return decorator


def resolve_action(name: str) -> Action:
    if name in ACTIONS:
        return ACTIONS[name]
    if "." in name:
        try:
            return import_string(name)
        except ImportError as exc:
            raise UnknownDeadlineAction(f"未知的期限动作：{name}") from exc
    raise UnknownDeadlineAction(f"未知的期限动作：{name}")


def remind_lead(days: int, workdays: int) -> int:
    """A reminder `days` working days before the due date, but never before the clock's first working day."""
    return min(days, max(workdays - 1, 0))


def register(
    *,
    subject: Any,
    kind: str,
    title: str,
    start: dt.date | dt.datetime,
    workdays: int,
    on_expiry: str,
    remind_before: int | None = None,
    on_remind: str = DEFAULT_REMIND_ACTION,
    recipients: Iterable = (),
    replace: bool = True,
) -> Deadline:
    """Start the clock on `subject`: due at the end of the `workdays`-th working day after `start`.

    A running deadline of the same kind on the subject is cancelled first; `replace=False` skips
    that query when the caller knows none runs (its first clock).
    """
    resolve_action(on_expiry)  # fail now, in the caller's transaction, not at expiry
    if remind_before is not None:
        resolve_action(on_remind)
    calendar = clock.current_calendar()  # read the overrides once for both dates
    due_at = _due_date(start, workdays, calendar)
    with transaction.atomic(savepoint=False):
        if replace:
            cancel_for(subject, kind=kind)
        deadline = Deadline.objects.create(
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=str(subject.pk),
            kind=kind,
            title=title,
            starts_on=start.date() if isinstance(start, dt.datetime) else start,
            workdays=workdays,
            due_at=due_at,
            remind_before_workdays=remind_before,
            remind_at=_remind_at(due_at, remind_before, calendar),
            on_remind=on_remind if remind_before is not None else "",
            on_expiry=on_expiry,
        )
        deadline.recipients.add(*recipients)  # a new deadline: add, not set (no read of what it has)
    return deadline


def _due_date(start: dt.date | dt.datetime, n: int, calendar: WorkCalendar) -> dt.datetime:
    if isinstance(start, dt.datetime) and timezone.is_aware(start):
        start = timezone.localtime(start)
    return calendar.due_date(start, n, tz=timezone.get_default_timezone())


def _remind_at(due_at: dt.datetime, remind_before: int | None, calendar: WorkCalendar) -> dt.datetime | None:
    """Start of the working day `remind_before` working days before the due day."""
    if remind_before is None:
        return None
    due_day = timezone.localtime(due_at).date()
    day = calendar.add_workdays(due_day, -remind_before) if remind_before else due_day
    return dt.datetime.combine(day, REMIND_AT, tzinfo=timezone.get_default_timezone())


def for_subject(subject: Any):
    return Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk))


def cancel_for(subject: Any, *, kind: str | None = None) -> int:
    """Stop the subject's running deadlines (of `kind`, or all): no reminder, no expiry action."""
    return _close(subject, kind, Deadline.Status.CANCELLED)


def complete_for(subject: Any, *, kind: str | None = None) -> int:
    """The subject was done in time: the same as cancel, recorded as completed."""
    return _close(subject, kind, Deadline.Status.COMPLETED)


def _close(subject: Any, kind: str | None, status: str) -> int:
    running = for_subject(subject).filter(status=Deadline.Status.ACTIVE)
    if kind is not None:
        running = running.filter(kind=kind)
    return running.update(status=status, closed_at=timezone.now())


def evaluate(now: dt.datetime | None = None) -> dict[str, int]:
    """Fire what is due; what beat runs every few minutes."""
    now = now or timezone.now()
    reminded = expired = failed = 0
    # A reminder after the due time is pointless: the expiry action speaks instead.
    due_reminders = Deadline.objects.filter(
        status=Deadline.Status.ACTIVE, reminded_at=None, remind_at__lte=now, due_at__gt=now
    ).values_list("pk", flat=True)
    for pk in list(due_reminders):
        outcome = _fire(pk, now, reminder=True)
        reminded += outcome is True
        failed += outcome is None
    overdue = Deadline.objects.filter(status=Deadline.Status.ACTIVE, due_at__lte=now).values_list("pk", flat=True)
    for pk in list(overdue):
        outcome = _fire(pk, now, reminder=False)
        expired += outcome is True
        failed += outcome is None
    return {"reminded": reminded, "expired": expired, "failed": failed}


def _fire(pk: int, now: dt.datetime, *, reminder: bool) -> bool | None:
    """Claim and run one action in one transaction. True: fired; False: someone else had it; None: failed."""
    active = Deadline.objects.filter(pk=pk, status=Deadline.Status.ACTIVE)
    try:
        with transaction.atomic():
            if reminder:
                claimed = active.filter(reminded_at=None).update(reminded_at=now)
            else:
                claimed = active.update(status=Deadline.Status.EXPIRED, expired_at=now, closed_at=now)
            if not claimed:
                return False
            deadline = Deadline.objects.select_related("subject_type").get(pk=pk)
            resolve_action(deadline.on_remind if reminder else deadline.on_expiry)(deadline)
    except Exception:
        # The claim rolled back with the action; the next run tries again.
        logger.exception("deadline %s: %s action failed", pk, "reminder" if reminder else "expiry")
        return None
    return True
