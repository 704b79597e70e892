"""A proposal changed by its proposer (修改应用场景), as long as no provider has answered for its part.

Before the bureau accepts it (已提出) everything may change, its parts included. Once with the providers (提供部门确认中,
where a bureau's own proposal starts) and until the first answer, a part's items, method, basis and conditions may
change and parts may be added (sent to their providers at once); a part already sent stays listed (its provider's
task and clock are under way), and its provider is told what changed. After an answer nothing changes: the
providers would have confirmed something else (MSG_SCENARIO_NOT_EDITABLE).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from organizations.models import Department
from requests import permissions, rules
from requests.messages import (
    MSG_SCENARIO_EDIT_NOT_PROPOSER,
    MSG_SCENARIO_NOT_EDITABLE,
    MSG_SCENARIO_PART_NOT_REMOVABLE,
)
from requests.models import Scenario, ScenarioPart, ScenarioState
from requests.services.scenarios.common import ScenarioError, lock_scenario, part_reviewers, tell
from requests.services.scenarios.proposals import SCENARIO_FIELDS, PartInput, send_part, validate_scenario
from workflows.audit import record_event


def scenario_update(
    *,
    actor,
    obj: Scenario,
    data: dict[str, Any],
    consumers: Sequence[Department],
    parts: Sequence[PartInput],
    ip: str | None = None,
) -> Scenario:
    if not permissions.is_scenario_proposer(actor, obj):
        raise ScenarioError(MSG_SCENARIO_EDIT_NOT_PROPOSER)
    validate_scenario(data=data, consumers=consumers, parts=parts, today=timezone.localdate())
    with transaction.atomic():
        scenario = lock_scenario(obj)  # a provider's answer locks it too: no answer slips in meanwhile
        if not rules.scenario_editable(scenario):
            raise ScenarioError(MSG_SCENARIO_NOT_EDITABLE, stale=True)
        sent = scenario.state == ScenarioState.PROVIDER_REVIEW
        existing = {part.resource_id: part for part in scenario.parts.select_related("resource")}
        wanted = {given.resource.pk for given in parts}
        if sent and (removed := [part for rid, part in existing.items() if rid not in wanted]):
            raise ScenarioError(
                MSG_SCENARIO_PART_NOT_REMOVABLE.format(resource=removed[0].resource.name), field="parts"
            )
        for name in SCENARIO_FIELDS:
            if name in data:
                setattr(scenario, name, data[name].strip() if isinstance(data[name], str) else data[name])
        scenario.save(update_fields=[*SCENARIO_FIELDS, "updated_at"])
        scenario.consumer_departments.set(consumers)
        if not sent:
            scenario.parts.exclude(resource_id__in=wanted).delete()  # no provider has seen them yet
        changed, added = [], []
        for position, given in enumerate(parts, start=1):
            part = existing.get(given.resource.pk)
            if part is None:
                part = ScenarioPart(scenario=scenario, resource=given.resource)
                part.provider_department_id = given.resource.provider_department_id
                added.append(part)
            elif _differs(part, given):
                changed.append(part)
            part.position = position
            part.share_method = given.share_method
            part.legal_basis = given.legal_basis.strip()
            part.conditions = given.conditions.strip()
            part.save()
            part.items.set(given.items)
        record_event(
            subject=scenario,
            action="share_requests.scenario_updated",
            actor=actor,
            ip=ip,
            comment=f"所需数据 {len(parts)} 项，使用部门：{'、'.join(d.name for d in consumers)}",
            data={"changed_parts": [p.pk for p in changed], "added_parts": [p.pk for p in added]},
        )
        if sent:
            _tell_providers(scenario, changed, added)
    return scenario


def _differs(part: ScenarioPart, given: PartInput) -> bool:
    return (
        part.share_method != given.share_method
        or part.legal_basis != given.legal_basis.strip()
        or part.conditions != given.conditions.strip()
        or set(part.items.values_list("pk", flat=True)) != {item.pk for item in given.items}
    )


def _tell_providers(scenario: Scenario, changed: list[ScenarioPart], added: list[ScenarioPart]) -> None:
    """Parts added while the providers review are sent at once; those changed, their providers hear of it."""
    now = timezone.now()
    for part in added:
        send_part(scenario, part, now)
    for part in changed:
        tell(
            part_reviewers(part),
            scenario,
            f"应用场景“{scenario.name}”所需的“{part.resource.name}”已由提出部门修改，请按修改后的内容确认。",
            event="scenario_task",
        )
