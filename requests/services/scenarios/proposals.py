"""A scenario proposed, and the bureau's first answer: sent to the providers (受理), or not authorized."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task

from catalog.models import DataItem, DataResource
from notifications import recipients as who
from organizations.models import Department
from requests import permissions
from requests.flows import ScenarioFlow, ScenarioPartFlow
from requests.messages import (
    MSG_FIELD_REQUIRED,
    MSG_SCENARIO_CONSUMERS_REQUIRED,
    MSG_SCENARIO_NOT_A_PROPOSER,
    MSG_SCENARIO_ONLY_CONSUMER,
    MSG_SCENARIO_PART_REPEATED,
    MSG_SCENARIO_PARTS_REQUIRED,
    MSG_SCENARIO_RESOURCE_NOT_PUBLISHED,
    MSG_SCENARIO_VALIDITY_OVER,
)
from requests.models import PartState, Scenario, ScenarioPart, ScenarioState
from requests.services.errors import ApplicationError
from requests.services.scenarios.common import (
    ScenarioError,
    bureau_task,
    checked_reason,
    lock_scenario,
    part_reviewers,
    proposer_users,
    provider_users,
    scenario_not_open,
    start_part_clock,
    tell,
)
from requests.services.validation import validate_application
from workflows import flowtasks, textlimits
from workflows.audit import record_event

SCENARIO_FIELDS = ("name", "business_matter", "purposes", "valid_from", "valid_to", "legal_basis", "conditions")
REQUIRED_FIELDS = ("name", "business_matter", "valid_from", "valid_to", "legal_basis")
# A part is checked as a share application for its items over the scenario's validity; what such a check says
# of the application's own fields is said of the scenario's.
AS_SCENARIO_FIELD = {
    "scenario": "name",
    "business_matter": "business_matter",
    "purposes": "purposes",
    "period_start": "valid_from",
    "period_end": "valid_to",
}


@dataclass
class PartInput:
    """What a scenario needs of one provider resource."""

    resource: DataResource
    items: Sequence[DataItem]
    share_method: str
    legal_basis: str
    conditions: str = ""


class _Errors(dict[str, list[str]]):
    def add(self, field: str, message: str) -> None:
        if message not in self.setdefault(field, []):
            self[field].append(message)


def validate_scenario(
    *, data: dict[str, Any], consumers: Sequence[Department], parts: Sequence[PartInput], today: dt.date
) -> None:
    """Field errors of a proposal, each part's under `parts-<n>-<field>` (the form's part rows)."""
    errors = _Errors()
    for name in REQUIRED_FIELDS:
        value = data.get(name)
        if not (value.strip() if isinstance(value, str) else value):
            errors.add(name, MSG_FIELD_REQUIRED)
    for name in ("name", "business_matter", "legal_basis", "conditions"):
        if message := textlimits.too_long(Scenario, name, data.get(name)):
            errors.add(name, message)
    if data.get("valid_to") and data["valid_to"] < today:
        errors.add("valid_to", MSG_SCENARIO_VALIDITY_OVER)
    if not consumers:
        errors.add("consumer_departments", MSG_SCENARIO_CONSUMERS_REQUIRED)
    if not parts:
        errors.add("parts", MSG_SCENARIO_PARTS_REQUIRED)
    consumer_ids = {department.pk for department in consumers}
    for index, part in enumerate(parts):
        repeated = any(other.resource.pk == part.resource.pk for other in parts[:index])
        _check_part(errors, data, part, prefix=f"parts-{index}-", repeated=repeated, consumer_ids=consumer_ids)
    if errors:
        raise ScenarioError.from_errors(errors)


def _check_part(
    errors: _Errors, data: dict[str, Any], part: PartInput, *, prefix: str, repeated: bool, consumer_ids: set[int]
) -> None:
    resource = part.resource
    if not resource.is_published:
        errors.add(prefix + "resource", MSG_SCENARIO_RESOURCE_NOT_PUBLISHED.format(resource=resource.name))
    if repeated:
        errors.add(prefix + "resource", MSG_SCENARIO_PART_REPEATED.format(resource=resource.name))
    if consumer_ids and consumer_ids <= {resource.provider_department_id}:
        errors.add(prefix + "resource", MSG_SCENARIO_ONLY_CONSUMER.format(resource=resource.name))
    if not part.legal_basis.strip():
        errors.add(prefix + "legal_basis", MSG_FIELD_REQUIRED)
    for name in ("legal_basis", "conditions"):
        if message := textlimits.too_long(ScenarioPart, name, getattr(part, name)):
            errors.add(prefix + name, message)
    as_application = {
        "scenario": data.get("name"),
        "business_matter": data.get("business_matter"),
        "purposes": data.get("purposes"),
        "share_method": part.share_method,
        "period_start": data.get("valid_from"),
        "period_end": data.get("valid_to"),
    }
    try:
        validate_application(resource=resource, data=as_application, items=part.items)
    except ApplicationError as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                errors.add(AS_SCENARIO_FIELD.get(field, prefix + field), message)


def scenario_propose(
    *,
    actor,
    data: dict[str, Any],
    consumers: Sequence[Department],
    parts: Sequence[PartInput],
    ip: str | None = None,
) -> Scenario:
    """A department (its applicants) or the bureau proposes a scenario.

    The bureau's own proposal is accepted by proposing it: it goes to the providers at once.
    """
    if not permissions.can_propose_scenario(actor):
        raise ScenarioError(MSG_SCENARIO_NOT_A_PROPOSER)
    validate_scenario(data=data, consumers=consumers, parts=parts, today=timezone.localdate())
    with transaction.atomic():
        scenario = Scenario.objects.create(
            proposing_department=actor.department,
            proposed_by=actor,
            **{
                name: data[name].strip() if isinstance(data[name], str) else data[name]
                for name in SCENARIO_FIELDS
                if name in data
            },
        )
        scenario.consumer_departments.add(*consumers)
        for position, given in enumerate(parts, start=1):
            part = ScenarioPart.objects.create(
                scenario=scenario,
                position=position,
                resource=given.resource,
                provider_department_id=given.resource.provider_department_id,
                share_method=given.share_method,
                legal_basis=given.legal_basis.strip(),
                conditions=given.conditions.strip(),
            )
            part.items.add(*given.items)
        record_event(
            subject=scenario,
            action="share_requests.scenario_proposed",
            actor=actor,
            ip=ip,
            to_state=scenario.state,
            comment=f"所需数据 {len(parts)} 项，使用部门：{'、'.join(d.name for d in consumers)}",
        )
        flowtasks.start(ScenarioFlow, scenario)
        if permissions.can_authorize_scenario(actor):
            task = flowtasks.open_task(ScenarioFlow, scenario, ScenarioFlow.accept)
            assert task is not None  # just started
            _send_to_providers(scenario, actor=actor, task=task, ip=ip)
        else:
            tell(
                who.data_bureau(),
                scenario,
                f"{actor.department.name}提出了应用场景“{scenario.name}”（{scenario.reference}），请审核后送提供部门确认。",
                event="scenario_task",
            )
    return scenario


def scenario_accept(*, actor, obj: Scenario, ip: str | None = None) -> Scenario:
    """受理: the bureau takes the proposal onto its list and sends each part to its provider to confirm."""
    with transaction.atomic():
        scenario = lock_scenario(obj)
        if scenario.state != ScenarioState.PROPOSED:
            raise scenario_not_open(scenario)
        task = bureau_task(actor, scenario)
        _send_to_providers(scenario, actor=actor, task=task, ip=ip)
    return scenario


def _send_to_providers(scenario: Scenario, *, actor, task: Task, ip: str | None) -> None:
    """In provider review: each part's clock starts, its provider's reviewers get the task and hear of it."""
    scenario.accept()
    scenario.save(update_fields=["state", "updated_at"])
    parts = list(scenario.parts.select_related("resource", "provider_department").order_by("position", "pk"))
    now = timezone.now()
    for part in parts:
        send_part(scenario, part, now)
    providers = "、".join(dict.fromkeys(part.provider_department.name for part in parts))
    record_event(
        subject=scenario,
        action="share_requests.scenario_accepted",
        actor=actor,
        ip=ip,
        from_state=ScenarioState.PROPOSED,
        to_state=scenario.state,
        comment=f"送{providers}确认",
    )
    flowtasks.complete(task, subject=scenario, actor=actor)
    if scenario.proposed_by_id != actor.pk:
        tell(proposer_users(scenario), scenario, f"政数局已受理应用场景“{scenario.name}”，已送{providers}确认。")


def send_part(scenario: Scenario, part: ScenarioPart, now) -> None:
    """A part to its provider: its clock starts, its reviewers get the task and hear of it."""
    part.send()
    start_part_clock(part, now)
    part.save(update_fields=["state", "due_at"])
    flowtasks.start(ScenarioPartFlow, part)
    tell(
        part_reviewers(part),
        scenario,
        f"应用场景“{scenario.name}”需要本部门的“{part.resource.name}”，请在"
        f"{timezone.localtime(part.due_at):%Y-%m-%d %H:%M}前确认是否共享。",
        event="scenario_task",
    )


def scenario_reject(*, actor, obj: Scenario, reason: str, ip: str | None = None) -> Scenario:
    """不予授权: the bureau declines the proposal, or the reviewed scenario, with its reason."""
    reason = checked_reason(reason)
    with transaction.atomic():
        scenario = lock_scenario(obj)
        if scenario.state not in (ScenarioState.PROPOSED, ScenarioState.REVIEWED):
            raise scenario_not_open(scenario)
        task = bureau_task(actor, scenario)
        from_state = scenario.state
        scenario.reject()
        scenario.reason = reason
        scenario.save(update_fields=["state", "reason", "updated_at"])
        record_event(
            subject=scenario,
            action="share_requests.scenario_rejected",
            actor=actor,
            ip=ip,
            from_state=from_state,
            to_state=scenario.state,
            comment=reason,
        )
        flowtasks.complete(task, subject=scenario, actor=actor)
        told = proposer_users(scenario)
        if from_state == ScenarioState.REVIEWED:
            told |= provider_users(
                scenario.parts.exclude(state=PartState.PROPOSED).select_related("provider_department")
            )
        tell(told, scenario, f"应用场景“{scenario.name}”不予授权，理由：{reason}。")
    return scenario
