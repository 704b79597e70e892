"""What every scenario transition needs: its error, the row locks, the open tasks, the providers' clock, notices.

Lock order: the scenario's row, then a part's row, then grants. A provider's answer locks the scenario too, so
that of two providers answering at once the second sees the first's answer and knows whether it is the last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db.models import QuerySet
from viewflow.workflow.models import Task

from notifications import recipients as who
from notifications.services import notify
from organizations.models import User
from organizations.roles import Role
from requests import permissions
from requests.flows import ScenarioFlow, ScenarioPartFlow
from requests.messages import (
    MSG_PART_NOT_OPEN,
    MSG_PART_NOT_YOURS,
    MSG_SCENARIO_BUREAU_ONLY,
    MSG_SCENARIO_NOT_OPEN,
    MSG_SCENARIO_REASON_REQUIRED,
)
from requests.models import Scenario, ScenarioPart
from requests.services.errors import ApplicationError
from workflows import deadlines, flowtasks, textlimits

PART_DEADLINE_KIND = "scenario_part_reply"


class ScenarioError(ApplicationError):
    """A scenario action is refused. `errors` maps form fields to messages ("" = the whole form)."""


@contextmanager
def as_scenario_error() -> Iterator[None]:
    """The share-application rules' refusals (ApplicationError), said as this process's own error."""
    try:
        yield
    except ScenarioError:
        raise
    except ApplicationError as exc:
        converted = ScenarioError(exc.message, stale=exc.stale)
        converted.errors = exc.errors
        raise converted from exc


def lock_scenario(scenario: Scenario) -> Scenario:
    """The scenario's row, locked until commit, with its proposer (read, not locked)."""
    rows = Scenario.objects.select_for_update(of=("self",)).select_related("proposing_department", "proposed_by")
    return rows.get(pk=scenario.pk)


def lock_part(part: ScenarioPart) -> ScenarioPart:
    """A part's row, locked until commit (after its scenario's), with its resource and provider."""
    rows = ScenarioPart.objects.select_for_update(of=("self",)).select_related("resource", "provider_department")
    return rows.get(pk=part.pk)


def scenario_not_open(scenario: Scenario) -> ScenarioError:
    """The step acted on is not open (any more): someone acted first, or the page is from an earlier step."""
    return ScenarioError(MSG_SCENARIO_NOT_OPEN.format(state=scenario.get_state_display()), stale=True)


def part_not_open(part: ScenarioPart) -> ScenarioError:
    return ScenarioError(MSG_PART_NOT_OPEN.format(state=part.get_state_display()), stale=True)


def checked_reason(reason: str) -> str:
    """A reason the bureau gives (不予授权, 暂停, 撤销): required, within Scenario.reason's limit."""
    reason = (reason or "").strip().rstrip("。")
    if not reason:
        raise ScenarioError(MSG_SCENARIO_REASON_REQUIRED, field="reason")
    if message := textlimits.too_long(Scenario, "reason", reason):
        raise ScenarioError(message, field="reason")
    return reason


def check_bureau(actor) -> None:
    if not permissions.can_authorize_scenario(actor):
        raise ScenarioError(MSG_SCENARIO_BUREAU_ONLY)


def may_work(actor, task: Task, subject) -> bool:
    """The actor may execute the task: its owner (or their substitute), or anyone who may take it."""
    node = task.flow_task
    if task.owner_id is not None:
        return node.can_execute(actor, task)
    return node.can_assign(actor, task, subject=subject)


def bureau_task(actor, scenario: Scenario) -> Task:
    """The bureau's open task on the locked scenario (accept or authorize), for an actor who may work it."""
    check_bureau(actor)
    node = ScenarioFlow.expected_node(scenario.state)
    task = flowtasks.open_task(ScenarioFlow, scenario, node) if node is not None else None
    if task is None or task.flow_task_type != "HUMAN":
        raise scenario_not_open(scenario)
    if not may_work(actor, task, scenario):
        raise ScenarioError(MSG_SCENARIO_BUREAU_ONLY)
    return task


def part_task(actor, part: ScenarioPart) -> Task:
    """The open task on the locked part: its provider's (confirm) or, overdue, the bureau's (arbitrate)."""
    node = ScenarioPartFlow.expected_node(part.state)
    task = flowtasks.open_task(ScenarioPartFlow, part, node) if node is not None else None
    if task is None:
        raise part_not_open(part)
    if not may_work(actor, task, part):
        raise ScenarioError(MSG_PART_NOT_YOURS if node is ScenarioPartFlow.confirm else MSG_SCENARIO_BUREAU_ONLY)
    return task


def start_part_clock(part: ScenarioPart, now: dt.datetime) -> None:
    """The provider's reply clock, as for a share application (SHARE_REPLY_WORKDAYS, reminder, escalation)."""
    workdays = settings.SHARE_REPLY_WORKDAYS
    deadline = deadlines.register(
        subject=part,
        kind=PART_DEADLINE_KIND,
        title="提供部门确认期限",
        start=now,
        workdays=workdays,
        remind_before=deadlines.remind_lead(settings.SHARE_REMIND_BEFORE_WORKDAYS, workdays),
        on_remind="share_requests.remind_scenario_part",
        on_expiry="share_requests.escalate_scenario_part",
        replace=False,
    )
    part.due_at = deadline.due_at


def stop_part_clock(part: ScenarioPart) -> None:
    deadlines.complete_for(part, kind=PART_DEADLINE_KIND)
    part.due_at = None


# ---------------------------------------------------------------- who is told


def part_reviewers(part: ScenarioPart) -> QuerySet[User]:
    return who.by_role(Role.PROVIDER_REVIEWER, part.provider_department)


def consumer_users(scenario: Scenario) -> set[User]:
    """The consumer departments' applicants and leaders: they use the data and apply under the scenario."""
    users: set[User] = set()
    for department in scenario.consumer_departments.all():
        users |= set(who.by_role(Role.APPLICANT, department)) | set(who.department_leaders(department))
    return users


def proposer_users(scenario: Scenario) -> set[User]:
    """Whoever proposed it, and their department's leaders."""
    users = set(who.department_leaders(scenario.proposing_department))
    if scenario.proposed_by.is_active:
        users.add(scenario.proposed_by)
    return users


def provider_users(parts: Iterable[ScenarioPart]) -> set[User]:
    users: set[User] = set()
    for part in parts:
        users |= set(part_reviewers(part))
    return users


def tell(recipients: Iterable[User], scenario: Scenario, message: str, event: str = "scenario_decided") -> None:
    notify(recipients=recipients, event=event, subject=scenario, context={"message": message})
