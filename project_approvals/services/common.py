"""What every project service shares: the error, the row lock, the tasks, the notices and the gate's refusals."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from viewflow.workflow.models import Task

from notifications import recipients as who
from notifications.services import notify
from organizations.roles import Role
from project_approvals.flows import ConstructionProjectFlow
from project_approvals.messages import MSG_NOT_PERMITTED, MSG_TASK_NOT_YOURS, MSG_WRONG_STATE
from project_approvals.models import ConstructionProject
from workflows import flowtasks, textlimits


class ProjectError(Exception):
    """A project or funding action is refused. `errors` maps form fields to messages ("" = the whole form)."""

    def __init__(
        self,
        message: str,
        errors: dict[str, list[str]] | None = None,
        *,
        stale: bool = False,
        failing: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.stale = stale  # the page the user acted on is out of date (someone else acted first)
        self.failing = failing or []  # the gate's failing rules' codes, when the gate refused


def wrong_state(project: ConstructionProject, action: str) -> ProjectError:
    return ProjectError(MSG_WRONG_STATE.format(state=project.get_state_display(), action=action), stale=True)


def check_text(model, name: str, value: str | None, *, field: str = "") -> None:
    """Refuse a text longer than `model.name` holds (workflows.textlimits), as an error on the form's `field`."""
    if message := textlimits.too_long(model, name, value):
        raise ProjectError(message, {field or name: [message]})


def lock_project(project: ConstructionProject) -> ConstructionProject:
    """The project's row, locked until commit, with its department (read, not locked)."""
    return ConstructionProject.objects.select_for_update(of=("self",)).select_related("department").get(pk=project.pk)


def open_task(project: ConstructionProject, node=None) -> Task | None:
    return flowtasks.open_task(ConstructionProjectFlow, project, node)


def task_to_work(actor, project: ConstructionProject, node) -> Task:
    """`node`'s open task on the (locked) project, which `actor` may work: its owner, their substitute, or
    anyone who may take it while nobody has."""
    task = open_task(project, node)
    if task is None:
        raise wrong_state(project, node.task_title)
    if task.owner_id:
        if not node.can_execute(actor, task):
            raise ProjectError(MSG_TASK_NOT_YOURS.format(owner=task.owner))
    elif not node.can_assign(actor, task, subject=project):
        raise ProjectError(MSG_NOT_PERMITTED)
    return task


def complete(task: Task, *, actor, project: ConstructionProject, ip: str | None = None) -> None:
    """Finish the human task for `actor`; the flow routes on the state the caller has just set.

    A substitute finishing the absent owner's task is recorded as such, as for share applications.
    """
    flowtasks.complete_recorded(task, subject=project, actor=actor, ip=ip)


def project_link(project: ConstructionProject) -> str:
    return reverse("project_approvals:detail", args=[project.pk])


def department_staff(project: ConstructionProject) -> list:
    """Who answers for the project: the department's applicants and its leaders, as they are today."""
    return [*who.by_role(Role.APPLICANT, project.department), *who.department_leaders(project.department)]


def tell(recipients: Iterable, project: ConstructionProject, message: str, event: str = "project_task") -> None:
    notify(
        recipients=recipients,
        event=event,
        subject=project,
        context={"message": message, "link": project_link(project)},
    )


def failing_text(evaluation) -> str:
    """The failing rules in one line: "规则名：what to fix；…"."""
    return "；".join(f"{r.name}：{r.message}" for r in evaluation.failing)
