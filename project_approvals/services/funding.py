"""Finance's decisions (财政局): a project's budget (财政批复预算) and a system's annual O&M funding (运维经费).

Money is recorded only when the gate passes at that very moment: the gate is evaluated inside the decision's
transaction, with the project's (or the system's) row locked, and snapshotted; the decision keeps the snapshot and
issues a 资金闸口核验单 stating its hash. A blocked attempt is refused with the failing rules, and leaves its
snapshot and an audit event (committed, then refused). Two finance users deciding one project at once: the second
waits for the row, re-reads its state and is refused; one decision, one record number.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
from notifications.services import notify
from organizations.roles import Role
from project_approvals import gate, permissions, rules
from project_approvals.choices import FundingKind, GatePurpose
from project_approvals.flows import ConstructionProjectFlow
from project_approvals.messages import (
    MSG_AMOUNT_POSITIVE,
    MSG_AMOUNT_REQUIRED,
    MSG_BUDGET_LINE_REQUIRED,
    MSG_GATE_BLOCKED,
    MSG_NOT_FINANCE,
    MSG_OM_ALREADY,
    MSG_OM_YEAR_INVALID,
)
from project_approvals.models import ConstructionProject, FundingDecision, ProjectState
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
from project_approvals.services.records import issue_gate_sheet
from systems_inventory.models import InfoSystem
from workflows.audit import record_event


def parse_amount(value) -> Decimal:
    """万元, more than 0, within what the column holds; a clear error on the form's `amount` otherwise."""
    if value is None or str(value).strip() == "":
        raise ProjectError(MSG_AMOUNT_REQUIRED, {"amount": [MSG_AMOUNT_REQUIRED]})
    problem = rules.money_error(str(value).strip())
    if problem is None:
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:  # money_error said it is a number; kept for the type checker
            raise ProjectError(MSG_AMOUNT_REQUIRED, {"amount": [MSG_AMOUNT_REQUIRED]}) from None
        if amount > 0:
            return amount.quantize(Decimal("0.01"))
        problem = MSG_AMOUNT_POSITIVE
    raise ProjectError(problem, {"amount": [problem]})


def _check_decision(actor, budget_line: str, comment: str) -> None:
    if not permissions.may_fund(actor):
        raise ProjectError(MSG_NOT_FINANCE)
    if not budget_line:
        raise ProjectError(MSG_BUDGET_LINE_REQUIRED, {"budget_line": [MSG_BUDGET_LINE_REQUIRED]})
    check_text(FundingDecision, "budget_line", budget_line)
    check_text(FundingDecision, "comment", comment, field="comment")


def _blocked(actor, subject, evaluation, snapshot, action: str, what: str, ip: str | None) -> ProjectError:
    """The refusal, and its audit event (written in the decision's transaction, which then commits)."""
    failing = [r.code for r in evaluation.failing]
    record_event(
        subject=subject,
        action=action,
        actor=actor,
        ip=ip,
        comment=failing_text(evaluation),
        data={"evaluation": snapshot.pk, "sha256": snapshot.sha256, "failing": failing},
    )
    return ProjectError(MSG_GATE_BLOCKED.format(action=what, rules=failing_text(evaluation)), failing=failing)


def project_fund(
    *,
    actor,
    obj: ConstructionProject,
    amount,
    budget_line: str,
    comment: str = "",
    ip: str | None = None,
) -> FundingDecision:
    """财政批复预算 of an approved project, only while its gate passes."""
    budget_line, comment = (budget_line or "").strip(), (comment or "").strip()
    _check_decision(actor, budget_line, comment)
    amount = parse_amount(amount)
    blocked: ProjectError | None = None
    with transaction.atomic():
        project = lock_project(obj)
        if not rules.awaits_funding(project):
            raise wrong_state(project, "批复预算")
        task = task_to_work(actor, project, ConstructionProjectFlow.fund)
        evaluation = gate.evaluate_project(project)
        snapshot = gate.snapshot(evaluation, purpose=GatePurpose.FUNDING, actor=actor)
        if not evaluation.passed:
            blocked = _blocked(
                actor, project, evaluation, snapshot, "project_approvals.funding_blocked", "批复预算", ip
            )
        else:
            decision = FundingDecision(
                kind=FundingKind.PROJECT,
                project=project,
                year=project.year,
                amount=amount,
                budget_line=budget_line,
                comment=comment,
                evaluation=snapshot,
                decided_by=actor,
                decided_at=timezone.now(),
            )
            decision.record = issue_gate_sheet(decision, actor=actor)
            decision.save()
            project.fund()
            project.save(update_fields=["state", "updated_at"])
            record_event(
                subject=project,
                action="project_approvals.project_funded",
                actor=actor,
                from_state=ProjectState.APPROVED,
                to_state=project.state,
                comment=f"{amount}万元，{budget_line}",
                ip=ip,
                data={"decision": decision.pk, "evaluation": snapshot.pk, "sha256": snapshot.sha256},
            )
            complete(task, actor=actor, project=project, ip=ip)
            message = f"建设项目“{project.name}”已批复预算 {amount} 万元（{decision.record.number}）。"
            tell(department_staff(project), project, message, event="project_result")
            tell(who.by_role(Role.PROJECT_APPROVER), project, message + "建成后待验收。")
    if blocked is not None:
        raise blocked
    return decision


def om_years() -> tuple[int, int]:
    """The years O&M funding may be decided for: this one and the next two."""
    this_year = timezone.localdate().year
    return this_year, this_year + 2


def system_om_fund(
    *,
    actor,
    obj: InfoSystem,
    year: int,
    amount,
    budget_line: str,
    comment: str = "",
    ip: str | None = None,
) -> FundingDecision:
    """运维经费 of one system for one year, only while its O&M gate passes; once per system and year."""
    budget_line, comment = (budget_line or "").strip(), (comment or "").strip()
    _check_decision(actor, budget_line, comment)
    low, high = om_years()
    if not isinstance(year, int) or not low <= year <= high:
        message = MSG_OM_YEAR_INVALID.format(low=low, high=high)
        raise ProjectError(message, {"year": [message]})
    amount = parse_amount(amount)
    blocked: ProjectError | None = None
    with transaction.atomic():
        system = InfoSystem.objects.select_for_update(of=("self",)).select_related("department").get(pk=obj.pk)
        existing = FundingDecision.objects.filter(kind=FundingKind.OM, system=system, year=year).first()
        if existing is not None:
            message = MSG_OM_ALREADY.format(system=system.name, year=year, amount=existing.amount)
            raise ProjectError(message, stale=True)
        evaluation = gate.evaluate_system_om(system, year=year)
        snapshot = gate.snapshot(evaluation, purpose=GatePurpose.OM_FUNDING, actor=actor)
        if not evaluation.passed:
            what = f"安排{year}年运维经费"
            blocked = _blocked(actor, system, evaluation, snapshot, "project_approvals.om_funding_blocked", what, ip)
        else:
            decision = FundingDecision(
                kind=FundingKind.OM,
                system=system,
                year=year,
                amount=amount,
                budget_line=budget_line,
                comment=comment,
                evaluation=snapshot,
                decided_by=actor,
                decided_at=timezone.now(),
            )
            decision.record = issue_gate_sheet(decision, actor=actor)
            decision.save()
            record_event(
                subject=system,
                action="project_approvals.om_funded",
                actor=actor,
                comment=f"{year}年运维经费 {amount}万元，{budget_line}",
                ip=ip,
                data={"decision": decision.pk, "evaluation": snapshot.pk, "sha256": snapshot.sha256},
            )
            staff = [*who.by_role(Role.APPLICANT, system.department), *who.department_leaders(system.department)]
            notify(
                recipients=staff,
                event="project_result",
                subject=system,
                context={
                    "message": f"“{system.name}”{year}年运维经费已安排 {amount} 万元（{decision.record.number}）。",
                    "link": system.get_absolute_url(),
                },
            )
    if blocked is not None:
        raise blocked
    return decision
