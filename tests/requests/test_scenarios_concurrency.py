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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_suspension_racing_a_resubmission_within_the_scenario_leaves_no_grant_standing(
    authorized_scenario, coordinator, minzheng_applicant, population_resource, gongan_reviewer
):
    """The resubmission's automatic grant comes before the suspension (which ends it) or not at all (the
    application goes to its provider): never a grant that outlives the suspension."""
    from requests.models import ApplicationState, ShareApplication
    from requests.services import application_return, application_submit, application_update
    from requests.services.scenarios import scenario_suspend
    from tests.requests.helpers import application_data
    from tests.requests.scenario_helpers import cite

    application = cite(minzheng_applicant, population_resource, authorized_scenario, names=None)
    application = application_return(actor=gongan_reviewer, obj=application, comment="请删去户籍地址。")
    data = {name: getattr(application, name) for name in application_data()}
    within = list(population_resource.items.filter(name="姓名"))
    application_update(actor=minzheng_applicant, obj=application, data=data, items=within)

    def resubmit():
        return application_submit(actor=minzheng_applicant, obj=ShareApplication.objects.get(pk=application.pk)).state

    def suspend():
        scenario_suspend(actor=coordinator, obj=Scenario.objects.get(pk=authorized_scenario.pk), reason="核查")
        return "suspended"

    state, suspended = run_concurrently(resubmit, suspend)
    assert suspended == "suspended"
    assert not Grant.objects.filter(scenario=authorized_scenario, state="active").exists()
    if state == ApplicationState.GRANTED:  # granted first, then ended with the others
        grant = Grant.objects.get(application_id=application.pk)
        assert grant.state == "revoked" and grant.scenario_id == authorized_scenario.pk
        assert Record.objects.filter(type=RecordType.REVOCATION_NOTICE, subject_id=str(grant.pk)).count() == 1
    else:  # the suspension first: no scenario to cite, its provider reviews it
        assert state == ApplicationState.IN_REVIEW and not Grant.objects.filter(application_id=application.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_suspension_racing_the_revocation_of_one_of_its_grants_revokes_it_once(
    authorized_scenario, coordinator, zhengshu
):
    from requests.services import GrantError, grant_revoke
    from requests.services.scenarios import scenario_suspend

    colleague = UserFactory(username="zs_colleague", department=zhengshu, roles=["data_bureau"])
    one = Grant.objects.filter(scenario=authorized_scenario).order_by("pk").first()

    def revoke_one():
        grant_revoke(actor=colleague, obj=Grant.objects.get(pk=one.pk), reason="超范围调用")
        return "revoked"

    def suspend():
        scenario_suspend(actor=coordinator, obj=Scenario.objects.get(pk=authorized_scenario.pk), reason="核查")
        return "suspended"

    outcomes = messages(run_concurrently(revoke_one, suspend), GrantError, ScenarioError)
    assert outcomes[1] == "suspended"
    assert set(Grant.objects.filter(scenario=authorized_scenario).values_list("state", flat=True)) == {"revoked"}
    notices = Record.objects.filter(type=RecordType.REVOCATION_NOTICE)
    assert notices.filter(subject_id=str(one.pk)).count() == 1  # by whichever came first
    assert notices.count() == Grant.objects.filter(scenario=authorized_scenario).count()
