"""Scenario authorization (应用场景授权) through the services: every transition, and who may take it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from catalog.models import DataItem
from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from requests.flows import ScenarioFlow, ScenarioPartFlow
from requests.messages import (
    MSG_ADJUSTMENT_REASON_REQUIRED,
    MSG_LEGAL_BASIS_REQUIRED,
    MSG_NOT_SHARED_NOT_GRANTABLE,
    MSG_PART_NOT_YOURS,
    MSG_REFUSAL_REASON_REQUIRED,
    MSG_SCENARIO_BUREAU_ONLY,
    MSG_SCENARIO_CONSUMERS_REQUIRED,
    MSG_SCENARIO_NOT_A_PROPOSER,
    MSG_SCENARIO_NOTHING_CONFIRMED,
    MSG_SCENARIO_PART_REPEATED,
    MSG_SCENARIO_RESOURCE_GONE,
    MSG_UNCONDITIONAL_AS_REQUESTED,
    MSG_UNCONDITIONAL_NOT_REFUSABLE,
)
from requests.models import Grant, GrantState, PartState, RefusalReason, Scenario, ScenarioPart, ScenarioState
from requests.services.scenarios import (
    ScenarioError,
    scenario_accept,
    scenario_authorize,
    scenario_part_confirm,
    scenario_part_refuse,
    scenario_reject,
    scenario_resume,
    scenario_revoke,
    scenario_suspend,
    scenarios_sweep,
)
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import VALID_TO, part, part_of, propose
from workflows import flowtasks
from workflows.models import AuditEvent, Deadline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _reason(code="SCOPE_EXCESSIVE"):
    return RefusalReason.objects.get(code=code)


def _verify_flows() -> str:
    out = io.StringIO()
    call_command("verify_flows", stdout=out)
    return out.getvalue()


def _actions(scenario) -> list[str]:
    return list(
        AuditEvent.objects.filter(subject_type__model="scenario", subject_id=str(scenario.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------- proposing


def test_a_department_proposes_and_the_bureau_is_asked_to_accept(
    minzheng, minzheng_applicant, coordinator, population_resource, housing_resource
):
    scenario = propose(minzheng_applicant, [minzheng], [part_of(population_resource), part_of(housing_resource)])
    assert scenario.state == ScenarioState.PROPOSED
    assert scenario.proposing_department == minzheng
    assert [p.state for p in scenario.parts.all()] == [PartState.PROPOSED, PartState.PROPOSED]
    assert flowtasks.open_task(ScenarioFlow, scenario).flow_task == ScenarioFlow.accept
    assert Notification.objects.filter(recipient=coordinator, event="scenario_task").exists()
    assert _actions(scenario) == ["share_requests.scenario_proposed"]
    assert "OK:" in _verify_flows()


def test_the_bureau_accepts_and_each_provider_gets_its_task_and_clock(
    minzheng, minzheng_applicant, coordinator, population_resource, housing_resource, gongan_reviewer, zhujian_reviewer
):
    scenario = propose(minzheng_applicant, [minzheng], [part_of(population_resource), part_of(housing_resource)])
    scenario = scenario_accept(actor=coordinator, obj=scenario)
    assert scenario.state == ScenarioState.PROVIDER_REVIEW
    for each, reviewer in (
        (part(scenario, population_resource), gongan_reviewer),
        (part(scenario, housing_resource), zhujian_reviewer),
    ):
        assert each.state == PartState.PENDING and each.due_at is not None
        assert flowtasks.open_task(ScenarioPartFlow, each).flow_task == ScenarioPartFlow.confirm
        assert Deadline.objects.filter(subject_id=str(each.pk), kind="scenario_part_reply", status="active").exists()
        assert Notification.objects.filter(recipient=reviewer, event="scenario_task").exists()
    assert flowtasks.open_task(ScenarioFlow, scenario).flow_task == ScenarioFlow.collect
    assert "OK:" in _verify_flows()


def test_the_bureau_s_own_proposal_goes_to_the_providers_at_once(low_income_scenario):
    assert low_income_scenario.state == ScenarioState.PROVIDER_REVIEW
    assert _actions(low_income_scenario) == ["share_requests.scenario_proposed", "share_requests.scenario_accepted"]
    assert "OK:" in _verify_flows()


def test_only_applicants_and_the_bureau_propose(minzheng, gongan_reviewer, population_resource):
    with pytest.raises(ScenarioError) as exc:
        propose(gongan_reviewer, [minzheng], [part_of(population_resource)])
    assert exc.value.message == MSG_SCENARIO_NOT_A_PROPOSER


def test_a_proposal_is_checked_as_share_applications_are(minzheng_applicant, population_resource, housing_resource):
    wrong_item = DataItem.objects.filter(resource=housing_resource).first()
    bad = part_of(population_resource, ["姓名"])
    bad.items = [*bad.items, wrong_item]
    with pytest.raises(ScenarioError) as exc:
        propose(minzheng_applicant, [], [bad, part_of(population_resource)], purposes=[])
    errors = exc.value.errors
    assert errors["consumer_departments"] == [MSG_SCENARIO_CONSUMERS_REQUIRED]
    assert "所选信息项不属于该资源" in errors["parts-0-items"][0]
    assert errors["parts-1-resource"] == [MSG_SCENARIO_PART_REPEATED.format(resource="户籍人口信息")]
    assert "purposes" in errors


def test_the_bureau_may_decline_a_proposal(minzheng, minzheng_applicant, coordinator, population_resource):
    scenario = propose(minzheng_applicant, [minzheng], [part_of(population_resource)])
    scenario = scenario_reject(actor=coordinator, obj=scenario, reason="该事项已由省级平台统一核验")
    assert scenario.state == ScenarioState.REJECTED and scenario.reason == "该事项已由省级平台统一核验"
    assert flowtasks.open_task(ScenarioFlow, scenario) is None
    assert Notification.objects.filter(recipient=minzheng_applicant, event="scenario_decided").exists()
    assert "OK:" in _verify_flows()


def test_only_the_bureau_accepts(minzheng, minzheng_applicant, population_resource):
    scenario = propose(minzheng_applicant, [minzheng], [part_of(population_resource)])
    with pytest.raises(ScenarioError) as exc:
        scenario_accept(actor=minzheng_applicant, obj=scenario)
    assert exc.value.message == MSG_SCENARIO_BUREAU_ONLY


# ---------------------------------------------------------------- the providers' answers


def test_a_provider_confirms_its_part_and_only_its_own(
    low_income_scenario, population_resource, housing_resource, gongan_reviewer, zhujian_reviewer, minzheng_applicant
):
    housing_part = part(low_income_scenario, housing_resource)
    for stranger in (gongan_reviewer, minzheng_applicant):
        with pytest.raises(ScenarioError) as exc:
            scenario_part_confirm(actor=stranger, obj=housing_part, items=list(housing_part.items.all()))
        assert exc.value.message == MSG_PART_NOT_YOURS
    confirmed = scenario_part_confirm(actor=zhujian_reviewer, obj=housing_part, items=list(housing_part.items.all()))
    assert confirmed.state == PartState.CONFIRMED and confirmed.decided_by == zhujian_reviewer
    assert set(confirmed.confirmed_items.all()) == set(housing_part.items.all())
    assert not Deadline.objects.filter(subject_id=str(confirmed.pk), status="active").exists()
    assert Scenario.objects.get(pk=low_income_scenario.pk).state == ScenarioState.PROVIDER_REVIEW


def test_a_provider_refuses_one_item_with_its_reason(low_income_scenario, population_resource, gongan_reviewer):
    population_part = part(low_income_scenario, population_resource)
    name_only = list(population_part.items.filter(name="姓名"))
    with pytest.raises(ScenarioError) as exc:
        scenario_part_confirm(actor=gongan_reviewer, obj=population_part, items=name_only)
    assert exc.value.message == MSG_ADJUSTMENT_REASON_REQUIRED
    answered = scenario_part_confirm(
        actor=gongan_reviewer, obj=population_part, items=name_only, adjustment_reason="身份号码仅可核验，不提供查询。"
    )
    assert answered.state == PartState.PARTIALLY_CONFIRMED
    assert [item.name for item in answered.confirmed_items.all()] == ["姓名"]
    event = AuditEvent.objects.filter(action="share_requests.scenario_part_answered").get()
    assert "不予共享：公民身份号码" in event.comment and event.data["part"] == answered.pk


def test_a_refusal_states_its_reason_and_a_not_shared_part_its_legal_basis(
    minzheng, coordinator, closed_resource, population_resource, zhujian_reviewer, privacy_law
):
    scenario = propose(coordinator, [minzheng], [part_of(closed_resource), part_of(population_resource)])
    closed_part = part(scenario, closed_resource)
    with pytest.raises(ScenarioError) as exc:
        scenario_part_confirm(actor=zhujian_reviewer, obj=closed_part, items=list(closed_part.items.all()))
    assert exc.value.message == MSG_NOT_SHARED_NOT_GRANTABLE
    with pytest.raises(ScenarioError) as exc:
        scenario_part_refuse(actor=zhujian_reviewer, obj=closed_part, reason=None, text="")
    assert exc.value.errors["reason"] == [MSG_REFUSAL_REASON_REQUIRED]
    with pytest.raises(ScenarioError) as exc:
        scenario_part_refuse(actor=zhujian_reviewer, obj=closed_part, reason=_reason(), text="超出办理事项所需")
    assert exc.value.errors["citation"] == [MSG_LEGAL_BASIS_REQUIRED]
    refused = scenario_part_refuse(
        actor=zhujian_reviewer, obj=closed_part, reason=_reason(), text="超出办理事项所需", legal_basis=privacy_law
    )
    assert refused.state == PartState.REFUSED
    assert refused.refusal_citation == "《中华人民共和国个人信息保护法》第十三条"


def test_unconditional_data_is_confirmed_in_full_and_never_refused(
    minzheng, coordinator, open_resource, zhujian_reviewer
):
    scenario = propose(coordinator, [minzheng], [part_of(open_resource)])
    open_part = part(scenario, open_resource)
    with pytest.raises(ScenarioError) as exc:
        scenario_part_confirm(
            actor=zhujian_reviewer, obj=open_part, items=list(open_part.items.all())[:1], adjustment_reason="少给"
        )
    assert exc.value.message == MSG_UNCONDITIONAL_AS_REQUESTED
    with pytest.raises(ScenarioError) as exc:
        scenario_part_refuse(actor=zhujian_reviewer, obj=open_part, reason=_reason(), text="不想给")
    assert exc.value.message == MSG_UNCONDITIONAL_NOT_REFUSABLE


def test_the_last_answer_opens_the_bureau_s_authorization(
    low_income_scenario, population_resource, housing_resource, gongan_reviewer, zhujian_reviewer, coordinator
):
    scenario_part_confirm(
        actor=zhujian_reviewer,
        obj=part(low_income_scenario, housing_resource),
        items=list(part(low_income_scenario, housing_resource).items.all()),
    )
    scenario_part_refuse(
        actor=gongan_reviewer,
        obj=part(low_income_scenario, population_resource),
        reason=_reason(),
        text="已有省级核验接口",
    )
    scenario = Scenario.objects.get(pk=low_income_scenario.pk)
    assert scenario.state == ScenarioState.REVIEWED
    assert flowtasks.open_task(ScenarioFlow, scenario).flow_task == ScenarioFlow.authorize
    assert Notification.objects.filter(
        recipient=coordinator, event="scenario_task", body__contains="请作出授权决定"
    ).exists()
    assert "OK:" in _verify_flows()


def test_an_overdue_part_goes_to_the_bureau_which_answers_it(
    low_income_scenario, population_resource, coordinator, gongan_reviewer, frozen
):
    from workflows import deadlines

    population_part = part(low_income_scenario, population_resource)
    frozen.move_to(population_part.due_at + dt.timedelta(minutes=1))
    deadlines.evaluate()
    population_part = ScenarioPart.objects.get(pk=population_part.pk)
    assert population_part.state == PartState.ESCALATED and population_part.was_overdue
    assert flowtasks.open_task(ScenarioPartFlow, population_part).flow_task == ScenarioPartFlow.arbitrate
    with pytest.raises(ScenarioError):
        scenario_part_confirm(actor=gongan_reviewer, obj=population_part, items=list(population_part.items.all()))
    answered = scenario_part_confirm(actor=coordinator, obj=population_part, items=list(population_part.items.all()))
    assert answered.state == PartState.CONFIRMED and answered.decided_as == "data_bureau"
    assert "OK:" in _verify_flows()


# ---------------------------------------------------------------- the bureau's decision and after


def test_authorization_issues_the_record_and_the_consumers_grants(
    minzheng_applicant, authorized_scenario, minzheng, population_resource, housing_resource
):
    scenario = authorized_scenario
    assert scenario.state == ScenarioState.AUTHORIZED
    record = scenario.record
    assert record.type == RecordType.SCENARIO_AUTHORIZATION and record.number == "通政数共场〔2026〕1号"
    assert record.data["decision"] == "同意授权。"
    assert [p["resource"] for p in record.data["parts"]] == ["户籍人口信息", "房屋登记信息"]
    grants = Grant.objects.filter(scenario=scenario).order_by("resource__code")
    assert [(g.consumer_department, g.resource, g.state) for g in grants] == [
        (minzheng, population_resource, GrantState.ACTIVE),
        (minzheng, housing_resource, GrantState.ACTIVE),
    ]
    assert all(g.application is None and g.number == record.number and g.valid_to == VALID_TO for g in grants)
    assert Notification.objects.filter(recipient=minzheng_applicant, event="scenario_decided").exists()
    assert "OK:" in _verify_flows()


def test_authorization_in_part_grants_only_the_parts_chosen(
    low_income_scenario, coordinator, gongan_reviewer, zhujian_reviewer, housing_resource
):
    confirm_all(  # noqa: F405
        low_income_scenario,
        {gongan_reviewer.department_id: gongan_reviewer, zhujian_reviewer.department_id: zhujian_reviewer},
    )
    chosen = [part(low_income_scenario, housing_resource)]
    scenario = scenario_authorize(actor=coordinator, obj=low_income_scenario, parts=chosen)
    assert list(Grant.objects.filter(scenario=scenario).values_list("resource", flat=True)) == [housing_resource.pk]
    assert scenario.record.data["decision"] == "部分同意授权。"
    assert "市公安局“户籍人口信息”：本局决定暂不纳入本场景授权" in scenario.record.data["not_authorized"]


def test_nothing_confirmed_cannot_be_authorized_only_declined(
    low_income_scenario, population_resource, housing_resource, gongan_reviewer, zhujian_reviewer, coordinator
):
    for each, reviewer in ((population_resource, gongan_reviewer), (housing_resource, zhujian_reviewer)):
        scenario_part_refuse(actor=reviewer, obj=part(low_income_scenario, each), reason=_reason(), text="无需")
    with pytest.raises(ScenarioError) as exc:
        scenario_authorize(actor=coordinator, obj=low_income_scenario)
    assert exc.value.message == MSG_SCENARIO_NOTHING_CONFIRMED
    scenario = scenario_reject(actor=coordinator, obj=low_income_scenario, reason="各提供部门均不予共享")
    assert scenario.state == ScenarioState.REJECTED
    assert "OK:" in _verify_flows()


def test_a_resource_withdrawn_meanwhile_is_not_authorized(
    low_income_scenario, coordinator, gongan_reviewer, zhujian_reviewer, housing_resource
):
    from catalog.services import resource_withdraw

    confirm_all(  # noqa: F405
        low_income_scenario,
        {gongan_reviewer.department_id: gongan_reviewer, zhujian_reviewer.department_id: zhujian_reviewer},
    )
    resource_withdraw(actor=coordinator, obj=housing_resource, reason="来源系统关停")
    with pytest.raises(ScenarioError) as exc:
        scenario_authorize(actor=coordinator, obj=low_income_scenario)
    assert exc.value.message == MSG_SCENARIO_RESOURCE_GONE.format(resource="房屋登记信息")


def test_suspension_ends_the_grants_and_resumption_gives_new_ones(authorized_scenario, coordinator, minzheng_applicant):
    scenario = scenario_suspend(actor=coordinator, obj=authorized_scenario, reason="发现超范围调用，暂停核查")
    assert scenario.state == ScenarioState.SUSPENDED
    ended = Grant.objects.filter(scenario=scenario)
    assert set(ended.values_list("state", flat=True)) == {GrantState.REVOKED}
    assert all("暂停" in g.revoked_reason for g in ended)
    assert Notification.objects.filter(recipient=minzheng_applicant, event="scenario_grants_ended").exists()
    scenario = scenario_resume(actor=coordinator, obj=scenario)
    assert scenario.state == ScenarioState.AUTHORIZED
    assert Grant.objects.filter(scenario=scenario, state=GrantState.ACTIVE).count() == 2
    scenario = scenario_revoke(actor=coordinator, obj=scenario, reason="办理事项已取消")
    assert scenario.state == ScenarioState.REVOKED
    assert not Grant.objects.filter(scenario=scenario, state=GrantState.ACTIVE).exists()


def test_only_the_bureau_suspends(authorized_scenario, minzheng_applicant, gongan_reviewer):
    for user in (minzheng_applicant, gongan_reviewer):
        with pytest.raises(ScenarioError) as exc:
            scenario_suspend(actor=user, obj=authorized_scenario, reason="不再需要")
        assert exc.value.message == MSG_SCENARIO_BUREAU_ONLY


def test_a_scenario_expires_after_its_validity(authorized_scenario, frozen):
    assert scenarios_sweep() == 0
    frozen.move_to(dt.datetime(2028, 1, 2, 10, tzinfo=dt.UTC))
    assert scenarios_sweep() == 1
    assert scenarios_sweep() == 0
    assert Scenario.objects.get(pk=authorized_scenario.pk).state == ScenarioState.EXPIRED
    assert AuditEvent.objects.filter(action="share_requests.scenario_expired").count() == 1


def test_the_record_is_numbered_in_its_own_series(authorized_scenario):
    assert Record.objects.get(pk=authorized_scenario.record_id).type_code == "共场"


def test_the_scenario_authorization_renders_what_it_grants(authorized_scenario):
    from pypdf import PdfReader

    from pdf_templates.rendering import missing_glyph_fonts
    from pdf_templates.services import render_record

    record = render_record(record_id=authorized_scenario.record_id)
    content = record.pdf.read()
    assert missing_glyph_fonts(content) == []
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")
    for expected in (
        "关于“低保对象认定”应用场景的场景授权书",
        "通政数共场〔2026〕1号",
        "户籍人口信息",
        "房屋登记信息",
        "市民政局",
    ):
        assert expected in text
