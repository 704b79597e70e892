"""A scenario's tasks taken, released and handed over (认领, 退回待认领, 转交): the bureau's acceptance and
authorization, a provider's answer for its part (and the bureau's, once overdue). The rules and the audit are
workflows.taking's, as for share applications; this module takes the locks in the scenarios' order (the scenario,
then the part), keeps the events on the scenario's 办理记录 and tells whom a task is handed to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from viewflow.workflow.models import Task

from requests.flows import ScenarioFlow
from requests.models import Scenario, ScenarioPart
from requests.services.scenarios.common import (
    ScenarioError,
    lock_part,
    lock_scenario,
    part_not_open,
    scenario_not_open,
    tell,
)
from workflows import taking


def scenario_task_take(*, actor, obj: Task, ip: str | None = None) -> Task:
    with transaction.atomic(), _locked(obj) as (scenario, subject):
        taking.take(obj, actor=actor, subject=subject, ip=ip, audited=scenario)
    return obj


def scenario_task_release(*, actor, obj: Task, ip: str | None = None) -> Task:
    with transaction.atomic(), _locked(obj) as (scenario, subject):
        taking.release(obj, actor=actor, subject=subject, ip=ip, audited=scenario)
    return obj


def scenario_task_handover(*, actor, obj: Task, to_user, ip: str | None = None) -> Task:
    with transaction.atomic():
        with _locked(obj) as (scenario, subject):
            taking.hand_over(obj, actor=actor, subject=subject, to_user=to_user, ip=ip, audited=scenario)
        title = obj.flow_task.task_title
        what = f"“{subject.resource.name}”的{title}" if isinstance(subject, ScenarioPart) else title
        tell([to_user], scenario, f"{actor}将应用场景“{scenario.name}”{what}任务转交给您。", event="scenario_task")
    return obj


def subject_of_task(task: Task) -> Scenario | ScenarioPart:
    """The scenario (the bureau's tasks) or the part (a provider's answer) whose process `task` belongs to."""
    if task.flow_task.flow_class is ScenarioFlow:
        return Scenario.objects.get(process__pk=task.process_id)
    return ScenarioPart.objects.select_related("resource").get(process__pk=task.process_id)


@contextmanager
def _locked(task: Task) -> Iterator[tuple[Scenario, Scenario | ScenarioPart]]:
    """The task's scenario and subject (the scenario or its part), locked in that order; workflows.taking's
    refusals said as the scenario's own error."""
    subject = subject_of_task(task)
    if isinstance(subject, ScenarioPart):
        scenario = lock_scenario(subject.scenario)
        subject = lock_part(subject)
    else:
        scenario = subject = lock_scenario(subject)
    try:
        yield scenario, subject
    except taking.TaskRefused as exc:
        if exc.code == taking.CLOSED:
            stale = part_not_open(subject) if isinstance(subject, ScenarioPart) else scenario_not_open(scenario)
            raise stale from exc
        raise ScenarioError(exc.message, field=exc.field) from exc
