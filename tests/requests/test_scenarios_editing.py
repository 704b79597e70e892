"""A proposal changed by its proposer (修改应用场景) while no provider has answered; refused once one has; over HTTP
with the wrong users; and a change racing a provider's answer (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Notification
from requests.flows import ScenarioPartFlow
from requests.messages import (
    MSG_SCENARIO_EDIT_NOT_PROPOSER,
    MSG_SCENARIO_NOT_EDITABLE,
    MSG_SCENARIO_PART_NOT_REMOVABLE,
)
from requests.models import PartState, Scenario, ScenarioState
from requests.services.scenarios import ScenarioError, scenario_part_confirm, scenario_update
from tests.factories import DepartmentFactory, UserFactory
from tests.races import messages, run_concurrently
from tests.requests.helpers import client_for
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import BASIS, VALID_FROM, VALID_TO, part, part_of, propose, scenario_data
from workflows import flowtasks
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def department_proposal(minzheng, minzheng_applicant, population_resource, housing_resource):
    """民政局's own proposal, waiting for the bureau (已提出)."""
    scenario = propose(
        minzheng_applicant, [minzheng], [part_of(population_resource, ["姓名"]), part_of(housing_resource)]
    )
    assert scenario.state == ScenarioState.PROPOSED
    return scenario


def _fresh(scenario) -> Scenario:
    return Scenario.objects.get(pk=scenario.pk)


def test_the_department_changes_its_proposal_before_the_bureau_accepts_it(
    department_proposal, minzheng, minzheng_applicant, population_resource, gongan
):
    scenario_update(
        actor=minzheng_applicant,
        obj=department_proposal,
        data=scenario_data(name="低保及特困对象认定", conditions="仅用于家庭经济状况核对"),
        consumers=[minzheng, gongan],
        parts=[part_of(population_resource, ["姓名", "公民身份号码"], conditions="限本人授权")],
        ip="10.0.0.4",
    )
    scenario = _fresh(department_proposal)
    assert scenario.name == "低保及特困对象认定" and scenario.conditions == "仅用于家庭经济状况核对"
    assert set(scenario.consumer_departments.all()) == {minzheng, gongan}
    (only,) = scenario.parts.all()  # the housing part went: no provider had seen it
    assert only.resource == population_resource and only.conditions == "限本人授权"
    assert {item.name for item in only.items.all()} == {"姓名", "公民身份号码"}
    event = AuditEvent.objects.get(subject_id=str(scenario.pk), action="share_requests.scenario_updated")
    assert event.actor == minzheng_applicant and event.ip == "10.0.0.4"


def test_the_bureau_changes_a_part_in_provider_review_and_adds_one_sent_at_once(
    coordinator, minzheng, population_resource, housing_resource, gongan_reviewer, zhujian_reviewer
):
    scenario = propose(coordinator, [minzheng], [part_of(population_resource, ["姓名"])])
    assert scenario.state == ScenarioState.PROVIDER_REVIEW
    scenario_update(
        actor=coordinator,
        obj=scenario,
        data=scenario_data(),
        consumers=[minzheng],
        parts=[part_of(population_resource, ["姓名", "户籍地址"]), part_of(housing_resource)],
    )
    population, housing = part(scenario, population_resource), part(scenario, housing_resource)
    assert {item.name for item in population.items.all()} == {"姓名", "户籍地址"}
    assert population.state == PartState.PENDING and housing.state == PartState.PENDING and housing.due_at
    assert flowtasks.open_task(ScenarioPartFlow, housing).flow_task == ScenarioPartFlow.confirm
    assert list(flowtasks.disagreements(ScenarioPartFlow)) == []
    changed = Notification.objects.filter(
        recipient=gongan_reviewer, event="scenario_task", body__contains="已由提出部门修改"
    )
    assert changed.count() == 1
    assert Notification.objects.filter(
        recipient=zhujian_reviewer, event="scenario_task", body__contains="请在"
    ).exists()
    with pytest.raises(ScenarioError) as exc:  # a part with its provider stays
        scenario_update(
            actor=coordinator,
            obj=scenario,
            data=scenario_data(),
            consumers=[minzheng],
            parts=[part_of(housing_resource)],
        )
    assert exc.value.message == MSG_SCENARIO_PART_NOT_REMOVABLE.format(resource=population_resource.name)


def test_no_change_once_a_provider_answered_nor_by_another_department(
    low_income_scenario, coordinator, minzheng, minzheng_applicant, population_resource, gongan_reviewer
):
    with pytest.raises(ScenarioError) as exc:  # proposed by the bureau: 民政局 is a consumer, not its proposer
        scenario_update(
            actor=minzheng_applicant,
            obj=low_income_scenario,
            data=scenario_data(),
            consumers=[minzheng],
            parts=[part_of(population_resource)],
        )
    assert exc.value.message == MSG_SCENARIO_EDIT_NOT_PROPOSER
    population = part(low_income_scenario, population_resource)
    scenario_part_confirm(actor=gongan_reviewer, obj=population, items=list(population.items.all()))
    with pytest.raises(ScenarioError) as exc:
        scenario_update(
            actor=coordinator,
            obj=low_income_scenario,
            data=scenario_data(name="改名"),
            consumers=[minzheng],
            parts=[part_of(population_resource, ["姓名"])],
        )
    assert exc.value.message == MSG_SCENARIO_NOT_EDITABLE
    assert _fresh(low_income_scenario).name == "低保对象认定"


def _form(scenario, population_resource, **overrides) -> dict:
    data = {
        "name": scenario.name,
        "business_matter": scenario.business_matter,
        "purposes": ["fewer_materials"],
        "consumer_departments": list(scenario.consumer_departments.values_list("pk", flat=True)),
        "valid_from": VALID_FROM.isoformat(),
        "valid_to": VALID_TO.isoformat(),
        "legal_basis": BASIS,
        "conditions": "",
        "parts-TOTAL_FORMS": "1",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "20",
        "parts-0-resource": population_resource.pk,
        "parts-0-item_names": "姓名、公民身份号码",
        "parts-0-share_method": "query_api",
        "parts-0-legal_basis": BASIS,
    }
    data.update(overrides)
    return data


def test_over_http_the_proposer_edits_and_the_others_may_not(
    department_proposal, minzheng_applicant, population_resource, gongan_applicant, coordinator
):
    edit = reverse("scenarios:edit", args=[department_proposal.pk])
    detail = reverse("scenarios:detail", args=[department_proposal.pk])
    applicant = client_for(minzheng_applicant)
    assert 'data-testid="edit"' in applicant.get(detail).content.decode()
    page = applicant.get(edit).content.decode()
    assert "保存修改" in page and 'value="低保对象认定"' in page and "姓名" in page

    response = applicant.post(edit, _form(department_proposal, population_resource, name=""))
    assert response.status_code == 400 and _fresh(department_proposal).name == "低保对象认定"
    response = applicant.post(edit, _form(department_proposal, population_resource, name="低保对象认定（修订）"))
    assert response.status_code == 302
    assert _fresh(department_proposal).name == "低保对象认定（修订）"
    assert department_proposal.parts.count() == 1

    # The bureau sees the proposal but is not its proposer: no link, 403; a department not involved: 404.
    assert 'data-testid="edit"' not in client_for(coordinator).get(detail).content.decode()
    assert client_for(coordinator).get(edit).status_code == 403
    assert client_for(coordinator).post(edit, _form(department_proposal, population_resource)).status_code == 403
    assert client_for(gongan_applicant).get(edit).status_code == 403  # its provider: sees it, may not change it
    outsider = UserFactory(username="tj_applicant", department=DepartmentFactory(code="TH-TJ"), roles=["applicant"])
    assert client_for(outsider).get(edit).status_code == 404


def test_over_http_an_answered_scenario_is_not_editable(
    low_income_scenario, coordinator, population_resource, gongan_reviewer
):
    population = part(low_income_scenario, population_resource)
    scenario_part_confirm(actor=gongan_reviewer, obj=population, items=list(population.items.all()))
    bureau = client_for(coordinator)
    detail = reverse("scenarios:detail", args=[low_income_scenario.pk])
    assert 'data-testid="edit"' not in bureau.get(detail).content.decode()
    response = bureau.post(reverse("scenarios:edit", args=[low_income_scenario.pk]), {}, follow=True)
    assert MSG_SCENARIO_NOT_EDITABLE in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_racing_a_provider_s_answer_never_lands_after_it(
    coordinator, minzheng, population_resource, gongan_reviewer
):
    scenario = propose(coordinator, [minzheng], [part_of(population_resource, ["姓名"])])
    population = part(scenario, population_resource)

    def change():
        scenario_update(
            actor=coordinator,
            obj=scenario,
            data=scenario_data(name="改名"),
            consumers=[minzheng],
            parts=[part_of(population_resource, ["姓名"], conditions="限本人授权")],
        )
        return "changed"

    def answer():
        fresh = type(population).objects.get(pk=population.pk)
        scenario_part_confirm(actor=gongan_reviewer, obj=fresh, items=list(fresh.items.all()))
        return "answered"

    outcomes = messages(run_concurrently(change, answer), ScenarioError)
    assert "answered" in outcomes
    codes = list(
        AuditEvent.objects.filter(subject_id=str(scenario.pk), subject_type__model="scenario")
        .filter(action__in=["share_requests.scenario_updated", "share_requests.scenario_part_answered"])
        .order_by("pk")
        .values_list("action", flat=True)
    )
    if "changed" in outcomes:  # the change went first, and the provider answered what it says
        assert codes == ["share_requests.scenario_updated", "share_requests.scenario_part_answered"]
        assert _fresh(scenario).name == "改名"
    else:
        assert outcomes == [MSG_SCENARIO_NOT_EDITABLE, "answered"] and codes == [
            "share_requests.scenario_part_answered"
        ]
