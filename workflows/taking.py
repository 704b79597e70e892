"""Taking, releasing and handing over a subject's human task (认领, 退回待认领, 转交), for every flow.

A queue's task is NEW until someone who may work it takes it; its owner (or their substitute) may put it back
or hand it to a colleague who could have taken it. Each app's service locks the subject's row first (the flow's
lock, see workflows.flowtasks), checks its own rules (e.g. nobody decides their own department's case), then
calls one of these, which check the task, move it through viewflow's activation and write the audit event, in
the caller's transaction. A refusal is a `TaskRefused`, which the app says as its own domain error; notices
(a handed-over task's new owner) are the app's to send: notifications sit above this layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.models import User
from organizations.permissions import ROLE_PERMISSIONS
from workflows import flowtasks
from workflows.audit import record_event

MSG_ALREADY_YOURS = "您已认领该任务，可直接办理。"
MSG_TASK_TAKEN = "该任务已由{owner}认领，请先由其退回或转交。"
MSG_TASK_FORBIDDEN = "您无权认领或转交该任务。"
MSG_HANDOVER_TARGET_INVALID = "只能转交给可以办理该任务的同事。"

CLOSED = "closed"  # the task is no longer open: the app says where its subject stands now


class TaskRefused(Exception):
    """Taking, releasing or handing over is refused. `code` is CLOSED when the page the user acted on is stale."""

    def __init__(self, message: str, *, code: str = "", field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def take(task: Task, *, actor, subject, ip: str | None = None, audited=None) -> None:
    """认领: `actor` takes the NEW task on `subject` (held locked by the caller), as the flow's node allows.

    The audit event is on `audited` when given (the page whose 办理记录 shows it), else on `subject`.
    """
    with flowtasks.activated(task) as activation:
        if task.status == STATUS.ASSIGNED and task.owner_id == actor.pk:
            raise TaskRefused(MSG_ALREADY_YOURS)
        if task.status == STATUS.ASSIGNED:
            raise TaskRefused(MSG_TASK_TAKEN.format(owner=task.owner))
        if task.status != STATUS.NEW:
            raise TaskRefused("", code=CLOSED)
        if not task.flow_task.can_assign(actor, task, subject=subject):
            raise TaskRefused(MSG_TASK_FORBIDDEN)
        activation.assign(actor)
    _record(task, "workflows.task_taken", audited or subject, actor, ip)


def release(task: Task, *, actor, subject, ip: str | None = None, audited=None) -> None:
    """退回待认领: the owner (or their substitute) puts the task back in its queue."""
    with flowtasks.activated(task) as activation:
        _check_owner(task, actor)
        activation.unassign()
    _record(task, "workflows.task_released", audited or subject, actor, ip)


def hand_over(task: Task, *, actor, subject, to_user, ip: str | None = None, audited=None) -> None:
    """转交: the owner (or their substitute) gives the task to someone who could have taken it."""
    with flowtasks.activated(task) as activation:
        _check_owner(task, actor)
        if to_user.pk == task.owner_id or not could_take(to_user, task, subject):
            raise TaskRefused(MSG_HANDOVER_TARGET_INVALID, field="to_user")
        activation.reassign(to_user)
    _record(task, "workflows.task_handed_over", audited or subject, actor, ip, to_user)


def could_take(user, task: Task, subject) -> bool:
    """Whether `user` could take `task` were it in the queue: active, with its permission, and as its node allows."""
    permission = task.owner_permission
    return user.is_active and (not permission or user.has_perm(permission)) and task.flow_task.allows(user, subject)


def candidates(task: Task, subject, among: QuerySet[User] | None = None) -> QuerySet[User]:
    """Whom the owner may hand `task` to: those (of `among`, when given) who could take it, the owner excepted."""
    users = User.objects.filter(is_active=True).exclude(pk=task.owner_id)
    if task.owner_permission:  # the roles that carry the task's permission (organizations.permissions)
        roles = [role for role, names in ROLE_PERMISSIONS.items() if task.owner_permission in names]
        users = users.filter(groups__name__in=roles).distinct()
    if among is not None:
        users = users.filter(pk__in=among.values("pk"))
    return User.objects.filter(pk__in=[user.pk for user in users if could_take(user, task, subject)]).order_by("pk")


@dataclass(frozen=True)
class Claim:
    """What a user may do with a subject's open task from its page (the services check the same)."""

    take: bool = False  # nobody holds it and the user may work it
    mine: bool = False  # the user holds it, or stands in for who does: release, hand over
    handover_to: QuerySet[User] | None = None  # whom it may be handed to (None: nobody, so no form)


def claim_actions(user, task: Task | None, subject) -> Claim:
    if task is None or task.flow_task_type != "HUMAN" or not user.is_authenticated:
        return Claim()
    node = task.flow_task
    if task.owner_id is None:
        return Claim(take=node.can_assign(user, task, subject=subject))
    if not node.can_execute(user, task):
        return Claim()
    colleagues = candidates(task, subject)
    return Claim(mine=True, handover_to=colleagues if colleagues.exists() else None)


def _record(task: Task, action: str, subject, actor, ip: str | None, to_user=None) -> None:
    title = task.flow_task.task_title
    data = {"task": task.pk, "node": task.flow_task.name}
    if to_user is not None:
        data["to_user"] = to_user.pk
    comment = f"{title} → {to_user}" if to_user is not None else title
    record_event(subject=subject, action=action, actor=actor, ip=ip, comment=comment, data=data)


def _check_owner(task: Task, actor) -> None:
    if task.status != STATUS.ASSIGNED:
        raise TaskRefused("", code=CLOSED)
    if not task.flow_task.can_execute(actor, task):
        raise TaskRefused(MSG_TASK_FORBIDDEN)
