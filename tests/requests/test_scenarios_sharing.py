"""What an authorized scenario shares: proactive grants, automatic grants of applications citing it, the grant
check naming it, and their end when it is suspended."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Notification
from requests.flows import ShareApplicationFlow
from requests.messages import MSG_SCENARIO_NOT_AUTHORIZED, MSG_SCENARIO_NOT_CONSUMER
from requests.models import ApplicationState, Decision, Grant, GrantState, ShareApplication
from requests.services import ApplicationError, application_return, application_submit, application_update
from requests.services.scenarios import scenario_suspend
from tests.requests.helpers import application_data, client_for, make_application
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import cite
from workflows import flowtasks
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

URL = "/api/grants/check"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(zhengshu):
    out = io.StringIO()
    call_command("issue_api_token", department="TH-ZS", name="市政务数据交换平台", stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def check(client, token, *, consumer="TH-MZ", resource="220500-GA-00001", items="姓名,公民身份号码"):
    response = client.get(
        URL, {"consumer": consumer, "resource": resource, "items": items}, HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 200
    return response.json()


def test_the_consumer_may_use_the_data_without_applying_and_the_check_names_the_scenario(
    client, token, authorized_scenario
):
    body = check(client, token)
    assert body["allowed"] is True and body["reason"] == "granted"
    assert body["grant_number"] == authorized_scenario.record.number
    assert body["scenario"] == {"reference": authorized_scenario.reference, "name": "低保对象认定"}


def test_items_outside_the_scenario_are_not_covered(client, token, authorized_scenario):
    body = check(client, token, items="姓名,户籍地址")
    assert body["allowed"] is False and body["items_not_covered"] == ["户籍地址"]


def test_a_grant_made_on_an_application_names_no_scenario(client, token, housing_grant):
    body = check(client, token, consumer="TH-GA", resource="220500-ZJ-00001", items="房屋坐落")
    assert body["allowed"] is True and body["scenario"] is None


def test_suspension_ends_the_grants_and_the_check_says_so_at_once(client, token, authorized_scenario, coordinator):
    assert check(client, token)["allowed"] is True  # remembered by this process, under the stamp
    scenario_suspend(actor=coordinator, obj=authorized_scenario, reason="核查超范围调用")
    body = check(client, token)
    assert body["allowed"] is False and body["reason"] == "revoked"
    assert body["scenario"]["reference"] == authorized_scenario.reference


def test_renaming_a_scenario_moves_the_check_s_stamp(authorized_scenario, settings):
    from requests.services import grant_check_cache

    settings.GRANT_CHECK_ANSWER_CACHE = True
    before = grant_check_cache.stamp_or_start(cache.get(grant_check_cache.STAMP_KEY))
    authorized_scenario.name = "低保及特困对象认定"
    authorized_scenario.save(update_fields=["name"])
    assert cache.get(grant_check_cache.STAMP_KEY) > before


def test_the_schema_documents_the_scenario_field(client):
    schema = json.loads(client.get("/api/schema/").content)
    scenario = schema["components"]["schemas"]["GrantCheck"]["properties"]["scenario"]
    assert set(scenario["properties"]) == {"reference", "name"} and scenario["nullable"] is True


# ---------------------------------------------------------------- automatic sharing


def test_an_application_citing_the_scenario_within_its_scope_is_granted_on_submit(
    authorized_scenario, minzheng_applicant, population_resource, gongan_reviewer
):
    items = list(population_resource.items.filter(name="姓名"))
    application = make_application(
        minzheng_applicant,
        population_resource,
        items=items,
        cited_scenario=authorized_scenario,
        share_method="query_api",
        period_start=authorized_scenario.valid_from,
        period_end=authorized_scenario.valid_to,
    )
    assert application.state == ApplicationState.GRANTED
    decision = application.decision
    assert decision.decided_as == Decision.DecidedAs.AUTOMATIC
    assert "仅用于最低生活保障对象的家庭经济状况核对" in decision.conditions
    grant = application.grant
    assert grant.scenario == authorized_scenario and grant.state == GrantState.ACTIVE
    record = decision.record
    assert any(authorized_scenario.record.number in paragraph for paragraph in record.data["body"])
    assert {
        "label": "依据的应用场景",
        "value": f"{authorized_scenario.reference} 低保对象认定（{authorized_scenario.record.number}）",
    } in record.data["facts"]
    assert Notification.objects.filter(recipient=gongan_reviewer, event="share_application_auto_granted").exists()


def test_an_application_beyond_the_scenario_goes_to_review(
    authorized_scenario, minzheng_applicant, population_resource
):
    application = make_application(
        minzheng_applicant,
        population_resource,
        items=list(population_resource.items.all()),  # 户籍地址 was not part of the scenario
        cited_scenario=authorized_scenario,
        share_method="query_api",
        period_start=authorized_scenario.valid_from,
        period_end=authorized_scenario.valid_to,
    )
    assert application.state == ApplicationState.IN_REVIEW


def test_only_a_consumer_may_cite_an_authorized_scenario(
    authorized_scenario, gongan_applicant, housing_resource, coordinator, minzheng_applicant, population_resource
):
    with pytest.raises(ApplicationError) as exc:
        make_application(gongan_applicant, housing_resource, cited_scenario=authorized_scenario)
    assert exc.value.errors["cited_scenario"] == [MSG_SCENARIO_NOT_CONSUMER.format(name="低保对象认定")]
    scenario_suspend(actor=coordinator, obj=authorized_scenario, reason="核查")
    with pytest.raises(ApplicationError) as exc:
        make_application(minzheng_applicant, population_resource, cited_scenario=authorized_scenario)
    assert exc.value.message == MSG_SCENARIO_NOT_AUTHORIZED.format(name="低保对象认定", state="已暂停")


def test_suspension_ends_the_automatic_grants_too(
    authorized_scenario, minzheng_applicant, population_resource, coordinator
):
    application = make_application(
        minzheng_applicant,
        population_resource,
        items=list(population_resource.items.filter(name="姓名")),
        cited_scenario=authorized_scenario,
        share_method="query_api",
        period_start=authorized_scenario.valid_from,
        period_end=authorized_scenario.valid_to,
    )
    scenario_suspend(actor=coordinator, obj=authorized_scenario, reason="核查")
    assert Grant.objects.get(application=application).state == GrantState.REVOKED
    assert not Grant.objects.filter(scenario=authorized_scenario, state=GrantState.ACTIVE).exists()
    notice = Notification.objects.filter(recipient=minzheng_applicant, event="scenario_grants_ended").get()
    assert "户籍人口信息" in notice.body and "房屋登记信息" in notice.body


def test_a_withdrawn_resource_ends_the_scenario_s_grant_of_it_with_a_revocation_notice(
    authorized_scenario, housing_resource, coordinator, minzheng
):
    from catalog.services import resource_withdraw
    from pdf_templates.models import Record, RecordType

    resource_withdraw(actor=coordinator, obj=housing_resource, reason="来源系统关停")
    grant = Grant.objects.get(scenario=authorized_scenario, resource=housing_resource)
    assert grant.state == GrantState.REVOKED
    notice = Record.objects.get(type=RecordType.REVOCATION_NOTICE, subject_id=str(grant.pk))
    assert "因应用场景“低保对象认定”" in notice.data["body"][0]
    assert {"label": "场景编号", "value": authorized_scenario.reference} in notice.data["facts"]
    assert (
        Grant.objects.get(
            scenario=authorized_scenario, consumer_department=minzheng, resource__code="220500-GA-00001"
        ).state
        == GrantState.ACTIVE
    )


# ---------------------------------------------------------------- automatic sharing after 补正


@pytest.fixture
def returned_beyond_scope(authorized_scenario, minzheng_applicant, population_resource, gongan_reviewer):
    """An application citing the scenario for more than its scope (户籍地址 too): in review, then returned."""
    application = cite(minzheng_applicant, population_resource, authorized_scenario, names=None)
    assert application.state == ApplicationState.IN_REVIEW
    returned = application_return(actor=gongan_reviewer, obj=application, comment="户籍地址不在场景范围内，请删去。")
    assert returned.state == ApplicationState.RETURNED
    within = list(population_resource.items.filter(name__in=["姓名", "公民身份号码"]))
    data = {name: getattr(returned, name) for name in application_data()}
    return application_update(actor=minzheng_applicant, obj=returned, data=data, items=within)


def test_a_returned_application_resubmitted_within_the_scenario_is_granted_automatically(
    returned_beyond_scope, authorized_scenario, minzheng_applicant
):
    application = application_submit(actor=minzheng_applicant, obj=returned_beyond_scope)
    assert application.state == ApplicationState.GRANTED
    assert application.decision.decided_as == Decision.DecidedAs.AUTOMATIC
    assert application.grant.scenario == authorized_scenario and application.grant.state == GrantState.ACTIVE
    assert {item.name for item in application.grant.items.all()} == {"姓名", "公民身份号码"}
    assert list(flowtasks.disagreements(ShareApplicationFlow)) == []  # the correction task did not stay open
    assert flowtasks.open_task(ShareApplicationFlow, application) is None


def test_a_resubmission_still_beyond_the_scenario_goes_back_to_review(
    returned_beyond_scope, minzheng_applicant, population_resource
):
    data = {name: getattr(returned_beyond_scope, name) for name in application_data()}
    application_update(
        actor=minzheng_applicant, obj=returned_beyond_scope, data=data, items=list(population_resource.items.all())
    )
    application = application_submit(actor=minzheng_applicant, obj=returned_beyond_scope)
    assert application.state == ApplicationState.IN_REVIEW and not Grant.objects.filter(application=application)


def test_over_http_the_resubmission_within_the_scenario_is_granted(returned_beyond_scope, minzheng_applicant):
    client = client_for(minzheng_applicant)
    url = reverse("share_requests:action", args=[returned_beyond_scope.pk, "submit"])
    response = client.post(url, follow=True)
    assert "申请已提交，当前状态：已授权。" in response.content.decode()
    application = ShareApplication.objects.get(pk=returned_beyond_scope.pk)
    assert application.state == ApplicationState.GRANTED and application.grant.scenario_id is not None
    event = AuditEvent.objects.filter(subject_id=str(application.pk), action="share_requests.application_resubmitted")
    assert event.get().ip == "127.0.0.1"
