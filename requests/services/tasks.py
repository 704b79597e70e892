"""The provider's and the bureau's human tasks: who may work them, take, release, hand over, complete."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import transaction
from viewflow.workflow.models import Task

from notifications.services import notify
from organizations.roles import Role
from organizations.selectors import acts_with_role
from requests import rules
from requests.flows import ShareApplicationFlow
from requests.messages import MSG_NOT_PERMITTED, MSG_SELF_DECISION, MSG_TASK_NOT_YOURS
from requests.models import (
    ShareApplication,
)
from requests.selectors import open_task
from requests.services.common import lock_application
from requests.services.errors import ApplicationError, not_open
from workflows import flowtasks, taking


def check_may_work(actor, application: ShareApplication, node, *, deciding: bool = True) -> Task:
    """The actor may execute `node`'s open task now: owner, substitute, or anyone who may take it.

    Whoever decides (`deciding`) may not be of the applicant department (separation of duties).
    """
    if deciding and rules.is_own_application(actor, application):
        raise ApplicationError(MSG_SELF_DECISION)
    task = open_task(application, node)
    if task is None:
        raise not_open(application)
    if task.owner_id:
        if not node.can_execute(actor, task):
            raise ApplicationError(MSG_TASK_NOT_YOURS.format(owner=task.owner))
    elif not node.can_assign(actor, task, subject=application):
        raise ApplicationError(MSG_NOT_PERMITTED)
    return task


def complete_task(task: Task, actor, application: ShareApplication, ip: str | None = None) -> None:
    """Finish the human task for `actor` (None: the system, e.g. on escalation); the flow routes on.

    The caller holds `application` locked and read `task` after that, and has set the state the
    flow routes on.
    """
    flowtasks.complete_recorded(task, subject=application, actor=actor, ip=ip)


def task_take(*, actor, obj: Task, ip: str | None = None) -> Task:
    """认领: take an unassigned task of one's department."""
    with transaction.atomic():
        # One read: locked, and what the check needs (nothing is written before it).
        application = _lock_of_task(obj)
        if rules.is_own_application(actor, application):
            raise ApplicationError(MSG_SELF_DECISION)
        with _refusals(application):
            taking.take(obj, actor=actor, subject=application, ip=ip)
    return obj


def task_release(*, actor, obj: Task, ip: str | None = None) -> Task:
    """退回待认领: the owner (or their substitute) puts the task back in the queue."""
    with transaction.atomic():
        application = lock_application(_application_of(obj))
        with _refusals(application):
            taking.release(obj, actor=actor, subject=application, ip=ip)
    return obj


def task_handover(*, actor, obj: Task, to_user, ip: str | None = None) -> Task:
    """转交: the owner hands the task to a colleague who could have taken it."""
    with transaction.atomic():
        application = lock_application(_application_of(obj))
        with _refusals(application):
            taking.hand_over(obj, actor=actor, subject=application, to_user=to_user, ip=ip)
        notify(
            recipients=[to_user],
            event="share_application_task",
            subject=application,
            context={"message": f"{actor}将共享申请{application.reference}的审核任务转交给您。"},
        )
    return obj


@contextmanager
def _refusals(application: ShareApplication) -> Iterator[None]:
    """workflows.taking's refusals, said as the application's own error."""
    try:
        yield
    except taking.TaskRefused as exc:
        if exc.code == taking.CLOSED:
            raise not_open(application) from exc
        raise ApplicationError(exc.message, field=exc.field) from exc


def _application_of(task: Task) -> ShareApplication:
    return ShareApplication.objects.select_related("process").get(process__pk=task.process_id)


def _lock_of_task(task: Task) -> ShareApplication:
    """The task's application, locked like `lock_application` (found through its process): only what a task needs."""
    return (
        ShareApplication.objects.select_for_update(of=("self",))
        .only("pk", "applicant_id", "applicant_department_id", "provider_department_id", "state")
        .get(process__pk=task.process_id)
    )


def cancel_flow(application: ShareApplication) -> None:
    """The application's process and its open tasks are cancelled: nobody is left waiting on it."""
    flowtasks.cancel(ShareApplicationFlow, application)


def task_for_action(actor, application: ShareApplication) -> Task:
    """The open human task `actor` acts on from the application's page.

    Someone who could work such a task is told what is the matter (taken by a colleague, or the
    page is from an earlier step); anyone else is refused (PermissionDenied: 403).
    """
    task = open_task(application)
    if task is None or task.flow_task_type != "HUMAN":
        raise not_open(application)
    node = task.flow_task
    if node.can_execute(actor, task) or node.can_assign(actor, task, subject=application):
        return task
    if task.owner_id is not None and node.allows(actor, application) and actor.has_perm(task.owner_permission):
        raise ApplicationError(MSG_TASK_NOT_YOURS.format(owner=task.owner))  # not just "forbidden"
    if _works_on(actor, application):  # a page from an earlier step: say where it stands now
        raise not_open(application)
    raise PermissionDenied


def _works_on(user, application: ShareApplication) -> bool:
    """Whether `user` has some step of `application` to work: the provider's reviewers and leaders, the 政数局,
    and whoever stands in for one of them today."""
    if acts_with_role(user, Role.DATA_BUREAU):
        return True
    provider = user.department_id == application.provider_department_id
    return provider and acts_with_role(user, Role.PROVIDER_REVIEWER, Role.DEPT_LEADER)
