"""The approving authority's steps (project_approver, 市发改委 in the demo): 立项, refused until the data bureau's
first review has passed (the 初审意见 is its condition, seed 001), and 验收, which re-runs the gate: the project's
data must be registered and its new system in the register (国发〔2016〕51号), and its conditions met."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
from organizations.roles import Role
from project_approvals import gate, permissions, rules
from project_approvals.choices import GatePurpose
from project_approvals.flows import ConstructionProjectFlow
from project_approvals.messages import (
    MSG_ACCEPT_OPEN_CONDITIONS,
    MSG_APPROVAL_BEFORE_REVIEW,
    MSG_APPROVAL_NUMBER_REQUIRED,
    MSG_DATE_IN_FUTURE,
    MSG_DATE_REQUIRED,
    MSG_GATE_BLOCKED,
    MSG_NOT_AN_APPROVER,
)
from project_approvals.models import (
    REVIEW_PASSED_STATES,
    ConditionStatus,
    ConstructionProject,
    ProjectState,
)
from project_approvals.services.common import (
    ProjectError,
    check_text,
    complete,
    department_staff,
    failing_text,
    lock_project,
    task_to_work,
    tell,
    wrong_state,
)
from workflows.audit import record_event


def _check_date(value: dt.date | None, field: str) -> dt.date:
    if value is None:
        raise ProjectError(MSG_DATE_REQUIRED, {field: [MSG_DATE_REQUIRED]})
    if value > timezone.localdate():
        raise ProjectError(MSG_DATE_IN_FUTURE, {field: [MSG_DATE_IN_FUTURE]})
    return value


def project_approve(
    *,
    actor,
    obj: ConstructionProject,
    approval_number: str,
    approved_on: dt.date | None,
    ip: str | None = None,
) -> ConstructionProject:
    """立项: the approval's document number and date, once the first review has passed (with or without
    conditions). The gate is snapshotted with it: the approver sees, and the trail keeps, where it stood."""
    if not permissions.may_approve(actor):
        raise ProjectError(MSG_NOT_AN_APPROVER)
    approval_number = (approval_number or "").strip()
    if not approval_number:
        raise ProjectError(MSG_APPROVAL_NUMBER_REQUIRED, {"approval_number": [MSG_APPROVAL_NUMBER_REQUIRED]})
    check_text(ConstructionProject, "approval_number", approval_number)
    approved_on = _check_date(approved_on, "approved_on")
    with transaction.atomic():
        project = lock_project(obj)
        if project.state not in REVIEW_PASSED_STATES:
            message = MSG_APPROVAL_BEFORE_REVIEW.format(state=project.get_state_display())
            raise ProjectError(message, stale=project.state != obj.state)
        if not rules.awaits_approval(project):
            raise wrong_state(project, "登记立项")
        task = task_to_work(actor, project, ConstructionProjectFlow.approve)
        snapshot = gate.snapshot(gate.evaluate_project(project), purpose=GatePurpose.APPROVAL, actor=actor)
        project.approve()
        project.approval_number, project.approved_on, project.approved_by = approval_number, approved_on, actor
        project.save(update_fields=["state", "approval_number", "approved_on", "approved_by", "updated_at"])
        record_event(
            subject=project,
            action="project_approvals.project_approved",
            actor=actor,
            from_state=ProjectState.PASSED,
            to_state=project.state,
            comment=f"立项文号：{approval_number}",
            ip=ip,
            data={"approval_number": approval_number, "evaluation": snapshot.pk, "sha256": snapshot.sha256},
        )
        complete(task, actor=actor, project=project, ip=ip)
        tell(
            department_staff(project),
            project,
            f"建设项目“{project.name}”已立项（{approval_number}）。",
            event="project_result",
        )
        tell(
            who.by_role(Role.FINANCE),
            project,
            f"{project.department.name}建设项目“{project.name}”已立项（{approval_number}），待批复预算（须资金闸口通过）。",
        )
    return project


def project_accept(
    *,
    actor,
    obj: ConstructionProject,
    accepted_on: dt.date | None,
    comment: str = "",
    ip: str | None = None,
) -> ConstructionProject:
    """验收: the gate runs again and must pass; every condition of the first review must have been found met."""
    if not permissions.may_approve(actor):
        raise ProjectError(MSG_NOT_AN_APPROVER)
    comment = (comment or "").strip()
    check_text(ConstructionProject, "acceptance_comment", comment, field="comment")
    accepted_on = _check_date(accepted_on, "accepted_on")
    blocked: ProjectError | None = None
    with transaction.atomic():
        project = lock_project(obj)
        if not rules.awaits_acceptance(project):
            raise wrong_state(project, "登记验收")
        task = task_to_work(actor, project, ConstructionProjectFlow.accept)
        open_conditions = list(project.conditions.filter(status=ConditionStatus.OPEN).order_by("position"))
        if open_conditions:
            items = "、".join(f"“{c.text}”" for c in open_conditions)
            raise ProjectError(MSG_ACCEPT_OPEN_CONDITIONS.format(count=len(open_conditions), items=items))
        evaluation = gate.evaluate_project(project)
        snapshot = gate.snapshot(evaluation, purpose=GatePurpose.ACCEPTANCE, actor=actor)
        data = {"evaluation": snapshot.pk, "sha256": snapshot.sha256}
        if not evaluation.passed:
            failing = [r.code for r in evaluation.failing]
            blocked = ProjectError(
                MSG_GATE_BLOCKED.format(action="登记验收", rules=failing_text(evaluation)), failing=failing
            )
            record_event(
                subject=project,
                action="project_approvals.acceptance_blocked",
                actor=actor,
                ip=ip,
                comment=failing_text(evaluation),
                data={**data, "failing": failing},
            )
        else:
            project.accept()
            project.accepted_on, project.accepted_by, project.acceptance_comment = accepted_on, actor, comment
            project.save(update_fields=["state", "accepted_on", "accepted_by", "acceptance_comment", "updated_at"])
            record_event(
                subject=project,
                action="project_approvals.project_accepted",
                actor=actor,
                from_state=ProjectState.BUDGETED,
                to_state=project.state,
                comment=comment,
                ip=ip,
                data=data,
            )
            complete(task, actor=actor, project=project, ip=ip)
            tell(department_staff(project), project, f"建设项目“{project.name}”已通过验收。", event="project_result")
    if blocked is not None:
        raise blocked
    return project
