"""What a scenario's authorization shares: proactive grants for its consumers, automatic grants of applications
citing it, and the end of both when it is suspended or revoked.

Proactive sharing (主动共享): on authorization each consumer department gets one grant per authorized part, linked
to the scenario and numbered with its 场景授权书, so the exchange platform's grant check answers yes without any
application. Automatic sharing (自动共享): an application citing the scenario, from one of its consumers, for items
and a period within an authorized part, is granted on submit (requests.services.automatic). Every such grant
ends in the transaction that suspends or revokes the scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from notifications.services import notify
from pdf_templates.models import Record
from requests import rules
from requests.models import Grant, GrantState, Scenario, ScenarioPart, ShareApplication, StandardClause
from requests.services.grants import GrantError, consumer_recipients, issue_revocation_notice
from requests.services.scenarios.common import ScenarioError
from workflows import textlimits
from workflows.audit import record_event

# The clauses every grant a scenario gives carries: the data serves the scenario's business matters only.
SCENARIO_CLAUSES = [StandardClause.PURPOSE_ONLY, StandardClause.NO_ONWARD_SHARING]


def scenario_conditions(scenario: Scenario, part: ScenarioPart) -> str:
    """The scenario's conditions and the part's, as one grant's (within textlimits.CONDITIONS)."""
    texts = [text.rstrip("。；") for text in (scenario.conditions, part.conditions) if text.strip()]
    if len(texts) < 2:
        return texts[0] if texts else ""
    return textlimits.composed("{first}；{second}", textlimits.CONDITIONS, first=texts[0], second=texts[1])


def grant_proactively(scenario: Scenario, parts: Sequence[ScenarioPart], *, number: str) -> list[Grant]:
    """A grant per consumer department and authorized part, valid over the scenario's validity.

    A consumer that provides the part's data itself needs no grant of it.
    """
    consumers = list(scenario.consumer_departments.all())
    grants = []
    for part in parts:
        items = list(part.confirmed_items.all())
        for consumer in consumers:
            if consumer.pk == part.provider_department_id:
                continue
            grant = Grant.objects.create(
                scenario=scenario,
                number=number,
                consumer_department=consumer,
                provider_department_id=part.provider_department_id,
                resource_id=part.resource_id,
                share_method=part.share_method,
                conditions=scenario_conditions(scenario, part),
                standard_clauses=list(SCENARIO_CLAUSES),
                valid_from=scenario.valid_from,
                valid_to=scenario.valid_to,
            )
            grant.items.add(*items)  # a new grant: add, not set
            grants.append(grant)
    return grants


def end_scenario_grants(scenario: Scenario, *, actor, verb: str, reason: str, ip: str | None) -> list[Grant]:
    """Revoke every active grant the scenario gave (proactive and automatic) because it was `verb` (暂停, 撤销):
    each revoked as a single grant is (requests.services.grants: its audit event and its 撤销通知), and each consumer
    department told once, naming the grants it lost and their notices. All in the caller's transaction.

    The grants are locked before the first of their audit events: a revocation of one of them (grant_revoke)
    holds its grant and then waits for the audit chain, so locking after writing to the chain could deadlock.
    """
    grants = list(
        Grant.objects.select_for_update(of=("self",))
        .select_related("consumer_department", "provider_department", "resource", "application__applicant")
        .filter(scenario=scenario, state=GrantState.ACTIVE)
        .order_by("pk")
    )
    revoked_at = timezone.now()
    reason = textlimits.composed(
        "应用场景“{name}”已{verb}：{reason}", textlimits.NOTICE_REASON, name=scenario.name, verb=verb, reason=reason
    )
    notices: dict[int, Record] = {}
    for grant in grants:
        grant.revoke()
        grant.revoked_reason, grant.revoked_by, grant.revoked_at = reason, actor, revoked_at
        grant.save(update_fields=["state", "revoked_reason", "revoked_by", "revoked_at"])
        record_event(
            subject=grant,
            action="share_requests.grant_revoked",
            actor=actor,
            ip=ip,
            from_state=GrantState.ACTIVE,
            to_state=grant.state,
            comment=reason,
            data={"scenario": scenario.pk},
        )
        cause = f"因应用场景“{scenario.name}”（{scenario.reference}）已{verb}，"
        try:
            notices[grant.pk] = issue_revocation_notice(grant, actor, cause=cause)
        except GrantError as exc:
            raise ScenarioError(str(exc)) from exc
    by_consumer: dict[int, list[Grant]] = {}
    for grant in grants:
        by_consumer.setdefault(grant.consumer_department_id, []).append(grant)
    for ended in by_consumer.values():
        department = ended[0].consumer_department
        told = set.union(*(consumer_recipients(grant) for grant in ended))
        named = "；".join(
            f"“{grant.resource.name}”（{grant.source_reference}，撤销通知{notices[grant.pk].number}）"
            for grant in ended
        )
        notify(
            recipients=told,
            event="scenario_grants_ended",
            subject=scenario,
            context={
                "message": f"{department.name}据应用场景“{scenario.name}”获得的以下共享授权已于即日终止：{named}。"
                f"理由：{reason}。自即日起停止使用相关共享数据。",
            },
        )
    return grants


def scenario_ground(application: ShareApplication, today: dt.date) -> ScenarioPart | None:
    """The authorized part of the scenario the application cites that covers it, or None.

    It covers the application when the scenario is in force, the applicant department is one of its consumers,
    and the part of the same resource confirmed every item asked for, by a method no broader, over a period
    within the scenario's validity. The scenario's row is locked until commit (the caller holds the
    application's): a suspension waits for this grant and ends it, or this check sees the suspension.
    """
    if application.cited_scenario_id is None:
        return None
    scenario = Scenario.objects.select_for_update(of=("self",)).get(pk=application.cited_scenario_id)
    if not rules.scenario_in_force(scenario, today):
        return None
    if not (scenario.valid_from <= application.period_start and application.period_end <= scenario.valid_to):
        return None
    if not scenario.consumer_departments.filter(pk=application.applicant_department_id).exists():
        return None
    part = (
        scenario.parts.filter(resource_id=application.resource_id, authorized=True).select_related("scenario").first()
    )
    if part is None or rules.is_broader(application.share_method, part.share_method):
        return None
    confirmed = set(part.confirmed_items.values_list("pk", flat=True))
    if not set(application.items.values_list("pk", flat=True)) <= confirmed:
        return None
    part.scenario = scenario
    return part
