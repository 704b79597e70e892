"""Decisions nobody has to make: unconditional data granted, the negative list and withdrawn resources refused."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from catalog.models import ResourceStatus
from notifications import recipients as who
from notifications.services import notify
from organizations.roles import Role
from pdf_templates.dates import chinese_date
from requests.models import (
    OPEN_STATES,
    ApplicationState,
    Decision,
    DecisionOutcome,
    RefusalReason,
    ScenarioPart,
    ShareApplication,
    StandardClause,
)
from requests.services.common import lock_application
from requests.services.decisions import discard_proposal, make_grant_effective, make_refusal_effective
from requests.services.scenarios.sharing import SCENARIO_CLAUSES, scenario_conditions
from requests.services.tasks import cancel_flow
from workflows import textlimits

# ---------------------------------------------------------------- automatic routes (called on submit)

logger = logging.getLogger(__name__)


def decide_automatically(*, application: ShareApplication) -> Decision:
    """Unconditional data, no item above level 2: granted on submit, recorded, the provider informed.

    The caller (application_submit) holds the application locked.
    """
    items = list(application.items.order_by("position", "pk"))
    decision = Decision(
        application=application,
        outcome=DecisionOutcome.GRANTED,
        decided_as=Decision.DecidedAs.AUTOMATIC,
        granted_method=application.share_method,
        granted_period_start=application.period_start,
        granted_period_end=application.period_end,
        conditions=application.resource.share_conditions,
        standard_clauses=[StandardClause.PURPOSE_ONLY, StandardClause.NO_ONWARD_SHARING],
    )
    make_grant_effective(
        application,
        decision,
        actor=None,
        from_state=ApplicationState.SUBMITTED,
        granted_items=items,
        requested_items=items,
    )
    notify(
        recipients=who.by_role(Role.PROVIDER_REVIEWER, application.provider_department),
        event="share_application_auto_granted",
        subject=application,
        context={
            "message": f"{application.applicant_department}申请的无条件共享资源“{application.resource.name}”已自动授权。"
        },
    )
    return decision


def decide_by_scenario(*, application: ShareApplication, part: ScenarioPart) -> Decision:
    """Within an authorized scenario the applicant department uses (scenario_ground): granted on submit with the
    scenario's conditions, for the period asked (within the scenario's validity), the record citing the scenario,
    the grant linked to it (it ends with the scenario). The caller holds the application locked.
    """
    scenario = part.scenario
    items = list(application.items.order_by("position", "pk"))
    decision = Decision(
        application=application,
        outcome=DecisionOutcome.GRANTED,
        decided_as=Decision.DecidedAs.AUTOMATIC,
        granted_method=application.share_method,
        granted_period_start=application.period_start,
        granted_period_end=application.period_end,
        conditions=scenario_conditions(scenario, part),
        standard_clauses=list(SCENARIO_CLAUSES),
    )
    make_grant_effective(
        application,
        decision,
        actor=None,
        from_state=ApplicationState.SUBMITTED,
        granted_items=items,
        requested_items=items,
        scenario=scenario,
    )
    notify(
        recipients=who.by_role(Role.PROVIDER_REVIEWER, application.provider_department),
        event="share_application_auto_granted",
        subject=application,
        context={
            "message": f"{application.applicant_department}依据已授权的应用场景“{scenario.name}”申请的"
            f"“{application.resource.name}”已自动授权。"
        },
    )
    return decision


def refuse_by_negative_list(*, application: ShareApplication, hit) -> Decision:
    """An item on the negative list (`hit`): refused on submit, citing the list's legal basis.

    The caller (application_submit) holds the application locked.
    """
    decision = Decision.objects.create(
        application=application,
        outcome=DecisionOutcome.REFUSED,
        decided_as=Decision.DecidedAs.AUTOMATIC,
        refusal_reason=RefusalReason.objects.filter(code="LAW_PROHIBITED").first(),
        refusal_text=textlimits.composed(
            "所申请数据列入共享负面清单：{reason}", textlimits.NOTICE_REASON, reason=hit.reason
        ),
        legal_basis=hit.legal_basis,
        # A title and an article as long as LegalBasis allows would overflow the notice's citation.
        legal_basis_citation=textlimits.composed(
            "{title}{article}", textlimits.CITATION, title=hit.legal_basis.title, article=hit.legal_basis.article
        ),
    )
    make_refusal_effective(application, decision, actor=None)
    return decision


def refuse_for_withdrawn_resources() -> int:
    """Refuse the open applications whose resource has left the catalog; how many were refused.

    A withdrawal queues this after it commits (requests.receivers, on the catalog's resource_withdrawn), and the
    beat runs it hourly in case the queue missed one. It cannot be part of the withdrawal's own
    transaction: a decision locks its application and then its resource, a withdrawal the other
    way round. Each application is refused in its own transaction, under its row lock, so a run
    that meets a reviewer's decision, or a second run, refuses nothing twice.
    """
    waiting = ShareApplication.objects.filter(state__in=OPEN_STATES, resource__status=ResourceStatus.WITHDRAWN)
    return sum(_refuse_for_withdrawn_resource(pk) for pk in waiting.order_by("pk").values_list("pk", flat=True))


def queue_refusals_for_withdrawn_resources() -> None:
    """For a withdrawal's on_commit. A broker outage loses nothing: the hourly beat runs the same task."""
    from requests.tasks import refuse_for_withdrawn_resources

    try:
        refuse_for_withdrawn_resources.delay()
    except Exception:
        logger.exception("Could not queue the refusals for a withdrawn resource; the hourly beat will run them.")


def _refuse_for_withdrawn_resource(application_id: int) -> bool:
    with transaction.atomic():
        application = lock_application(ShareApplication(pk=application_id))
        resource = application.resource  # read with the lock, so as current as the application
        if application.state not in OPEN_STATES or resource.status != ResourceStatus.WITHDRAWN:
            return False
        if application.state == ApplicationState.COUNTERSIGNING:
            discard_proposal(application.decision)
        reason, _ = RefusalReason.objects.get_or_create(
            code="RESOURCE_WITHDRAWN", defaults={"label": "数据资源已从目录撤销"}
        )
        withdrawn_on = timezone.localtime(resource.withdrawn_at) if resource.withdrawn_at else timezone.localtime()
        decision = Decision.objects.create(
            application=application,
            outcome=DecisionOutcome.REFUSED,
            decided_as=Decision.DecidedAs.AUTOMATIC,
            refusal_reason=reason,
            refusal_text=textlimits.composed(
                "数据资源“{name}”已于{day}从政务数据资源目录撤销（{reason}），不再共享。",
                textlimits.NOTICE_REASON,
                name=resource.name,
                day=chinese_date(withdrawn_on),
                reason=resource.withdraw_reason,
            ),
        )
        cancel_flow(application)
        make_refusal_effective(application, decision, actor=None)
    return True
