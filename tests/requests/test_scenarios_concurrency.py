"""Two bureau users authorizing the same scenario at once: one authorization, one 场景授权书 number, one set of
grants; and two providers answering their parts at once: the scenario waits for the bureau exactly once."""

import pytest

from pdf_templates.models import Record, RecordType
from requests.messages import MSG_SCENARIO_NOT_OPEN
from requests.models import Grant, Scenario, ScenarioPart, ScenarioState
from requests.services.scenarios import ScenarioError, scenario_authorize, scenario_part_confirm
from tests.factories import UserFactory
from tests.races import messages, run_concurrently
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import confirm_all
from workflows.models import AuditEvent


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bureau_users_authorizing_at_once_issue_one_record(
    low_income_scenario, coordinator, gongan_reviewer, zhujian_reviewer, zhengshu
):
    colleague = UserFactory(username="zs_colleague", department=zhengshu, roles=["data_bureau"])
    confirm_all(
        low_income_scenario,
        {gongan_reviewer.department_id: gongan_reviewer, zhujian_reviewer.department_id: zhujian_reviewer},
    )

    def authorize(user):
        scenario = scenario_authorize(actor=user, obj=Scenario.objects.get(pk=low_income_scenario.pk))
        return scenario.record.number

    outcomes = messages(run_concurrently(lambda: authorize(coordinator), lambda: authorize(colleague)), ScenarioError)

    assert sorted(outcomes) == sorted(["通政数共场〔2026〕1号", MSG_SCENARIO_NOT_OPEN.format(state="已授权")])
    assert Record.objects.filter(type=RecordType.SCENARIO_AUTHORIZATION).count() == 1
    assert Grant.objects.filter(scenario=low_income_scenario).count() == 2
    assert Scenario.objects.get(pk=low_income_scenario.pk).state == ScenarioState.AUTHORIZED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_two_providers_answering_at_once_open_the_bureau_s_task_once(
    low_income_scenario, gongan_reviewer, zhujian_reviewer
):
    def confirm(reviewer):
        part = ScenarioPart.objects.get(scenario=low_income_scenario, provider_department=reviewer.department)
        return scenario_part_confirm(actor=reviewer, obj=part, items=list(part.items.all())).state

    outcomes = run_concurrently(lambda: confirm(gongan_reviewer), lambda: confirm(zhujian_reviewer))

    assert outcomes == ["confirmed", "confirmed"]
    assert Scenario.objects.get(pk=low_income_scenario.pk).state == ScenarioState.REVIEWED
    assert AuditEvent.objects.filter(action="share_requests.scenario_reviewed").count() == 1
