"""Decisions on an application in review or escalation: grant, countersign, refuse, return, dispute the class."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.status import STATUS

from catalog.choices import ShareClass
from catalog.models import DataItem, LegalBasis
from notifications import recipients as who
from notifications.services import notify
from requests import rules
from requests.flows import ShareApplicationFlow
from requests.messages import (
    MSG_COMMENT_REQUIRED,
    MSG_COUNTERSIGN_OWN_PROPOSAL,
    MSG_DISPUTE_ONLY_UNCONDITIONAL,
    MSG_DISPUTE_SETTLED,
    MSG_NEGATIVE_LISTED_AT_COUNTERSIGN,
    MSG_UNCONDITIONAL_NOT_REFUSABLE,
)
from requests.models import (
    ApplicationState,
    ClassDispute,
    Decision,
    DecisionOutcome,
    RefusalReason,
    Scenario,
    ShareApplication,
)
from requests.selectors import may_dispute, open_task
from requests.services.common import (
    DEADLINE_KIND,
    hold_published_resource,
    lock_application,
    stop_clock,
    tell_applicant,
    tell_reviewers,
)
from requests.services.errors import ApplicationError
from requests.services.grants import grant_create_from_decision
from requests.services.records import issue_decision_record
from requests.services.tasks import check_may_work, complete_task, not_open
from requests.services.validation import (
    GrantTerms,
    check_comment,
    check_text,
    negative_listed,
    refusal_citation,
    validate_grant_terms,
    validate_refusal,
)
from workflows import deadlines, flowtasks
from workflows.audit import record_event


def _decision_role(application: ShareApplication):
    """(flow node, decided_as) of who decides now: the provider in review, the bureau in arbitration."""
    decided_as = rules.decider(application)
    if decided_as is None:
        raise not_open(application)
    return ShareApplicationFlow.expected_node(application.state), decided_as


def application_grant(*, actor, obj: ShareApplication, terms: GrantTerms, ip: str | None = None) -> Decision:
    """Grant or counter-offer. Level ≥ 3 data decided by the provider waits for the leader's countersign."""
    with transaction.atomic():
        application = lock_application(obj)
        node, decided_as = _decision_role(application)
        task = check_may_work(actor, application, node)
        requested = list(application.items.order_by("position", "pk"))  # one read: the check and the record
        outcome = validate_grant_terms(application, terms, requested, decided_as=decided_as)
        countersign = rules.needs_countersign(application, decided_as, [item.security_level for item in terms.items])
        decision = Decision(
            application=application,
            outcome=outcome,
            decided_by=actor,
            decided_as=decided_as,
            granted_method=terms.share_method,
            granted_period_start=terms.period_start,
            granted_period_end=terms.period_end,
            conditions=terms.conditions,
            standard_clauses=list(terms.standard_clauses),
            adjustment_reason=terms.adjustment_reason.strip() if outcome == DecisionOutcome.PARTIALLY_GRANTED else "",
            countersign_required=countersign,
        )
        if application.resource.share_class == ShareClass.UNCONDITIONAL:  # only those are disputed
            # The 政数局 granting less than asked agrees with the provider's dispute, at least in part.
            close_dispute(application, actor, upheld=outcome == DecisionOutcome.PARTIALLY_GRANTED)
        from_state = application.state
        if countersign:
            _save_new_decision(decision, terms.items)
            application.propose_for_countersign()
            application.save(update_fields=["state", "updated_at"])
            record_event(
                subject=application,
                action="share_requests.grant_proposed",
                actor=actor,
                ip=ip,
                from_state=from_state,
                to_state=application.state,
                comment=f"{decision.get_outcome_display()}，待部门负责人会签",
            )
            complete_task(task, actor, application, ip=ip)
            notify(
                recipients=who.department_leaders(application.provider_department),
                event="share_application_task",
                subject=application,
                context={"message": f"共享申请{application.reference}涉及3级及以上信息项，审核人拟同意，请会签。"},
            )
        else:
            hold_published_resource(application)
            make_grant_effective(
                application,
                decision,
                actor=actor,
                from_state=from_state,
                granted_items=terms.items,
                requested_items=requested,
                ip=ip,
            )
            complete_task(task, actor, application, ip=ip)
    return decision


def _save_new_decision(decision: Decision, granted_items: Sequence[DataItem]) -> None:
    decision.save()
    decision.granted_items.add(*granted_items)  # a new decision: add, not set (no read of what it has)


def make_grant_effective(
    application: ShareApplication,
    decision: Decision,
    *,
    actor,
    from_state: str,
    granted_items: Sequence[DataItem] | None = None,
    requested_items: Sequence[DataItem] | None = None,
    ip: str | None = None,
    scenario: Scenario | None = None,
) -> None:
    """The grant takes effect: transition, record, enforceable Grant, notice.

    `scenario`: the authorized scenario it was granted under (automatic sharing): the record cites it and the
    grant is linked to it.

    The caller holds the resource published (hold_published_resource) from before its first audit event.

    `decision` may be unsaved (decided and effective at once): it is then written once, with its record.
    """
    if granted_items is None:
        granted_items = list(decision.granted_items.all())
    _close(
        application,
        decision,
        application.approve if decision.outcome == DecisionOutcome.GRANTED else application.grant_partially,
    )
    decision.record = issue_decision_record(
        application,
        decision,
        actor=actor,
        granted_items=granted_items,
        requested_items=requested_items,
        scenario=scenario,
    )
    if decision.pk is None:
        _save_new_decision(decision, granted_items)
    else:
        decision.save(update_fields=["effective_at", "record"])
    grant_create_from_decision(decision=decision, items=granted_items, scenario=scenario)
    _announce(
        application,
        decision,
        actor=actor,
        ip=ip,
        from_state=from_state,
        action="share_requests.application_decided",
        comment=f"{decision.get_outcome_display()}（{decision.get_decided_as_display()}），文号 {decision.record.number}",
        applicant_message=f"共享申请{application.reference}已有决定：{decision.get_outcome_display()}。",
        bureau_message=f"政数局已代为作出决定：{decision.get_outcome_display()}，文号 {decision.record.number}。",
    )


def _close(application: ShareApplication, decision: Decision, transition) -> None:
    """The application leaves review by `transition`, decided now; its clock stops."""
    transition()
    application.decided_at = decision.effective_at = timezone.now()
    stop_clock(application)
    application.save(update_fields=["state", "decided_at", "due_at", "updated_at"])


def _announce(
    application: ShareApplication,
    decision: Decision,
    *,
    actor,
    ip: str | None,
    from_state: str,
    action: str,
    comment: str,
    applicant_message: str,
    bureau_message: str,
) -> None:
    """The decision on the trail, to the applicant, and to the provider's reviewers when the bureau took it."""
    record_event(
        subject=application,
        action=action,
        actor=actor,
        ip=ip,
        from_state=from_state,
        to_state=application.state,
        comment=comment,
    )
    tell_applicant(application, applicant_message)
    if decision.decided_as == Decision.DecidedAs.DATA_BUREAU:
        tell_reviewers(application, bureau_message, event="share_application_decided")


def application_countersign(
    *, actor, obj: ShareApplication, approve: bool, comment: str = "", ip: str | None = None
) -> ShareApplication:
    """The provider's leader confirms a level ≥ 3 grant (it takes effect) or sends it back to the reviewer."""
    with transaction.atomic():
        application = lock_application(obj)
        if application.state != ApplicationState.COUNTERSIGNING:
            raise not_open(application)
        task = check_may_work(actor, application, ShareApplicationFlow.countersign)
        if not approve and not comment.strip():
            raise ApplicationError(MSG_COMMENT_REQUIRED, field="comment")
        check_comment(comment)
        decision = application.decision
        if approve and actor.pk == decision.decided_by_id:  # sending one's own proposal back is allowed
            raise ApplicationError(MSG_COUNTERSIGN_OWN_PROPOSAL)
        if approve:
            if listed := negative_listed(
                application, list(decision.granted_items.all()), MSG_NEGATIVE_LISTED_AT_COUNTERSIGN
            ):
                raise ApplicationError(listed)
            hold_published_resource(application)
            decision.countersigned_by = actor
            decision.countersigned_at = timezone.now()
            decision.save(update_fields=["countersigned_by", "countersigned_at"])
            make_grant_effective(application, decision, actor=actor, from_state=ApplicationState.COUNTERSIGNING, ip=ip)
        else:
            proposer = decision.decided_by
            discard_proposal(decision)  # the reviewer decides afresh
            application.send_back_from_countersign()
            application.save(update_fields=["state", "updated_at"])
            record_event(
                subject=application,
                action="share_requests.countersign_refused",
                actor=actor,
                ip=ip,
                from_state=ApplicationState.COUNTERSIGNING,
                to_state=application.state,
                comment=comment,
            )
            tell_reviewers(application, f"部门负责人未会签共享申请{application.reference}：{comment}")
        complete_task(task, actor, application, ip=ip)
        if not approve:
            _give_back(application, proposer)
    return application


def _give_back(application: ShareApplication, proposer) -> None:
    """The review task a send-back opens goes straight to the reviewer who proposed, if they may still take it."""
    review = open_task(application, ShareApplicationFlow.review)
    if review is None or proposer is None:
        return
    if review.status == STATUS.NEW and review.flow_task.can_assign(proposer, review, subject=application):
        with flowtasks.activated(review) as activation:
            activation.assign(proposer)


def discard_proposal(decision: Decision) -> None:
    """A grant proposed for countersign never took effect (no record, no grant): it leaves no decision."""
    decision.granted_items.clear()
    decision.delete()


def application_refuse(
    *,
    actor,
    obj: ShareApplication,
    reason: RefusalReason | None,
    text: str,
    legal_basis: LegalBasis | None = None,
    citation: str = "",
    ip: str | None = None,
) -> Decision:
    """A reasoned refusal (不予授权，说明理由) with a refusal notice."""
    with transaction.atomic():
        application = lock_application(obj)
        node, decided_as = _decision_role(application)
        task = check_may_work(actor, application, node)
        validate_refusal(application, reason=reason, text=text, legal_basis=legal_basis, citation=citation)
        if application.resource.share_class == ShareClass.UNCONDITIONAL:
            # Only the bureau, upholding the provider's class dispute, may refuse unconditional data.
            if decided_as != Decision.DecidedAs.DATA_BUREAU or not application.disputes.exists():
                raise ApplicationError(MSG_UNCONDITIONAL_NOT_REFUSABLE)
        citation = refusal_citation(legal_basis, citation)
        decision = Decision.objects.create(
            application=application,
            outcome=DecisionOutcome.REFUSED,
            decided_by=actor,
            decided_as=decided_as,
            refusal_reason=reason,
            refusal_text=text.strip(),
            legal_basis=legal_basis,
            legal_basis_citation=citation,
        )
        close_dispute(application, actor, upheld=True)
        make_refusal_effective(application, decision, actor=actor, ip=ip)
        complete_task(task, actor, application, ip=ip)
    return decision


def make_refusal_effective(application: ShareApplication, decision: Decision, *, actor, ip: str | None = None) -> None:
    """The refusal takes effect: transition, the 不予共享告知书, notice."""
    from_state = application.state
    _close(application, decision, application.refuse)
    decision.record = issue_decision_record(application, decision, actor=actor)
    decision.save(update_fields=["effective_at", "record"])
    _announce(
        application,
        decision,
        actor=actor,
        ip=ip,
        from_state=from_state,
        action="share_requests.application_refused",
        comment=f"{decision.refusal_reason}：{decision.refusal_text}；文号 {decision.record.number}",
        applicant_message=f"共享申请{application.reference}不予授权，理由：{decision.refusal_text}",
        bureau_message=f"政数局已代为作出不予授权决定，文号 {decision.record.number}。",
    )


def application_return(*, actor, obj: ShareApplication, comment: str, ip: str | None = None) -> ShareApplication:
    """补正: back to the applicant with comments; the clock stops until resubmission."""
    with transaction.atomic():
        application = lock_application(obj)
        node, _ = _decision_role(application)
        task = check_may_work(actor, application, node)
        if not comment.strip():
            raise ApplicationError(MSG_COMMENT_REQUIRED, field="comment")
        check_text(ShareApplication, "return_comment", comment.strip(), field="comment")
        from_state = application.state
        application.return_for_correction()
        application.return_comment = comment.strip()
        deadlines.cancel_for(application, kind=DEADLINE_KIND)
        application.due_at = None
        application.save(update_fields=["state", "return_comment", "due_at", "updated_at"])
        record_event(
            subject=application,
            action="share_requests.application_returned",
            actor=actor,
            ip=ip,
            from_state=from_state,
            to_state=application.state,
            comment=comment,
        )
        complete_task(task, actor, application, ip=ip)
        tell_applicant(
            application, f"共享申请{application.reference}被退回补正：{comment}", event="share_application_returned"
        )
    return application


def application_dispute_class(*, actor, obj: ShareApplication, reason: str, ip: str | None = None) -> ClassDispute:
    """The provider disputes an unconditional class before the bureau instead of refusing (共享为原则)."""
    with transaction.atomic():
        application = lock_application(obj)
        if application.state != ApplicationState.IN_REVIEW:
            raise not_open(application)
        task = check_may_work(actor, application, ShareApplicationFlow.review)
        if application.resource.share_class != ShareClass.UNCONDITIONAL:
            raise ApplicationError(MSG_DISPUTE_ONLY_UNCONDITIONAL)
        if not may_dispute(application):
            raise ApplicationError(MSG_DISPUTE_SETTLED)
        if not reason.strip():
            raise ApplicationError(MSG_COMMENT_REQUIRED, field="reason")
        check_text(ClassDispute, "reason", reason.strip())
        dispute = ClassDispute.objects.create(application=application, filed_by=actor, reason=reason.strip())
        application.escalate()
        application.escalated_at = timezone.now()
        application.save(update_fields=["state", "escalated_at", "updated_at"])
        record_event(
            subject=application,
            action="share_requests.class_disputed",
            actor=actor,
            ip=ip,
            from_state=ApplicationState.IN_REVIEW,
            to_state=application.state,
            comment=reason,
        )
        complete_task(task, actor, application, ip=ip)
        notify(
            recipients=who.data_bureau(),
            event="share_application_task",
            subject=application,
            context={
                "message": f"{application.provider_department}对共享申请{application.reference}提出共享类型异议。"
            },
        )
    return dispute


def close_dispute(application: ShareApplication, actor, *, upheld: bool, comment: str = "") -> int:
    """Settle the open class dispute, if any; how many were settled."""
    return application.disputes.filter(outcome=ClassDispute.Outcome.OPEN).update(
        outcome=ClassDispute.Outcome.UPHELD if upheld else ClassDispute.Outcome.DISMISSED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_comment=comment,
    )
