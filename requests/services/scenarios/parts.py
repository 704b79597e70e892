"""Each provider's answer for its part of a scenario, under the share application's rules; overdue, the bureau's.

A part is checked as an application for its items over the scenario's validity (requests.services.validation):
unconditional data is confirmed in full (共享为原则), not-shared data cannot be confirmed, what is withheld
is withheld with reasons, and a refusal states its reason code and text, citing a statute and article where the
data is not shared or the reason says so. When the last provider has answered, the bureau's authorization task
opens.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task

from catalog.choices import ShareClass
from catalog.models import DataItem, LegalBasis
from notifications import recipients as who
from notifications.services import notify
from requests import rules
from requests.flows import ScenarioFlow, ScenarioPartFlow
from requests.messages import MSG_PART_ITEMS_REQUIRED, MSG_UNCONDITIONAL_NOT_REFUSABLE
from requests.models import (
    Decision,
    DecisionOutcome,
    PartState,
    RefusalReason,
    Scenario,
    ScenarioPart,
    ScenarioState,
)
from requests.services.scenarios.common import (
    ScenarioError,
    as_scenario_error,
    lock_part,
    lock_scenario,
    part_not_open,
    part_reviewers,
    part_task,
    stop_part_clock,
    tell,
)
from requests.services.validation import GrantTerms, refusal_citation, validate_grant_terms, validate_refusal
from workflows import deadlines, flowtasks, textlimits
from workflows.audit import record_event


def _locked(part: ScenarioPart) -> tuple[Scenario, ScenarioPart]:
    """The part's scenario and the part, locked in that order; the part's `scenario` is the locked row."""
    scenario = lock_scenario(part.scenario)
    locked = lock_part(part)
    locked.scenario = scenario
    return scenario, locked


def _open(part: ScenarioPart) -> str:
    """Who answers now (a Decision.DecidedAs), or the part is not waiting for an answer."""
    decided_as = rules.part_decider(part)
    if decided_as is None:
        raise part_not_open(part)
    return decided_as


def scenario_part_confirm(
    *, actor, obj: ScenarioPart, items: Sequence[DataItem], adjustment_reason: str = "", ip: str | None = None
) -> ScenarioPart:
    """The provider confirms its part, in full or for fewer items (those withheld, with the reason why)."""
    with transaction.atomic():
        scenario, part = _locked(obj)
        decided_as = _open(part)
        task = part_task(actor, part)
        if not items:
            raise ScenarioError(MSG_PART_ITEMS_REQUIRED, field="items")
        requested = list(part.items.order_by("position", "pk"))
        terms = GrantTerms(
            items=list(items),
            share_method=part.share_method,
            period_start=scenario.valid_from,
            period_end=scenario.valid_to,
            adjustment_reason=adjustment_reason,
        )
        with as_scenario_error():
            outcome = validate_grant_terms(part, terms, requested, decided_as=decided_as)
        full = outcome == DecisionOutcome.GRANTED
        (part.confirm if full else part.confirm_partially)()
        part.adjustment_reason = "" if full else adjustment_reason.strip()
        part.confirmed_items.add(*items)  # answered once: add, not set
        chosen = {item.pk for item in items}
        withheld = [item.name for item in requested if item.pk not in chosen]
        said = f"确认共享“{part.resource.name}”：{'、'.join(item.name for item in items)}"
        if withheld:
            said += f"；不予共享：{'、'.join(withheld)}（{part.adjustment_reason}）"
        _answered(scenario, part, actor=actor, decided_as=decided_as, task=task, said=said, ip=ip)
    return part


def scenario_part_refuse(
    *,
    actor,
    obj: ScenarioPart,
    reason: RefusalReason | None,
    text: str,
    legal_basis: LegalBasis | None = None,
    citation: str = "",
    ip: str | None = None,
) -> ScenarioPart:
    """不予共享 for the whole part: a reason code and its text; a statute and article where the rules ask.

    Unconditional data is shared by default: its part cannot be refused (the bureau may leave it out of the
    authorization instead).
    """
    with transaction.atomic():
        scenario, part = _locked(obj)
        decided_as = _open(part)
        task = part_task(actor, part)
        with as_scenario_error():
            validate_refusal(part, reason=reason, text=text, legal_basis=legal_basis, citation=citation)
        if part.resource.share_class == ShareClass.UNCONDITIONAL:
            raise ScenarioError(MSG_UNCONDITIONAL_NOT_REFUSABLE)
        part.refuse()
        part.refusal_reason = reason
        part.refusal_text = text.strip()
        part.refusal_legal_basis = legal_basis
        part.refusal_citation = refusal_citation(legal_basis, citation)
        said = f"不予共享“{part.resource.name}”：{reason}，{part.refusal_text}"
        if part.refusal_citation:
            said += f"（依据{part.refusal_citation}）"
        _answered(scenario, part, actor=actor, decided_as=decided_as, task=task, said=said, ip=ip)
    return part


def _answered(
    scenario: Scenario, part: ScenarioPart, *, actor, decided_as: str, task: Task, said: str, ip: str | None
) -> None:
    """The part is answered (its state set): clock stopped, saved, audited, task done; the last one opens the
    bureau's authorization."""
    part.decided_by, part.decided_as, part.decided_at = actor, decided_as, timezone.now()
    stop_part_clock(part)
    part.save(
        update_fields=[
            "state",
            "decided_by",
            "decided_as",
            "decided_at",
            "due_at",
            "adjustment_reason",
            "refusal_reason",
            "refusal_text",
            "refusal_legal_basis",
            "refusal_citation",
        ]
    )
    by_bureau = decided_as == Decision.DecidedAs.DATA_BUREAU
    who_said = "政数局（协调）" if by_bureau else part.provider_department.name
    record_event(
        subject=scenario,
        action="share_requests.scenario_part_answered",
        actor=actor,
        ip=ip,
        comment=textlimits.composed("{who}{said}", textlimits.COMMENT, who=who_said, said=said),
        data={"part": part.pk, "resource": part.resource.code, "answer": part.state},
    )
    flowtasks.complete(task, subject=part, actor=actor)
    if by_bureau:
        tell(part_reviewers(part), scenario, f"政数局已代为答复应用场景“{scenario.name}”所需的“{part.resource.name}”。")
    _after_answer(scenario)


def _after_answer(scenario: Scenario) -> None:
    """Every provider has answered: the scenario waits for the bureau's decision, whose task opens now."""
    if scenario.state != ScenarioState.PROVIDER_REVIEW:
        return
    parts = list(scenario.parts.only("state"))
    if not rules.all_parts_answered(parts):
        return
    confirmed = sum(rules.may_be_authorized(part) for part in parts)
    scenario.complete_review()
    scenario.save(update_fields=["state", "updated_at"])
    record_event(
        subject=scenario,
        action="share_requests.scenario_reviewed",
        from_state=ScenarioState.PROVIDER_REVIEW,
        to_state=scenario.state,
        comment=f"各提供部门均已答复：确认共享 {confirmed} 项，不予共享 {len(parts) - confirmed} 项",
    )
    flowtasks.resume(ScenarioFlow, scenario, ScenarioFlow.collect)
    tell(
        who.data_bureau(),
        scenario,
        f"应用场景“{scenario.name}”（{scenario.reference}）各提供部门均已答复，请作出授权决定。",
        event="scenario_task",
    )


# ---------------------------------------------------------------- the provider's deadline


@deadlines.action("share_requests.remind_scenario_part")
def remind_scenario_part(deadline) -> None:
    """The answer is due soon: to the provider's reviewers as they are by then."""
    notify(
        recipients=part_reviewers(deadline.subject),
        event="deadline_reminder",
        subject=deadline.subject,
        context={"deadline": deadline},
    )


@deadlines.action("share_requests.escalate_scenario_part")
def escalate_scenario_part(deadline) -> None:
    """The provider missed its deadline: the bureau answers for the part (协调), counted for good."""
    with transaction.atomic():
        scenario, part = _locked(deadline.subject)
        if part.state != PartState.PENDING:
            return  # answered meanwhile
        part.escalate()
        part.was_overdue = True
        part.escalated_at = timezone.now()
        part.save(update_fields=["state", "was_overdue", "escalated_at"])
        record_event(
            subject=scenario,
            action="share_requests.scenario_part_escalated",
            comment=f"{part.provider_department.name}对“{part.resource.name}”的{deadline.title}已于"
            f"{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}到期，提请政数局协调",
            data={"part": part.pk, "resource": part.resource.code},
        )
        task = flowtasks.open_task(ScenarioPartFlow, part, ScenarioPartFlow.confirm)
        if task is not None:
            flowtasks.complete(task, subject=part, actor=None)
        notify(
            recipients=[*part_reviewers(part), *who.data_bureau()],
            event="deadline_escalated",
            subject=part,
            context={"deadline": deadline},
        )
