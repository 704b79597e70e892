"""What every self-check service shares: the error, the row locks, the report's clock, its tasks and notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from viewflow.workflow.models import Task

from notifications import recipients as who
from notifications.services import notify
from organizations.roles import Role
from systems_inventory.flows import DepartmentReportFlow
from systems_inventory.messages import MSG_NOT_PERMITTED, MSG_TASK_NOT_YOURS, MSG_WRONG_STATE
from systems_inventory.models import Campaign, DepartmentReport
from workflows import deadlines, flowtasks, textlimits

DEADLINE_KIND = "self_check_report"


class SelfCheckError(Exception):
    """A self-check action is refused. `errors` maps form fields to messages ("" = the whole form)."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, *, stale: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.stale = stale  # the page the user acted on is out of date (someone else acted first)


def wrong_state(report: DepartmentReport, action: str) -> SelfCheckError:
    return SelfCheckError(MSG_WRONG_STATE.format(state=report.get_state_display(), action=action), stale=True)


def check_text(model, name: str, value: str | None, *, field: str = "") -> None:
    """Refuse a text longer than `model.name` holds (workflows.textlimits), as an error on the form's `field`."""
    if message := textlimits.too_long(model, name, value):
        raise SelfCheckError(message, {field or name: [message]})


def lock_report(report: DepartmentReport) -> DepartmentReport:
    """The report's row, locked until commit, with its campaign and department (read, not locked)."""
    return (
        DepartmentReport.objects.select_for_update(of=("self",))
        .select_related("campaign", "department")
        .get(pk=report.pk)
    )


def lock_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def open_task(report: DepartmentReport, node=None) -> Task | None:
    return flowtasks.open_task(DepartmentReportFlow, report, node)


def task_to_work(actor, report: DepartmentReport, node) -> Task:
    """`node`'s open task on the (locked) report, which `actor` may work: its owner, their substitute, or
    anyone who may take it while nobody has."""
    task = open_task(report, node)
    if task is None:
        raise wrong_state(report, node.task_title)
    if task.owner_id:
        if not node.can_execute(actor, task):
            raise SelfCheckError(MSG_TASK_NOT_YOURS.format(owner=task.owner))
    elif not node.can_assign(actor, task, subject=report):
        raise SelfCheckError(MSG_NOT_PERMITTED)
    return task


def start_clock(report: DepartmentReport, *, start: dt.datetime, workdays: int, replace: bool = True) -> None:
    """The department's time to report runs from `start`: a reminder before, its lateness marked after."""
    deadline = deadlines.register(
        subject=report,
        kind=DEADLINE_KIND,
        title="自查报告报送期限",
        start=start,
        workdays=workdays,
        remind_before=deadlines.remind_lead(settings.SELF_CHECK_REMIND_BEFORE_WORKDAYS, workdays),
        on_remind="systems_inventory.remind_department",
        on_expiry="systems_inventory.mark_late",
        replace=replace,
    )
    report.due_at = deadline.due_at


def report_link(report: DepartmentReport) -> str:
    return reverse("systems_inventory:report_detail", args=[report.pk])


def staff_of(department) -> list:
    """Who answers for a department's report or systems: its applicants and its leaders, as they are today."""
    return [*who.by_role(Role.APPLICANT, department), *who.department_leaders(department)]


def department_staff(report: DepartmentReport) -> list:
    return staff_of(report.department)


def tell(recipients: Iterable, report: DepartmentReport, message: str, event: str = "self_check_task") -> None:
    notify(
        recipients=recipients,
        event=event,
        subject=report,
        context={"message": message, "link": report_link(report)},
    )


def complete(task: Task, *, actor, report: DepartmentReport, ip: str | None = None) -> None:
    """Finish the human task for `actor`; the flow routes on the state the caller has just set.

    A substitute finishing the absent owner's task is recorded as such, as for share applications.
    """
    flowtasks.complete_recorded(task, subject=report, actor=actor, ip=ip)
