"""The 应用场景 pages as the users work them: propose, accept, answer, authorize, suspend, resume, revoke, the
场景清单 and its export; and what the wrong user gets (404 for what they may not see, 403 for what they may
not do)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from requests.messages import MSG_ADJUSTMENT_REASON_REQUIRED, MSG_SCENARIO_REASON_REQUIRED
from requests.models import Grant, GrantState, PartState, RefusalReason, Scenario, ScenarioPart, ScenarioState
from tests.requests.helpers import client_for
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import VALID_FROM, VALID_TO, part

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _detail(scenario) -> str:
    return reverse("scenarios:detail", args=[scenario.pk])


def _action(scenario, action: str) -> str:
    return reverse("scenarios:action", args=[scenario.pk, action])


def _part_action(scenario, each, action: str) -> str:
    return reverse("scenarios:part_action", args=[scenario.pk, each.pk, action])


def _state(scenario) -> str:
    return Scenario.objects.get(pk=scenario.pk).state


def _proposal(population_resource, housing_resource, minzheng, **overrides):
    data = {
        "name": "低保对象认定",
        "business_matter": "最低生活保障审批",
        "purposes": ["fewer_materials"],
        "consumer_departments": [minzheng.pk],
        "valid_from": VALID_FROM.isoformat(),
        "valid_to": VALID_TO.isoformat(),
        "legal_basis": "《社会救助暂行办法》第十一条",
        "conditions": "仅用于家庭经济状况核对",
        "parts-TOTAL_FORMS": "4",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "20",
        "parts-0-resource": population_resource.pk,
        "parts-0-item_names": "姓名、公民身份号码",
        "parts-0-share_method": "verify_api",
        "parts-0-legal_basis": "《社会救助暂行办法》第十一条",
        "parts-1-resource": housing_resource.pk,
        "parts-1-item_names": "",
        "parts-1-share_method": "query_api",
        "parts-1-legal_basis": "《社会救助暂行办法》第十一条",
    }
    data.update(overrides)
    return data


def test_a_department_proposes_the_bureau_accepts_providers_answer_and_the_bureau_authorizes(
    minzheng,
    minzheng_applicant,
    coordinator,
    population_resource,
    housing_resource,
    gongan_reviewer,
    zhujian_reviewer,
):
    applicant = client_for(minzheng_applicant)
    assert applicant.get(reverse("scenarios:propose")).status_code == 200
    response = applicant.post(reverse("scenarios:propose"), _proposal(population_resource, housing_resource, minzheng))
    scenario = Scenario.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(scenario)
    assert [p.resource.name for p in scenario.parts.order_by("position")] == ["户籍人口信息", "房屋登记信息"]
    assert [i.name for i in part(scenario, population_resource).items.order_by("position")] == ["姓名", "公民身份号码"]
    assert part(scenario, housing_resource).items.count() == 3  # blank: every item

    bureau = client_for(coordinator)
    page = bureau.get(_detail(scenario)).content.decode()
    assert "受理并送提供部门确认" in page
    assert bureau.post(_action(scenario, "accept")).status_code == 302
    assert _state(scenario) == ScenarioState.PROVIDER_REVIEW

    population_part, housing_part = part(scenario, population_resource), part(scenario, housing_resource)
    gongan = client_for(gongan_reviewer)
    page = gongan.get(_detail(scenario)).content.decode()
    assert (
        f'data-testid="answer-{population_part.pk}"' in page and f'data-testid="answer-{housing_part.pk}"' not in page
    )
    name_only = population_part.items.get(name="姓名").pk
    response = gongan.post(_part_action(scenario, population_part, "confirm"), {"items": [name_only]})
    assert response.status_code == 400 and MSG_ADJUSTMENT_REASON_REQUIRED in response.content.decode()
    gongan.post(
        _part_action(scenario, population_part, "confirm"),
        {"items": [name_only], "adjustment_reason": "身份号码仅可核验，不提供查询"},
    )
    assert ScenarioPart.objects.get(pk=population_part.pk).state == PartState.PARTIALLY_CONFIRMED
    client_for(zhujian_reviewer).post(
        _part_action(scenario, housing_part, "confirm"),
        {"items": list(housing_part.items.values_list("pk", flat=True))},
    )
    assert _state(scenario) == ScenarioState.REVIEWED

    page = bureau.get(_detail(scenario)).content.decode()
    assert 'data-testid="authorize-form"' in page
    response = bureau.post(_action(scenario, "authorize"), {"parts": [population_part.pk, housing_part.pk]})
    assert response.status_code == 302
    scenario = Scenario.objects.get(pk=scenario.pk)
    assert scenario.state == ScenarioState.AUTHORIZED
    page = applicant.get(_detail(scenario)).content.decode()
    assert scenario.record.number in page and "主动共享" in page
    assert Grant.objects.filter(scenario=scenario, consumer_department=minzheng).count() == 2


def test_the_proposal_form_shows_the_service_s_errors_on_the_rows(
    minzheng, minzheng_applicant, population_resource, housing_resource
):
    data = _proposal(
        population_resource, housing_resource, minzheng, **{"parts-1-resource": population_resource.pk, "name": ""}
    )
    data["parts-0-item_names"] = "姓名、婚姻状况"
    response = client_for(minzheng_applicant).post(reverse("scenarios:propose"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "该资源没有这些信息项：婚姻状况。" in page
    assert not Scenario.objects.exists()
    data["parts-0-item_names"] = "姓名"
    page = client_for(minzheng_applicant).post(reverse("scenarios:propose"), data).content.decode()
    assert "列出了两次" in page and "此项为必填项" in page
    assert not Scenario.objects.exists()


def test_a_refusal_and_the_bureau_s_other_steps_over_http(
    low_income_scenario, population_resource, housing_resource, gongan_reviewer, zhujian_reviewer, coordinator
):
    scenario = low_income_scenario
    reason = RefusalReason.objects.get(code="SCOPE_EXCESSIVE")
    gongan = client_for(gongan_reviewer)
    population_part = part(scenario, population_resource)
    response = gongan.post(_part_action(scenario, population_part, "refuse"), {"text": "已有省级接口"})
    assert response.status_code == 400 and "不予授权必须选择理由代码" in response.content.decode()
    gongan.post(_part_action(scenario, population_part, "refuse"), {"reason": reason.pk, "text": "已有省级接口"})
    assert ScenarioPart.objects.get(pk=population_part.pk).state == PartState.REFUSED
    housing_part = part(scenario, housing_resource)
    client_for(zhujian_reviewer).post(
        _part_action(scenario, housing_part, "confirm"),
        {"items": list(housing_part.items.values_list("pk", flat=True))},
    )
    bureau = client_for(coordinator)
    bureau.post(_action(scenario, "authorize"), {"parts": [housing_part.pk]})
    assert _state(scenario) == ScenarioState.AUTHORIZED
    response = bureau.post(_action(scenario, "suspend"), {"reason": ""})
    assert response.status_code == 400 and MSG_SCENARIO_REASON_REQUIRED in response.content.decode()
    bureau.post(_action(scenario, "suspend"), {"reason": "核查超范围调用"})
    assert _state(scenario) == ScenarioState.SUSPENDED
    assert not Grant.objects.filter(scenario=scenario, state=GrantState.ACTIVE).exists()
    bureau.post(_action(scenario, "resume"))
    assert _state(scenario) == ScenarioState.AUTHORIZED
    bureau.post(_action(scenario, "revoke"), {"reason": "办理事项取消"})
    assert _state(scenario) == ScenarioState.REVOKED
    # A page from an earlier step: the bureau is told, not forbidden.
    response = bureau.post(_action(scenario, "suspend"), {"reason": "再次暂停"}, follow=True)
    assert "没有待办理的这一步骤" in response.content.decode()


def test_the_bureau_declines_a_proposal_over_http(minzheng, minzheng_applicant, coordinator, population_resource):
    from tests.requests.scenario_helpers import part_of, propose

    scenario = propose(minzheng_applicant, [minzheng], [part_of(population_resource)])
    client_for(coordinator).post(_action(scenario, "reject"), {"reason": "已由省级平台统一核验"})
    assert _state(scenario) == ScenarioState.REJECTED
    assert "已由省级平台统一核验" in client_for(minzheng_applicant).get(_detail(scenario)).content.decode()


# ---------------------------------------------------------------- the wrong user


def test_an_uninvolved_department_sees_a_scenario_only_once_it_is_published(
    low_income_scenario, outsider, coordinator, gongan_reviewer, zhujian_reviewer
):
    assert client_for(outsider).get(_detail(low_income_scenario)).status_code == 404
    assert client_for(outsider).post(_action(low_income_scenario, "accept")).status_code == 404
    confirm_all(  # noqa: F405
        low_income_scenario,
        {gongan_reviewer.department_id: gongan_reviewer, zhujian_reviewer.department_id: zhujian_reviewer},
    )
    assert client_for(outsider).get(_detail(low_income_scenario)).status_code == 404
    client_for(coordinator).post(
        _action(low_income_scenario, "authorize"),
        {"parts": list(low_income_scenario.parts.values_list("pk", flat=True))},
    )
    page = client_for(outsider).get(_detail(low_income_scenario))
    assert page.status_code == 200 and 'data-testid="bureau"' not in page.content.decode()
    assert client_for(outsider).post(_action(low_income_scenario, "suspend"), {"reason": "x"}).status_code == 403


def test_another_provider_cannot_answer_a_part(
    low_income_scenario, population_resource, housing_resource, zhujian_reviewer, minzheng_applicant
):
    population_part = part(low_income_scenario, population_resource)
    items = list(population_part.items.values_list("pk", flat=True))
    for user in (zhujian_reviewer, minzheng_applicant):
        response = client_for(user).post(
            _part_action(low_income_scenario, population_part, "confirm"), {"items": items}
        )
        assert response.status_code == 403
    assert ScenarioPart.objects.get(pk=population_part.pk).state == PartState.PENDING
    other = part(low_income_scenario, housing_resource)
    assert (
        client_for(zhujian_reviewer)
        .post(
            reverse("scenarios:part_action", args=[low_income_scenario.pk + 1000, other.pk, "confirm"]),
            {"items": items},
        )
        .status_code
        == 404
    )


def test_only_applicants_and_the_bureau_open_the_proposal_form(gongan_reviewer, auditor):
    for user in (gongan_reviewer, auditor):
        assert client_for(user).get(reverse("scenarios:propose")).status_code == 403


def test_only_the_bureau_and_auditors_list_scenarios_in_progress(low_income_scenario, outsider, auditor):
    url = reverse("scenarios:index")
    assert client_for(outsider).get(url, {"scope": "open"}).status_code == 404
    page = client_for(auditor).get(url, {"scope": "open"}).content.decode()
    assert "低保对象认定" in page


# ---------------------------------------------------------------- 场景清单


def test_the_list_searches_and_exports_what_it_shows(
    authorized_scenario, outsider, minzheng, coordinator, open_resource
):
    from tests.requests.scenario_helpers import part_of, propose

    propose(coordinator, [minzheng], [part_of(open_resource)], name="公租房申请资格审核")  # in review: not listed
    client = client_for(outsider)
    page = client.get(reverse("scenarios:index")).content.decode()
    assert "低保对象认定" in page and "公租房申请资格审核" not in page
    assert "低保对象认定" not in client.get(reverse("scenarios:index"), {"q": "不动产"}).content.decode()
    assert "低保对象认定" in client.get(reverse("scenarios:index"), {"q": "房屋登记"}).content.decode()
    response = client.get(reverse("scenarios:export"), {"q": "低保"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("场景编号", "场景名称", "办理事项")
    assert [row[1] for row in rows[1:]] == ["低保对象认定", "低保对象认定"]
    assert {row[11] for row in rows[1:]} == {"户籍人口信息", "房屋登记信息"}
    assert rows[1][9] == authorized_scenario.record.number


def test_the_provider_s_task_list_shows_its_part(low_income_scenario, gongan_reviewer, outsider):
    page = client_for(gongan_reviewer).get(reverse("scenarios:tasks")).content.decode()
    assert "低保对象认定" in page and "户籍人口信息" in page and "房屋登记信息" not in page
    assert "低保对象认定" not in client_for(outsider).get(reverse("scenarios:tasks")).content.decode()


def test_a_scenario_grant_s_page_cites_its_scenario_and_is_its_parties_alone(
    authorized_scenario, minzheng_applicant, outsider
):
    grant = Grant.objects.filter(scenario=authorized_scenario).first()
    page = client_for(minzheng_applicant).get(reverse("grants:detail", args=[grant.pk])).content.decode()
    assert 'data-testid="grant-scenario"' in page and "低保对象认定" in page
    assert client_for(outsider).get(reverse("grants:detail", args=[grant.pk])).status_code == 404
    assert 'data-testid="grants"' not in client_for(outsider).get(_detail(authorized_scenario)).content.decode()


def test_the_application_form_offers_the_consumer_s_authorized_scenarios(
    authorized_scenario, minzheng_applicant, population_resource, gongan_applicant, housing_resource
):
    url = reverse("share_requests:apply")
    page = client_for(minzheng_applicant).get(url, {"resource": population_resource.pk}).content.decode()
    assert 'name="cited_scenario"' in page and "低保对象认定" in page
    page = client_for(gongan_applicant).get(url, {"resource": housing_resource.pk}).content.decode()
    assert 'name="cited_scenario"' not in page
