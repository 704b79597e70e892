"""The bureau authorizes a scenario, whole or in part, with a 场景授权书; suspends, resumes and revokes it; beat
expires it. Grants follow in the same transaction (requests.services.scenarios.sharing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from pdf_templates.dates import chinese_date
from pdf_templates.models import Record, RecordType
from pdf_templates.services import RecordError, issue_record
from requests import rules
from requests.messages import (
    MSG_SCENARIO_ITEMS_NEGATIVE,
    MSG_SCENARIO_NOTHING_CONFIRMED,
    MSG_SCENARIO_PARTS_NOT_CONFIRMED,
    MSG_SCENARIO_PARTS_TO_AUTHORIZE,
    MSG_SCENARIO_RESOURCE_GONE,
    MSG_SCENARIO_VALIDITY_OVER,
)
from requests.models import PartState, Scenario, ScenarioPart, ScenarioState, StandardClause
from requests.services.common import hold_published_resource
from requests.services.errors import ApplicationError
from requests.services.scenarios.common import (
    ScenarioError,
    bureau_task,
    check_bureau,
    checked_reason,
    consumer_users,
    lock_scenario,
    proposer_users,
    provider_users,
    scenario_not_open,
    tell,
)
from requests.services.scenarios.sharing import SCENARIO_CLAUSES, end_scenario_grants, grant_proactively
from requests.services.validation import negative_listed
from workflows import flowtasks, textlimits
from workflows.audit import record_event


def scenario_parts(scenario: Scenario):
    return scenario.parts.select_related("resource", "provider_department").order_by("position", "pk")


def _chosen(all_parts: list[ScenarioPart], chosen: Sequence[ScenarioPart] | None) -> list[ScenarioPart]:
    """The parts to authorize: those chosen (all confirmed ones by default), each confirmed by its provider."""
    confirmed = [part for part in all_parts if rules.may_be_authorized(part)]
    if not confirmed:
        raise ScenarioError(MSG_SCENARIO_NOTHING_CONFIRMED)
    if chosen is None:
        return confirmed
    ids = {part.pk for part in chosen}
    unconfirmed = [part.resource.name for part in all_parts if part.pk in ids and not rules.may_be_authorized(part)]
    if unconfirmed:
        raise ScenarioError(MSG_SCENARIO_PARTS_NOT_CONFIRMED.format(resources="、".join(unconfirmed)), field="parts")
    picked = [part for part in confirmed if part.pk in ids]
    if not picked:
        raise ScenarioError(MSG_SCENARIO_PARTS_TO_AUTHORIZE, field="parts")
    return picked


def _hold_shareable(parts: Sequence[ScenarioPart]) -> None:
    """Each part's resource stays published until commit, and none of its confirmed items is on the negative list.

    Before the first audit event, as for a share application's grant (hold_published_resource).
    """
    for part in parts:
        try:
            hold_published_resource(part)
        except ApplicationError as exc:
            raise ScenarioError(MSG_SCENARIO_RESOURCE_GONE.format(resource=part.resource.name)) from exc
        message = MSG_SCENARIO_ITEMS_NEGATIVE.format(resource=part.resource.name, what="{what}", basis="{basis}")
        if listed := negative_listed(part, list(part.confirmed_items.all()), message):
            raise ScenarioError(listed)


def scenario_authorize(
    *, actor, obj: Scenario, parts: Sequence[ScenarioPart] | None = None, ip: str | None = None
) -> Scenario:
    """授权: the scenario, whole or the `parts` chosen, with a stamped 场景授权书; its consumers' grants at once."""
    with transaction.atomic():
        scenario = lock_scenario(obj)
        if scenario.state != ScenarioState.REVIEWED:
            raise scenario_not_open(scenario)
        task = bureau_task(actor, scenario)
        if scenario.valid_to < timezone.localdate():
            raise ScenarioError(MSG_SCENARIO_VALIDITY_OVER)
        all_parts = list(scenario_parts(scenario))
        authorized = _chosen(all_parts, parts)
        _hold_shareable(authorized)
        scenario.authorize()
        scenario.authorized_by, scenario.authorized_at = actor, timezone.now()
        ScenarioPart.objects.filter(pk__in=[part.pk for part in authorized]).update(authorized=True)
        for part in authorized:
            part.authorized = True
        scenario.record = issue_authorization(scenario, all_parts, actor=actor)
        scenario.save(update_fields=["state", "authorized_by", "authorized_at", "record", "updated_at"])
        grants = grant_proactively(scenario, authorized, number=scenario.record.number)
        whole = len(authorized) == len(all_parts)
        record_event(
            subject=scenario,
            action="share_requests.scenario_authorized",
            actor=actor,
            ip=ip,
            from_state=ScenarioState.REVIEWED,
            to_state=scenario.state,
            comment=f"{'全部' if whole else '部分'}授权，场景授权书 {scenario.record.number}，主动共享授权 {len(grants)} 项",
            data={
                "record": scenario.record.number,
                "parts": [p.pk for p in authorized],
                "grants": [g.pk for g in grants],
            },
        )
        flowtasks.complete(task, subject=scenario, actor=actor)
        told = proposer_users(scenario) | consumer_users(scenario) | provider_users(all_parts)
        tell(
            told,
            scenario,
            f"应用场景“{scenario.name}”已{'' if whole else '部分'}授权（{scenario.record.number}），"
            f"有效期至{chinese_date(scenario.valid_to)}；使用部门即日起可使用所授权的数据，无需逐项申请。",
        )
    return scenario


def issue_authorization(
    scenario: Scenario,
    parts: list[ScenarioPart],
    *,
    actor,
    renewed: Record | None = None,
    old_end: dt.date | None = None,
) -> Record:
    """The 场景授权书: what is shared with whom, what is not and why, on what conditions, until when.

    A renewal's (`renewed`: the authorization it renews, which ran until `old_end`) restates it all with the new
    validity, and says which one it renews.
    """
    consumers = [department.name for department in scenario.consumer_departments.order_by("code")]
    authorized = [part for part in parts if part.authorized]
    not_authorized = []
    for part in parts:
        if part.authorized:
            continue
        if part.state == PartState.REFUSED:
            why = f"{part.refusal_reason.label if part.refusal_reason else ''}，{part.refusal_text}"
            if part.refusal_citation:
                why += f"（{part.refusal_citation}）"
        elif rules.may_be_authorized(part):
            why = "本局决定暂不纳入本场景授权"
        else:
            why = part.get_state_display()
        not_authorized.append(f"{part.provider_department.name}“{part.resource.name}”：{why}")
    items_withheld = [
        f"{part.provider_department.name}“{part.resource.name}”部分信息项不予共享：{part.adjustment_reason}"
        for part in authorized
        if part.state == PartState.PARTIALLY_CONFIRMED
    ]
    conditions = StandardClause.labels_of(SCENARIO_CLAUSES)
    if scenario.conditions:
        conditions.append(scenario.conditions)
    conditions += [f"“{part.resource.name}”：{part.conditions}" for part in authorized if part.conditions]
    data = {
        "body": [
            f"{scenario.proposing_department.name}提出的“{scenario.name}”应用场景（{scenario.reference}），"
            + (
                "经各提供部门确认，现予授权。"
                if renewed is None or old_end is None
                else f"经{renewed.number}授权，有效期至{chinese_date(old_end)}；现予续期，"
                f"有效期延至{chinese_date(scenario.valid_to)}，授权内容不变。"
            ),
            f"办理事项：{scenario.business_matter}；应用方式：{'、'.join(scenario.purpose_labels())}。",
        ],
        "decision": "同意续期。"
        if renewed is not None
        else ("同意授权。" if len(authorized) == len(parts) else "部分同意授权。"),
        "parts": [
            {
                "provider": part.provider_department.name,
                "resource": part.resource.name,
                "items": [item.name for item in part.confirmed_items.order_by("position", "pk")],
                "method": part.get_share_method_display(),
            }
            for part in authorized
        ],
        "not_authorized": not_authorized + items_withheld,
        "conditions": conditions,
        "consumers": consumers,
        "valid_from": chinese_date(scenario.valid_from),
        "valid_until": chinese_date(scenario.valid_to),
        "facts": [
            {"label": "场景编号", "value": scenario.reference},
            {"label": "提出部门", "value": scenario.proposing_department.name},
            {"label": "法律法规依据", "value": scenario.legal_basis},
        ],
    }
    try:
        return issue_record(
            type=RecordType.SCENARIO_AUTHORIZATION,
            subject=scenario,
            issuer=actor.department,
            data=data,
            actor=actor,
            title=textlimits.composed(
                "关于“{name}”应用场景{what}的场景授权书",
                textlimits.TITLE,
                name=scenario.name,
                what="续期" if renewed is not None else "",
            ),
            addressee=scenario.proposing_department,
        )
    except RecordError as exc:
        raise ScenarioError(str(exc)) from exc


# ---------------------------------------------------------------- after the authorization


def scenario_suspend(*, actor, obj: Scenario, reason: str, ip: str | None = None) -> Scenario:
    """暂停: the scenario's grants end at once; it may be resumed, or revoked."""
    return _end(actor=actor, obj=obj, reason=reason, ip=ip, action="suspend")


def scenario_revoke(*, actor, obj: Scenario, reason: str, ip: str | None = None) -> Scenario:
    """撤销: for good; its grants (if it was not suspended) end at once."""
    return _end(actor=actor, obj=obj, reason=reason, ip=ip, action="revoke")


ENDINGS = {
    # action: (allowed from, verb, audit code)
    "suspend": ([ScenarioState.AUTHORIZED], "暂停", "share_requests.scenario_suspended"),
    "revoke": ([ScenarioState.AUTHORIZED, ScenarioState.SUSPENDED], "撤销", "share_requests.scenario_revoked"),
}


def _end(*, actor, obj: Scenario, reason: str, ip: str | None, action: str) -> Scenario:
    check_bureau(actor)
    reason = checked_reason(reason)
    sources, verb, code = ENDINGS[action]
    with transaction.atomic():
        scenario = lock_scenario(obj)
        if scenario.state not in sources:
            raise scenario_not_open(scenario)
        from_state = scenario.state
        ended = end_scenario_grants(scenario, actor=actor, verb=verb, reason=reason, ip=ip)
        getattr(scenario, action)()
        scenario.reason, scenario.ended_at = reason, timezone.now()
        scenario.save(update_fields=["state", "reason", "ended_at", "updated_at"])
        record_event(
            subject=scenario,
            action=code,
            actor=actor,
            ip=ip,
            from_state=from_state,
            to_state=scenario.state,
            comment=f"{reason}；终止共享授权 {len(ended)} 项",
            data={"grants": [grant.pk for grant in ended]},
        )
        told = proposer_users(scenario) | provider_users(scenario_parts(scenario).filter(authorized=True))
        tell(told, scenario, f"应用场景“{scenario.name}”已{verb}，理由：{reason}。据此获得的共享授权同时终止。")
    return scenario


def scenario_resume(*, actor, obj: Scenario, ip: str | None = None) -> Scenario:
    """恢复: a suspended scenario is authorized again; its consumers get new grants of its authorized parts."""
    check_bureau(actor)
    with transaction.atomic():
        scenario = lock_scenario(obj)
        if scenario.state != ScenarioState.SUSPENDED:
            raise scenario_not_open(scenario)
        if scenario.valid_to < timezone.localdate():
            raise ScenarioError(MSG_SCENARIO_VALIDITY_OVER)
        authorized = list(scenario_parts(scenario).filter(authorized=True))
        _hold_shareable(authorized)
        scenario.resume()
        scenario.reason, scenario.ended_at = "", None
        scenario.save(update_fields=["state", "reason", "ended_at", "updated_at"])
        assert scenario.record is not None  # authorized once
        grants = grant_proactively(scenario, authorized, number=scenario.record.number)
        record_event(
            subject=scenario,
            action="share_requests.scenario_resumed",
            actor=actor,
            ip=ip,
            from_state=ScenarioState.SUSPENDED,
            to_state=scenario.state,
            comment=f"恢复授权，主动共享授权 {len(grants)} 项",
            data={"grants": [grant.pk for grant in grants]},
        )
        told = proposer_users(scenario) | consumer_users(scenario) | provider_users(authorized)
        tell(told, scenario, f"应用场景“{scenario.name}”已恢复授权，使用部门可继续使用所授权的数据。")
    return scenario


def scenario_expire(*, obj: Scenario, today: dt.date | None = None) -> bool:
    """到期: past its validity (its grants expire with it, by their own valid_to). Twice changes nothing."""
    today = today or timezone.localdate()
    with transaction.atomic():
        scenario = lock_scenario(obj)
        if scenario.state not in (ScenarioState.AUTHORIZED, ScenarioState.SUSPENDED) or scenario.valid_to >= today:
            return False
        from_state = scenario.state
        scenario.expire()
        scenario.ended_at = timezone.now()
        scenario.save(update_fields=["state", "ended_at", "updated_at"])
        record_event(
            subject=scenario,
            action="share_requests.scenario_expired",
            from_state=from_state,
            to_state=scenario.state,
            comment=f"有效期至{chinese_date(scenario.valid_to)}，已到期",
        )
        tell(
            proposer_users(scenario) | consumer_users(scenario),
            scenario,
            f"应用场景“{scenario.name}”有效期已于{chinese_date(scenario.valid_to)}届满，据此获得的共享授权同时到期。",
        )
    return True


def scenarios_sweep(*, today: dt.date | None = None) -> int:
    """What beat runs: every authorized or suspended scenario past its validity expires, each in its own transaction."""
    today = today or timezone.localdate()
    due = Scenario.objects.filter(
        state__in=[ScenarioState.AUTHORIZED, ScenarioState.SUSPENDED], valid_to__lt=today
    ).order_by("pk")
    return sum(scenario_expire(obj=scenario, today=today) for scenario in due)
