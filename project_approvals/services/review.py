"""The data bureau's first review (初审): pass, pass with conditions, return for correction or not pass. Each runs the
gate, keeps its snapshot and issues a 初审意见书 stating the gate rule by rule.

A pass without conditions needs the gate to pass at that moment; a conditional pass lists what the department
must still do, each with its due date (tracked: one still open past its date fails the department's gate).
Concurrency: a decision locks the project's row first and re-reads its state, so of two reviewers deciding at
once the second is refused as stale: one decision, one record number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
from organizations.roles import Role
from project_approvals import gate, permissions, rules
from project_approvals.choices import GatePurpose, ReviewOutcome
from project_approvals.flows import ConstructionProjectFlow
from project_approvals.messages import (
    MSG_CONDITION_DUE_INVALID,
    MSG_CONDITION_DUE_PAST,
    MSG_CONDITION_NEEDS_DUE,
    MSG_CONDITION_NEEDS_TEXT,
    MSG_CONDITION_WRONG_STATE,
    MSG_CONDITIONS_REQUIRED,
    MSG_NOT_A_REVIEWER,
    MSG_NOT_PASSED_NEEDS_COMMENT,
    MSG_PASS_BLOCKED,
    MSG_RETURN_NEEDS_COMMENT,
    MSG_SELF_REVIEW,
)
from project_approvals.models import (
    ConditionStatus,
    ConstructionProject,
    FirstReview,
    ProjectState,
    ReviewCondition,
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
from project_approvals.services.projects import REVIEW_DEADLINE
from project_approvals.services.records import issue_first_review
from workflows import deadlines, textlimits
from workflows.audit import record_event

# (text, due date) as the form gives them: the date may still be text to parse.
ConditionInput = tuple[str, Any]
OUTCOME_ACTIONS = {
    ReviewOutcome.PASSED: "project_approvals.review_passed",
    ReviewOutcome.CONDITIONAL: "project_approvals.review_passed_with_conditions",
    ReviewOutcome.NOT_PASSED: "project_approvals.review_not_passed",
    ReviewOutcome.RETURNED: "project_approvals.review_returned",
}


def parse_conditions(conditions: Iterable[ConditionInput]) -> list[tuple[str, dt.date]]:
    """The conditions as (text, date), every one with its text and a due date after today; blank rows dropped."""
    parsed, errors = [], []
    today = timezone.localdate()
    rows = [(str(text or "").strip(), due) for text, due in conditions]
    rows = [(text, due) for text, due in rows if text or (due not in (None, ""))]
    for n, (text, due) in enumerate(rows, start=1):
        if not text:
            errors.append(MSG_CONDITION_NEEDS_TEXT.format(n=n))
            continue
        if due in (None, ""):
            errors.append(MSG_CONDITION_NEEDS_DUE.format(n=n, text=text))
            continue
        if not isinstance(due, dt.date):
            try:
                due = dt.date.fromisoformat(str(due).strip())
            except ValueError:
                errors.append(MSG_CONDITION_DUE_INVALID.format(n=n, due=due))
                continue
        if due <= today:
            errors.append(MSG_CONDITION_DUE_PAST.format(n=n, due=due.isoformat()))
            continue
        if message := _too_long(text):
            errors.append(f"第 {n} 项条件：{message}")
            continue
        parsed.append((text, due))
    if errors:
        raise ProjectError(errors[0], {"conditions": errors})
    return parsed


def _too_long(text: str) -> str | None:
    return textlimits.too_long(ReviewCondition, "text", text)


def _decision_step(actor, obj: ConstructionProject, comment: str):
    """The checks every decision makes: the reviewer, separation of duties, the text; then the locked project,
    still in review, and its review task."""
    if not permissions.may_review(actor):
        raise ProjectError(MSG_NOT_A_REVIEWER)
    if rules.is_own_project(actor, obj):
        raise ProjectError(MSG_SELF_REVIEW)
    check_text(FirstReview, "comment", comment, field="comment")
    project = lock_project(obj)
    if not rules.awaits_review(project):
        raise wrong_state(project, "初审")
    return project, task_to_work(actor, project, ConstructionProjectFlow.review)


def _decide(
    actor,
    obj: ConstructionProject,
    outcome: str,
    comment: str,
    conditions: list[tuple[str, dt.date]],
    ip: str | None,
) -> FirstReview:
    blocked: ProjectError | None = None
    with transaction.atomic():
        project, task = _decision_step(actor, obj, comment)
        evaluation = gate.evaluate_project(project)
        snapshot = gate.snapshot(evaluation, purpose=GatePurpose.FIRST_REVIEW, actor=actor)
        if outcome == ReviewOutcome.PASSED and not evaluation.passed:
            names = "、".join(r.name for r in evaluation.failing)
            blocked = ProjectError(
                MSG_PASS_BLOCKED.format(count=len(evaluation.failing), rules=names),
                failing=[r.code for r in evaluation.failing],
            )
            record_event(
                subject=project,
                action="project_approvals.review_pass_blocked",
                actor=actor,
                ip=ip,
                comment=failing_text(evaluation),
                data={"evaluation": snapshot.pk, "sha256": snapshot.sha256, "failing": blocked.failing},
            )
        else:
            review = _record(actor, project, task, outcome, comment, conditions, snapshot, ip)
    if blocked is not None:
        raise blocked
    return review


def _record(actor, project, task, outcome, comment, conditions, snapshot, ip) -> FirstReview:
    """Write the decision: the project's new state, the review and its conditions, the event, the record."""
    now = timezone.now()
    from_state = project.state
    {
        ReviewOutcome.PASSED: project.pass_review,
        ReviewOutcome.CONDITIONAL: project.pass_review,
        ReviewOutcome.NOT_PASSED: project.fail_review,
        ReviewOutcome.RETURNED: project.return_for_correction,
    }[outcome]()
    project.save(update_fields=["state", "updated_at"])
    review = FirstReview.objects.create(
        project=project, outcome=outcome, comment=comment, evaluation=snapshot, decided_by=actor, decided_at=now
    )
    ReviewCondition.objects.bulk_create(
        ReviewCondition(review=review, project=project, text=text, due_on=due, position=n)
        for n, (text, due) in enumerate(conditions, start=1)
    )
    deadlines.complete_for(project, kind=REVIEW_DEADLINE)
    record_event(
        subject=project,
        action=OUTCOME_ACTIONS[outcome],
        actor=actor,
        from_state=from_state,
        to_state=project.state,
        comment=comment,
        ip=ip,
        data={"review": review.pk, "evaluation": snapshot.pk, "sha256": snapshot.sha256},
    )
    complete(task, actor=actor, project=project, ip=ip)
    review.record = issue_first_review(review, actor=actor)
    review.save(update_fields=["record"])
    _tell(project, review)
    return review


def _tell(project: ConstructionProject, review: FirstReview) -> None:
    outcome = review.get_outcome_display()
    number = review.record.number if review.record else ""
    tell(
        department_staff(project),
        project,
        f"建设项目“{project.name}”初审结论：{outcome}（{number}）。{review.comment}",
        event="project_result",
    )
    if project.state == ProjectState.PASSED:
        tell(
            who.by_role(Role.PROJECT_APPROVER),
            project,
            f"{project.department.name}建设项目“{project.name}”已通过政数局初审（{number}），待登记立项。",
        )


def review_pass(
    *,
    actor,
    obj: ConstructionProject,
    comment: str = "",
    conditions: Iterable[ConditionInput] = (),
    ip: str | None = None,
) -> FirstReview:
    """初审通过; with conditions, 附条件通过 (each condition with its due date). Without conditions the gate must
    pass now: otherwise refused, naming the failing rules (and the refusal is on the audit trail)."""
    comment = (comment or "").strip()
    parsed = parse_conditions(conditions)
    outcome = ReviewOutcome.CONDITIONAL if parsed else ReviewOutcome.PASSED
    return _decide(actor, obj, outcome, comment, parsed, ip)


def review_pass_with_conditions(
    *,
    actor,
    obj: ConstructionProject,
    conditions: Iterable[ConditionInput],
    comment: str = "",
    ip: str | None = None,
) -> FirstReview:
    """附条件通过: at least one condition, each with a due date."""
    parsed = parse_conditions(conditions)
    if not parsed:
        raise ProjectError(MSG_CONDITIONS_REQUIRED, {"conditions": [MSG_CONDITIONS_REQUIRED]})
    return _decide(actor, obj, ReviewOutcome.CONDITIONAL, (comment or "").strip(), parsed, ip)


def review_return(*, actor, obj: ConstructionProject, comment: str, ip: str | None = None) -> FirstReview:
    """退回修改: the department corrects the project and sends it again through its leader."""
    comment = (comment or "").strip()
    if not comment:
        raise ProjectError(MSG_RETURN_NEEDS_COMMENT, {"comment": [MSG_RETURN_NEEDS_COMMENT]})
    return _decide(actor, obj, ReviewOutcome.RETURNED, comment, [], ip)


def review_not_pass(*, actor, obj: ConstructionProject, comment: str, ip: str | None = None) -> FirstReview:
    """不通过: the project ends here."""
    comment = (comment or "").strip()
    if not comment:
        raise ProjectError(MSG_NOT_PASSED_NEEDS_COMMENT, {"comment": [MSG_NOT_PASSED_NEEDS_COMMENT]})
    return _decide(actor, obj, ReviewOutcome.NOT_PASSED, comment, [], ip)


def condition_meet(*, actor, obj: ReviewCondition, comment: str = "", ip: str | None = None) -> ReviewCondition:
    """The bureau finds a condition met (落实): it no longer counts against the department's gate."""
    comment = (comment or "").strip()
    if not permissions.may_review(actor):
        raise ProjectError(MSG_NOT_A_REVIEWER)
    if rules.is_own_project(actor, obj.project):
        raise ProjectError(MSG_SELF_REVIEW)
    check_text(ReviewCondition, "met_comment", comment, field="comment")
    with transaction.atomic():
        project = lock_project(obj.project)
        condition = ReviewCondition.objects.select_for_update().get(pk=obj.pk)
        if condition.status != ConditionStatus.OPEN:
            raise ProjectError(MSG_CONDITION_WRONG_STATE, stale=True)
        condition.status = ConditionStatus.MET
        condition.met_at, condition.met_by, condition.met_comment = timezone.now(), actor, comment
        condition.save(update_fields=["status", "met_at", "met_by", "met_comment"])
        record_event(
            subject=project,
            action="project_approvals.condition_met",
            actor=actor,
            ip=ip,
            comment=f"{condition.text}：{comment}" if comment else condition.text,
            data={"condition": condition.pk},
        )
        tell(
            department_staff(project),
            project,
            f"建设项目“{project.name}”的初审附条件“{condition.text}”已确认落实。",
            event="project_result",
        )
    return condition


@deadlines.action("project_approvals.review_overdue")
def review_overdue(deadline) -> None:
    """The first review is past its working days: on the trail, and the bureau is told."""
    project = deadline.subject
    with transaction.atomic():
        project = lock_project(project)
        if not rules.awaits_review(project):
            return  # decided meanwhile
        record_event(subject=project, action="project_approvals.review_overdue", actor=None)
        tell(
            who.data_bureau(),
            project,
            f"{project.department.name}建设项目“{project.name}”（{project.reference}）初审已超过期限，请尽快办理。",
        )
