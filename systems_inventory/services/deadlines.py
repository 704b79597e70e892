"""The department's reporting deadline: a reminder before it, and after it the report is marked late (counted
for good) and the bureau is told (workflows.deadlines fires both from beat)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
from notifications.services import notify
from systems_inventory.models import DEPARTMENT_STATES
from systems_inventory.services.common import department_staff, lock_report
from workflows import deadlines
from workflows.audit import record_event


@deadlines.action("systems_inventory.remind_department")
def remind_department(deadline) -> None:
    """Due soon: the department's fillers and leaders as they are on the day, not as they were at launch."""
    report = deadline.subject
    if report.state in DEPARTMENT_STATES:
        notify(
            recipients=department_staff(report),
            event="deadline_reminder",
            subject=report,
            context={"deadline": deadline},
        )


@deadlines.action("systems_inventory.mark_late")
def mark_late(deadline) -> None:
    """Past due and not yet with the bureau: the report is late (the statistics count it), and the bureau hears."""
    with transaction.atomic():
        report = lock_report(deadline.subject)
        if report.state not in DEPARTMENT_STATES:
            return  # sent in meanwhile
        report.is_late = True
        report.save(update_fields=["is_late", "updated_at"])
        record_event(
            subject=report,
            action="systems_inventory.report_late",
            actor=None,
            from_state=report.state,
            to_state=report.state,
            comment=f"{deadline.title}已于{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}到期，尚未报送",
        )
        notify(
            recipients=[*department_staff(report), *who.data_bureau()],
            event="deadline_escalated",
            subject=report,
            context={"deadline": deadline},
        )
