"""The department's clocks in the shutdown chain (workflows.deadlines fires them from beat):

- the objection window: a reminder before it closes; when it closes with no objection, the chain moves on to the
  data's disposal (the system completes the department's reply task);
- the disposal: a reminder before its deadline; after it the case is marked overdue for good (the department's
  projects see it: selectors.unresolved_zombie_systems) and the department and the bureau are told.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
from notifications.services import notify
from systems_inventory.flows import ShutdownFlow
from systems_inventory.models import CASE_DEPARTMENT_STATES, DISPOSAL_STATES, CaseState
from systems_inventory.services.common import staff_of
from systems_inventory.services.shutdown import start_disposal
from systems_inventory.services.shutdown_common import complete, lock_case, open_task
from workflows import deadlines
from workflows.audit import record_event


@deadlines.action("systems_inventory.remind_case")
def remind_case(deadline) -> None:
    """Due soon: the system's department's staff as they are on the day."""
    case = deadline.subject
    if case.state in CASE_DEPARTMENT_STATES:
        notify(
            recipients=staff_of(case.system.department),
            event="deadline_reminder",
            subject=case,
            context={"deadline": deadline},
        )


@deadlines.action("systems_inventory.close_objection_window")
def close_objection_window(deadline) -> None:
    """The window closed with no objection: the data's disposal starts."""
    with transaction.atomic():
        case = lock_case(deadline.subject)
        if case.state != CaseState.PROPOSED:
            return  # objected or accepted meanwhile
        task = open_task(case, ShutdownFlow.reply)
        due = timezone.localtime(deadline.due_at)
        start_disposal(
            case,
            actor=None,
            action="systems_inventory.objection_window_closed",
            comment=f"异议期已于{due:%Y-%m-%d %H:%M}届满，未收到异议",
            said="异议期已届满，未收到异议。",
        )
        if task is not None:
            complete(task, actor=None, case=case)


@deadlines.action("systems_inventory.disposition_overdue")
def disposition_overdue(deadline) -> None:
    """Past the disposal deadline: overdue (counted for good), the department and the bureau told."""
    with transaction.atomic():
        case = lock_case(deadline.subject)
        if case.state not in DISPOSAL_STATES:
            return  # submitted meanwhile
        case.is_overdue = True
        case.save(update_fields=["is_overdue", "updated_at"])
        record_event(
            subject=case,
            action="systems_inventory.disposition_overdue",
            from_state=case.state,
            to_state=case.state,
            comment=f"{deadline.title}已于{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}到期，数据处置未完成",
        )
        notify(
            recipients=[*staff_of(case.system.department), *who.data_bureau()],
            event="deadline_escalated",
            subject=case,
            context={"deadline": deadline},
        )
