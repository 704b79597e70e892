"""Naming and cancelling a substitute: the organisation keeps who stands in for whom, the engine audits it."""

from django.db import transaction

from organizations.models import Substitution, User
from workflows.audit import record_event

ACTIONS = {  # labels (WorkflowsConfig.ready): substitutions, and the human tasks of every app's flows
    "substitution.created": "指定代理人",
    "substitution.cancelled": "撤销代理",
    "workflows.task_taken": "认领任务",
    "workflows.task_released": "退回任务池",
    "workflows.task_handed_over": "转交任务",
    "workflows.task_done_for": "代理办理",
}


@transaction.atomic
def substitution_create(*, actor: User, substitution: Substitution, ip: str | None = None) -> Substitution:
    """The actor names a substitute for their own absence."""
    substitution.principal = actor
    # full_clean reads the actor's other substitutions for an overlap: two forms posted at once take turns.
    User.objects.select_for_update().get(pk=actor.pk)
    substitution.full_clean()
    substitution.save()
    record_event(
        subject=actor,
        action="substitution.created",
        actor=actor,
        comment=f"{substitution.substitute} 代理 {substitution.starts_on}—{substitution.ends_on} {substitution.reason}",
        ip=ip,
    )
    return substitution


@transaction.atomic
def substitution_cancel(*, actor: User, obj: Substitution, ip: str | None = None) -> None:
    if obj.principal_id != actor.pk:
        raise PermissionError("只能撤销本人设置的代理。")
    record_event(
        subject=actor,
        action="substitution.cancelled",
        actor=actor,
        comment=f"{obj.substitute} 代理 {obj.starts_on}—{obj.ends_on}",
        ip=ip,
    )
    obj.delete()
