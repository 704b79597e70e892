"""A scenario's tasks taken, released and handed over (认领, 退回待认领, 转交): a provider's answer for its part and
the bureau's authorization, through the services and over HTTP, the way share applications' tasks are
(workflows.taking); and two reviewers taking one part at once (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from viewflow.workflow.models import Task

from notifications.models import Notification
from requests.flows import ScenarioFlow, ScenarioPartFlow
from requests.messages import MSG_PART_NOT_YOURS, MSG_SCENARIO_BUREAU_ONLY
from requests.models import PartState, ScenarioPart, ScenarioState
from requests.services.scenarios import (
    ScenarioError,
    scenario_authorize,
    scenario_part_confirm,
    scenario_task_handover,
    scenario_task_release,
    scenario_task_take,
)
from tests.factories import DepartmentFactory, UserFactory
from tests.races import messages, run_concurrently
from tests.requests.helpers import client_for
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import confirm_all, part, part_of, propose
from workflows import flowtasks, taking
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def gongan_colleague(gongan):
    return UserFactory(
        username="ga_reviewer2", last_name="钱", first_name="复核", department=gongan, roles=["provider_reviewer"]
    )


@pytest.fixture
def bureau_colleague(zhengshu):
    return UserFactory(
        username="zs_colleague", last_name="吴", first_name="同事", department=zhengshu, roles=["data_bureau"]
    )


def _part_task(each) -> Task:
    return flowtasks.open_task(ScenarioPartFlow, each)


def _task_url(scenario, task, action: str) -> str:
    return reverse("scenarios:task_action", args=[scenario.pk, task.pk, action])


def _events(scenario, action: str):
    return AuditEvent.objects.filter(subject_id=str(scenario.pk), subject_type__model="scenario", action=action)


def test_a_provider_reviewer_takes_its_part_and_hands_it_to_a_colleague_who_answers(
    low_income_scenario, population_resource, gongan_reviewer, gongan_colleague, zhujian_reviewer
):
    population = part(low_income_scenario, population_resource)
    scenario_task_take(actor=gongan_reviewer, obj=_part_task(population), ip="10.0.0.2")
    with pytest.raises(ScenarioError) as exc:
        scenario_task_take(actor=gongan_colleague, obj=_part_task(population))
    assert exc.value.message == taking.MSG_TASK_TAKEN.format(owner=gongan_reviewer)
    with pytest.raises(ScenarioError) as exc:  # nor answer it while a colleague holds it
        scenario_part_confirm(actor=gongan_colleague, obj=population, items=list(population.items.all()))
    assert exc.value.message == MSG_PART_NOT_YOURS
    with pytest.raises(ScenarioError) as exc:  # another provider's reviewer is no target
        scenario_task_handover(actor=gongan_reviewer, obj=_part_task(population), to_user=zhujian_reviewer)
    assert exc.value.errors == {"to_user": [taking.MSG_HANDOVER_TARGET_INVALID]}

    scenario_task_handover(actor=gongan_reviewer, obj=_part_task(population), to_user=gongan_colleague)
    assert _part_task(population).owner == gongan_colleague
    assert Notification.objects.filter(recipient=gongan_colleague, event="scenario_task").exists()
    scenario_part_confirm(actor=gongan_colleague, obj=population, items=list(population.items.all()))
    population = ScenarioPart.objects.get(pk=population.pk)
    assert population.state == PartState.CONFIRMED and population.decided_by == gongan_colleague
    (taken,) = _events(low_income_scenario, "workflows.task_taken")  # on the scenario's 办理记录
    assert taken.actor == gongan_reviewer and taken.ip == "10.0.0.2" and taken.data["node"] == "confirm"
    (handed,) = _events(low_income_scenario, "workflows.task_handed_over")
    assert handed.data["to_user"] == gongan_colleague.pk


def test_another_provider_cannot_take_a_part_and_a_free_task_cannot_be_released(
    low_income_scenario, population_resource, gongan_reviewer, zhujian_reviewer
):
    population = part(low_income_scenario, population_resource)
    with pytest.raises(ScenarioError) as exc:
        scenario_task_take(actor=zhujian_reviewer, obj=_part_task(population))
    assert exc.value.message == taking.MSG_TASK_FORBIDDEN
    with pytest.raises(ScenarioError) as exc:
        scenario_task_release(actor=gongan_reviewer, obj=_part_task(population))
    assert exc.value.stale
    scenario_task_take(actor=gongan_reviewer, obj=_part_task(population))
    scenario_task_release(actor=gongan_reviewer, obj=_part_task(population))
    assert _part_task(population).owner_id is None
    assert _events(low_income_scenario, "workflows.task_released").count() == 1


def test_the_bureau_takes_the_authorization_and_hands_it_to_a_colleague(
    low_income_scenario, coordinator, bureau_colleague, gongan_reviewer, zhujian_reviewer, zhujian_leader
):
    confirm_all(
        low_income_scenario,
        {gongan_reviewer.department_id: gongan_reviewer, zhujian_reviewer.department_id: zhujian_reviewer},
    )
    task = flowtasks.open_task(ScenarioFlow, low_income_scenario)
    assert task.flow_task == ScenarioFlow.authorize
    scenario_task_take(actor=coordinator, obj=task)
    with pytest.raises(ScenarioError) as exc:
        scenario_authorize(actor=bureau_colleague, obj=low_income_scenario)
    assert exc.value.message == MSG_SCENARIO_BUREAU_ONLY
    with pytest.raises(ScenarioError):  # a department leader does not authorize scenarios
        scenario_task_handover(
            actor=coordinator, obj=flowtasks.open_task(ScenarioFlow, low_income_scenario), to_user=zhujian_leader
        )
    scenario_task_handover(
        actor=coordinator, obj=flowtasks.open_task(ScenarioFlow, low_income_scenario), to_user=bureau_colleague
    )
    scenario = scenario_authorize(actor=bureau_colleague, obj=low_income_scenario)
    assert scenario.state == ScenarioState.AUTHORIZED and scenario.authorized_by == bureau_colleague


def test_over_http_take_hand_over_release_and_the_wrong_users(
    low_income_scenario, population_resource, gongan_reviewer, gongan_colleague, zhujian_reviewer
):
    scenario = low_income_scenario
    population = part(scenario, population_resource)
    task = _part_task(population)
    reviewer, colleague = client_for(gongan_reviewer), client_for(gongan_colleague)
    page = reviewer.get(reverse("scenarios:detail", args=[scenario.pk])).content.decode()
    assert 'data-testid="tasks"' in page and f'data-testid="task-{task.pk}"' in page and "（待认领）" in page
    # The 住建局's reviewer is not offered the 公安局's part, and may not take it: 403.
    other = client_for(zhujian_reviewer).get(reverse("scenarios:detail", args=[scenario.pk])).content.decode()
    assert f'data-testid="task-{task.pk}"' not in other
    assert client_for(zhujian_reviewer).post(_task_url(scenario, task, "take")).status_code == 403
    # Someone who may not see the scenario: 404; a task that is not the scenario's, or an unknown action: 404.
    outsider = UserFactory(username="tj_applicant", department=DepartmentFactory(code="TH-TJ"), roles=["applicant"])
    assert client_for(outsider).post(_task_url(scenario, task, "take")).status_code == 404
    other_scenario = propose(
        scenario.proposed_by, [scenario.consumer_departments.get()], [part_of(population_resource)]
    )
    assert reviewer.get(reverse("scenarios:detail", args=[other_scenario.pk])).status_code == 200
    assert reviewer.post(_task_url(other_scenario, task, "take")).status_code == 404
    assert reviewer.post(_task_url(scenario, task, "steal")).status_code == 404

    assert reviewer.post(_task_url(scenario, task, "take")).status_code == 302
    assert _part_task(population).owner == gongan_reviewer
    page = reviewer.get(reverse("scenarios:detail", args=[scenario.pk])).content.decode()
    assert "退回待认领" in page and f'id="handover_{task.pk}_to_user"' in page
    response = colleague.post(_task_url(scenario, task, "take"), follow=True)
    assert taking.MSG_TASK_TAKEN.format(owner=gongan_reviewer) in response.content.decode()
    response = reviewer.post(_task_url(scenario, task, "handover"), {"to_user": zhujian_reviewer.pk}, follow=True)
    assert taking.MSG_HANDOVER_TARGET_INVALID in response.content.decode()
    assert reviewer.post(_task_url(scenario, task, "handover"), {"to_user": gongan_colleague.pk}).status_code == 302
    assert _part_task(population).owner == gongan_colleague
    assert colleague.post(_task_url(scenario, task, "release")).status_code == 302
    assert _part_task(population).owner_id is None
    actions = list(
        AuditEvent.objects.filter(subject_id=str(scenario.pk), action__startswith="workflows.task_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["workflows.task_taken", "workflows.task_handed_over", "workflows.task_released"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_taking_one_part_at_once_one_takes_it(
    low_income_scenario, population_resource, gongan_reviewer, gongan_colleague
):
    population = part(low_income_scenario, population_resource)

    def take(reviewer):
        scenario_task_take(actor=reviewer, obj=_part_task(population))
        return reviewer.username

    outcomes = messages(run_concurrently(lambda: take(gongan_reviewer), lambda: take(gongan_colleague)), ScenarioError)
    owner = _part_task(population).owner
    assert sorted(outcomes) == sorted([owner.username, taking.MSG_TASK_TAKEN.format(owner=owner)])
    assert _events(low_income_scenario, "workflows.task_taken").count() == 1
