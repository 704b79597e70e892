"""Reads of application scenarios: the 场景清单, the open tasks, what a user may do on a scenario's page.

The published list (authorized once) is every department's to read; a scenario before that is seen by the
departments involved, the bureau and auditors (requests.permissions.can_view_scenario, the same rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.selectors import acting_user_ids
from requests import permissions, rules
from requests.flows import ScenarioFlow, ScenarioPartFlow
from requests.models import (
    SCENARIO_PUBLISHED_STATES,
    Grant,
    Scenario,
    ScenarioPart,
    ScenarioState,
)
from workflows import flowtasks, taking


def scenarios_visible_to(user) -> QuerySet[Scenario]:
    scenarios = Scenario.objects.select_related("proposing_department")
    if not user.is_authenticated:
        return scenarios.none()
    if permissions.sees_all(user):
        return scenarios
    published = Q(state__in=SCENARIO_PUBLISHED_STATES)
    if user.department_id is None:
        return scenarios.filter(published)
    department = user.department_id
    involved = (
        Q(proposing_department_id=department)
        | Exists(
            Scenario.consumer_departments.through.objects.filter(scenario_id=OuterRef("pk"), department_id=department)
        )
        | Exists(ScenarioPart.objects.filter(scenario_id=OuterRef("pk"), provider_department_id=department))
    )
    return scenarios.filter(published | involved)


SCOPES = {
    "published": "场景清单",
    "open": "办理中",
    "mine": "本部门相关",
    "all": "全部场景",
}


def scenario_scopes(user) -> list[str]:
    scopes = ["published"]
    if user.department_id:
        scopes.append("mine")
    if permissions.sees_all(user):
        scopes += ["open", "all"]
    return scopes


def scenario_list(user, *, scope: str = "published", q: str = "", state: str = "") -> QuerySet[Scenario]:
    """The list the 场景清单 page shows and exports: by scope, a search of names and business matters, a state."""
    scenarios = scenarios_visible_to(user)
    if scope == "published":
        scenarios = scenarios.filter(state__in=SCENARIO_PUBLISHED_STATES)
    elif scope == "open":
        scenarios = scenarios.exclude(state__in=[*SCENARIO_PUBLISHED_STATES, ScenarioState.REJECTED])
    elif scope == "mine":
        department = user.department_id
        scenarios = scenarios.filter(
            Q(proposing_department_id=department)
            | Q(consumer_departments=department)
            | Q(parts__provider_department_id=department)
        ).distinct()
    if q := q.strip():
        scenarios = scenarios.filter(
            Q(name__icontains=q) | Q(business_matter__icontains=q) | Q(parts__resource__name__icontains=q)
        ).distinct()
    if state:
        scenarios = scenarios.filter(state=state)
    return scenarios.prefetch_related("consumer_departments").order_by("-id")


def scenario_parts(scenario: Scenario) -> QuerySet[ScenarioPart]:
    return scenario.parts.select_related(
        "resource", "provider_department", "decided_by", "refusal_reason"
    ).prefetch_related("items", "confirmed_items")


def scenario_grants(user, scenario: Scenario) -> QuerySet[Grant]:
    """The grants the scenario gave that the user may see (selectors.grants_visible_to's rule)."""
    grants = Grant.objects.filter(scenario=scenario).select_related("consumer_department", "resource")
    if not permissions.sees_all(user):
        grants = grants.filter(
            Q(consumer_department_id=user.department_id) | Q(provider_department_id=user.department_id)
        )
    return grants.order_by("-state", "consumer_department__code", "resource__code")


def works_on_scenario(user, part: ScenarioPart | None) -> bool:
    """Whether the user has some step of a scenario (or of its `part`) to work: the bureau, or the part's
    provider reviewers. Such a user acting on a page from an earlier step is told where it stands; anyone else is
    refused (403)."""
    return permissions.can_authorize_scenario(user) or (part is not None and permissions.answers_for_part(user, part))


def citable_scenarios(department_id: int | None, today: dt.date) -> QuerySet[Scenario]:
    """Scenarios a department may cite in a share application now: in force, and it is one of the consumers."""
    if department_id is None:
        return Scenario.objects.none()
    return Scenario.objects.filter(
        state=ScenarioState.AUTHORIZED,
        valid_from__lte=today,
        valid_to__gte=today,
        consumer_departments=department_id,
    ).order_by("name")


def scenario_task_list(user) -> QuerySet[Task]:
    """Open scenario tasks the user may work on: their department's parts to answer; for the bureau, its own."""
    if not user.is_authenticated:
        return Task.objects.none()
    scope = Q(owner_id__in=acting_user_ids(user), status=STATUS.ASSIGNED)
    if user.has_perm("share_requests.can_confirm_scenario_part") and user.department_id:
        scope |= Q(flow_task=ScenarioPartFlow.confirm) & Q(
            process__scenariopartprocess__part__provider_department_id=user.department_id
        )
    if user.has_perm("share_requests.can_authorize_scenario"):
        scope |= Q(flow_task__in=[ScenarioFlow.accept, ScenarioFlow.authorize, ScenarioPartFlow.arbitrate])
    return (
        Task.objects.filter(
            Q(process__flow_class=ScenarioFlow) | Q(process__flow_class=ScenarioPartFlow),
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        .filter(scope)
        .select_related(
            "process__scenarioprocess__scenario",
            "process__scenariopartprocess__part__scenario",
            "process__scenariopartprocess__part__resource",
        )
        .order_by("-created", "-pk")
    )


@dataclass(frozen=True)
class ScenarioTask:
    """An open task on the scenario's page, and what the user may do with it (workflows.taking)."""

    task: Task
    part: ScenarioPart | None  # None: the bureau's task on the whole scenario
    claim: taking.Claim


def scenario_open_tasks(scenario: Scenario, parts: list[ScenarioPart]) -> list[tuple[Task, ScenarioPart | None]]:
    """The scenario's open human tasks: the bureau's (accept, authorize) and each part's (confirm, arbitrate)."""
    found: list[tuple[Task, ScenarioPart | None]] = []
    if (task := flowtasks.open_task(ScenarioFlow, scenario)) is not None and task.flow_task_type == "HUMAN":
        found.append((task, None))
    for part in parts:
        if (task := flowtasks.open_task(ScenarioPartFlow, part)) is not None and task.flow_task_type == "HUMAN":
            found.append((task, part))
    return found


def task_claims(user, scenario: Scenario, parts: list[ScenarioPart]) -> tuple[ScenarioTask, ...]:
    """The open tasks the user may take (nobody holds them) or holds (to release or hand over)."""
    claims = (
        ScenarioTask(task, part, taking.claim_actions(user, task, part or scenario))
        for task, part in scenario_open_tasks(scenario, parts)
    )
    return tuple(claim for claim in claims if claim.claim.take or claim.claim.mine)


@dataclass(frozen=True)
class ScenarioActions:
    """What a user may do on a scenario's page now. The services enforce the same rules (requests.rules)."""

    accept: bool = False
    reject: bool = False
    authorize: bool = False
    suspend: bool = False
    resume: bool = False
    revoke: bool = False
    answer: frozenset[int] = field(default_factory=frozenset)  # the parts (ids) the user may confirm or refuse
    tasks: tuple[ScenarioTask, ...] = ()  # the open tasks the user may take, release or hand over
    edit: bool = False  # its proposer changes the proposal (no provider has answered yet)
    renew: bool = False  # the bureau extends its validity (续期) as it nears its end

    @property
    def any(self) -> bool:
        return any(
            (self.accept, self.reject, self.authorize, self.suspend, self.resume, self.revoke, self.renew, self.answer)
        )


def _may_work(user, flow_class, subject, node) -> bool:
    task = flowtasks.open_task(flow_class, subject, node)
    if task is None:
        return False
    if task.owner_id is not None:
        return task.flow_task.can_execute(user, task)
    return task.flow_task.can_assign(user, task, subject=subject)


def available_scenario_actions(user, scenario: Scenario, parts: list[ScenarioPart]) -> ScenarioActions:
    if not user.is_authenticated:
        return ScenarioActions()
    bureau = permissions.can_authorize_scenario(user)
    state = scenario.state
    node = ScenarioFlow.expected_node(state)
    works = (
        bureau
        and state in (ScenarioState.PROPOSED, ScenarioState.REVIEWED)
        and _may_work(user, ScenarioFlow, scenario, node)
    )
    answer = frozenset(
        part.pk
        for part in parts
        if rules.part_decider(part) is not None
        and _may_work(user, ScenarioPartFlow, part, ScenarioPartFlow.expected_node(part.state))
    )
    return ScenarioActions(
        accept=works and state == ScenarioState.PROPOSED,
        reject=works,
        authorize=works and state == ScenarioState.REVIEWED and any(rules.may_be_authorized(p) for p in parts),
        suspend=bureau and state == ScenarioState.AUTHORIZED,
        resume=bureau and state == ScenarioState.SUSPENDED and scenario.valid_to >= timezone.localdate(),
        revoke=bureau and state in (ScenarioState.AUTHORIZED, ScenarioState.SUSPENDED),
        answer=answer,
        tasks=task_claims(user, scenario, parts),
        edit=permissions.is_scenario_proposer(user, scenario) and rules.scenario_editable(scenario),
        renew=bureau and rules.scenario_renewable(scenario, timezone.localdate()),
    )
