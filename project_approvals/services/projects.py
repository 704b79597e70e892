"""The department's side of a project: fill it in (with its materials), send it to the leader, and the leader's
confirmation (部门负责人确认), which starts the data bureau's first-review clock, or refusal.

Every write locks the project's row first. A project is checked by project_approvals.rules when saved and again
when sent: a resource withdrawn or a system retired in between is caught before the leader sees it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
from project_approvals import permissions, rules
from project_approvals.flows import ConstructionProjectFlow
from project_approvals.messages import (
    MSG_ATTACHMENT_BAD_TYPE,
    MSG_ATTACHMENT_TOO_LARGE,
    MSG_NOT_A_LEADER,
    MSG_NOT_AN_EDITOR,
    MSG_PROJECT_INVALID,
    MSG_SEND_BACK_NEEDS_COMMENT,
)
from project_approvals.models import ConstructionProject, ProjectAttachment, ProjectState
from project_approvals.services.common import (
    ProjectError,
    check_text,
    complete,
    department_staff,
    lock_project,
    task_to_work,
    tell,
    wrong_state,
)
from requests.services.validation import sniff_content_type
from workflows import deadlines, flowtasks
from workflows.audit import record_event

REVIEW_DEADLINE = "project_first_review"
# What the department fills in (the lists are passed apart: systems, produced and consumed resources).
PROJECT_FIELDS = (
    "name",
    "project_type",
    "year",
    "description",
    "construction_budget",
    "annual_om_budget",
    "new_system_name",
    "new_system_category",
    "sharing_plan",
    "deployment",
    "is_classified",
    "not_on_cloud_reason",
)
TEXT_FIELDS = ("name", "description", "new_system_name", "sharing_plan", "not_on_cloud_reason")


def _check_editor(actor, project: ConstructionProject | None = None) -> None:
    allowed = permissions.may_edit(actor, project) if project is not None else permissions.may_create(actor)
    if not allowed:
        raise ProjectError(MSG_NOT_AN_EDITOR)


def _validate(project: ConstructionProject, systems: list, produced: list, consumed: list) -> None:
    for name in TEXT_FIELDS:
        check_text(ConstructionProject, name, getattr(project, name))
    errors = rules.check_project(project, systems=systems, produced=produced, consumed=consumed)
    if errors:
        raise ProjectError(MSG_PROJECT_INVALID, errors)


def _assign(project: ConstructionProject, data: dict[str, Any]) -> list[str]:
    """Set the fields `data` names; the names whose values changed."""
    changed = []
    for name in PROJECT_FIELDS:
        if name in data:
            value = data[name].strip() if isinstance(data[name], str) else data[name]
            if getattr(project, name) != value:
                changed.append(name)
            setattr(project, name, value)
    return changed


def _set_lists(project: ConstructionProject, systems: list, produced: list, consumed: list) -> None:
    project.systems.set(systems)
    project.produced_resources.set(produced)
    project.consumed_resources.set(consumed)


def project_create(
    *,
    actor,
    data: dict[str, Any],
    systems: Iterable = (),
    produced: Iterable = (),
    consumed: Iterable = (),
    ip: str | None = None,
) -> ConstructionProject:
    """填报建设项目: a draft of the actor's department, its task (部门填报) open until it is sent."""
    _check_editor(actor)
    systems, produced, consumed = list(systems), list(produced), list(consumed)
    project = ConstructionProject(department=actor.department, created_by=actor)
    _assign(project, data)
    _validate(project, systems, produced, consumed)
    with transaction.atomic():
        project.save()
        _set_lists(project, systems, produced, consumed)
        record_event(
            subject=project, action="project_approvals.project_created", actor=actor, to_state=project.state, ip=ip
        )
        flowtasks.start(ConstructionProjectFlow, project)
    return project


def project_update(
    *,
    actor,
    obj: ConstructionProject,
    data: dict[str, Any],
    systems: Iterable = (),
    produced: Iterable = (),
    consumed: Iterable = (),
    ip: str | None = None,
) -> ConstructionProject:
    """The department corrects its draft, or the project the bureau returned."""
    _check_editor(actor, obj)
    systems, produced, consumed = list(systems), list(produced), list(consumed)
    with transaction.atomic():
        project = lock_project(obj)
        if not rules.is_editable(project):
            raise wrong_state(project, "修改")
        changed = _assign(project, data)
        _validate(project, systems, produced, consumed)
        project.save()
        _set_lists(project, systems, produced, consumed)
        record_event(
            subject=project,
            action="project_approvals.project_updated",
            actor=actor,
            ip=ip,
            data={"changed": changed},
        )
    return project


def attachment_add(
    *, actor, obj: ConstructionProject, upload: UploadedFile, kind: str, ip: str | None = None
) -> ProjectAttachment:
    """A feasibility study or other material, while the department may edit the project."""
    _check_editor(actor, obj)
    limit = settings.PROJECT_ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        message = MSG_ATTACHMENT_TOO_LARGE.format(name=upload.name, limit=f"{limit // 1024 // 1024} MB")
        raise ProjectError(message, {"file": [message]})
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    if content_type is None:
        message = MSG_ATTACHMENT_BAD_TYPE.format(name=upload.name)
        raise ProjectError(message, {"file": [message]})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        project = lock_project(obj)
        if not rules.is_editable(project):
            raise wrong_state(project, "上传材料")
        attachment = ProjectAttachment.objects.create(
            project=project,
            kind=kind,
            file=upload,
            original_name=(upload.name or "附件")[:200],
            content_type=content_type,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        record_event(
            subject=project,
            action="project_approvals.attachment_added",
            actor=actor,
            ip=ip,
            comment=f"{attachment.get_kind_display()}：{attachment.original_name}",
            data={"attachment": attachment.pk, "sha256": attachment.sha256},
        )
    return attachment


def attachment_remove(*, actor, obj: ProjectAttachment, ip: str | None = None) -> None:
    """A material the bureau has not seen yet (the project is still being edited)."""
    _check_editor(actor, obj.project)
    with transaction.atomic():
        project = lock_project(obj.project)
        if not rules.is_editable(project):
            raise wrong_state(project, "删除材料")
        record_event(
            subject=project,
            action="project_approvals.attachment_removed",
            actor=actor,
            ip=ip,
            comment=f"{obj.get_kind_display()}：{obj.original_name}",
            data={"attachment": obj.pk, "sha256": obj.sha256},
        )
        obj.delete()


def project_submit(*, actor, obj: ConstructionProject, ip: str | None = None) -> ConstructionProject:
    """提交部门负责人确认: checked again as it stands, then to the leader."""
    _check_editor(actor, obj)
    with transaction.atomic():
        project = lock_project(obj)
        if not rules.is_editable(project):
            raise wrong_state(project, "提交")
        task = task_to_work(actor, project, ConstructionProjectFlow.edit)
        _validate(
            project,
            list(project.systems.all()),
            list(project.produced_resources.select_related("provider_department")),
            list(project.consumed_resources.all()),
        )
        from_state = project.state
        project.submit()
        project.submitted_at = timezone.now()
        project.save(update_fields=["state", "submitted_at", "updated_at"])
        record_event(
            subject=project,
            action="project_approvals.project_submitted",
            actor=actor,
            from_state=from_state,
            to_state=project.state,
            ip=ip,
        )
        complete(task, actor=actor, project=project, ip=ip)
        tell(
            who.department_leaders(project.department),
            project,
            f"本部门的建设项目“{project.name}”（{project.reference}）待您确认后报送政数局初审。",
        )
    return project


def _leader_step(actor, obj: ConstructionProject, comment: str) -> tuple[ConstructionProject, Any]:
    if not permissions.may_confirm(actor, obj):
        raise ProjectError(MSG_NOT_A_LEADER)
    check_text(ConstructionProject, "leader_comment", comment, field="comment")
    project = lock_project(obj)
    if not rules.awaits_leader(project):
        raise wrong_state(project, "确认")
    return project, task_to_work(actor, project, ConstructionProjectFlow.confirm)


def project_send_back(*, actor, obj: ConstructionProject, comment: str, ip: str | None = None) -> ConstructionProject:
    """The leader does not confirm: back to the staff, with what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise ProjectError(MSG_SEND_BACK_NEEDS_COMMENT, {"comment": [MSG_SEND_BACK_NEEDS_COMMENT]})
    with transaction.atomic():
        project, task = _leader_step(actor, obj, comment)
        project.send_back()
        project.leader_comment = comment
        project.save(update_fields=["state", "leader_comment", "updated_at"])
        record_event(
            subject=project,
            action="project_approvals.project_sent_back",
            actor=actor,
            from_state=ProjectState.SUBMITTED,
            to_state=project.state,
            comment=comment,
            ip=ip,
        )
        complete(task, actor=actor, project=project, ip=ip)
        tell(department_staff(project), project, f"建设项目“{project.name}”未获负责人确认，意见：{comment}")
    return project


def project_confirm(
    *, actor, obj: ConstructionProject, comment: str = "", ip: str | None = None
) -> ConstructionProject:
    """部门负责人确认: to the data bureau, whose first review is due in PROJECT_REVIEW_WORKDAYS working days."""
    comment = (comment or "").strip()
    with transaction.atomic():
        project, task = _leader_step(actor, obj, comment)
        now = timezone.now()
        project.confirm()
        project.confirmed_at, project.confirmed_by, project.leader_comment = now, actor, comment
        bureau = list(who.data_bureau())
        deadline = deadlines.register(
            subject=project,
            kind=REVIEW_DEADLINE,
            title="建设项目初审期限",
            start=now,
            workdays=settings.PROJECT_REVIEW_WORKDAYS,
            remind_before=deadlines.remind_lead(2, settings.PROJECT_REVIEW_WORKDAYS),
            recipients=bureau,
            on_expiry="project_approvals.review_overdue",
        )
        project.review_due_at = deadline.due_at
        fields = ["state", "confirmed_at", "confirmed_by", "leader_comment", "review_due_at", "updated_at"]
        project.save(update_fields=fields)
        record_event(
            subject=project,
            action="project_approvals.project_confirmed",
            actor=actor,
            from_state=ProjectState.SUBMITTED,
            to_state=project.state,
            comment=comment,
            ip=ip,
        )
        complete(task, actor=actor, project=project, ip=ip)
        due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d")
        tell(
            bureau,
            project,
            f"{project.department.name}报送建设项目“{project.name}”（{project.reference}），请于{due}前完成初审。",
        )
    return project
