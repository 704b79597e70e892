"""No path records money past a failing gate: finance's page, the O&M page, the API and the admin. A blocked attempt
is refused with the failing rules, and leaves its snapshot and an audit event; nothing else is written."""

import pytest
from django.urls import reverse

from catalog.services import resource_withdraw
from project_approvals import services
from project_approvals.models import FundingDecision, GateEvaluation, ProjectState
from requests.services import api_token_issue
from tests.project_approvals.helpers import client_for, fresh, later, make_project, self_check, to_bureau
from workflows.models import AuditEvent

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def blocked(good_standing, housing_data, zhujian_clerk, zhujian_leader, coordinator, approver):
    """An approved project whose data was withdrawn from the catalog after its first review: its gate now fails."""
    project = to_bureau(
        make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data]), zhujian_clerk, zhujian_leader
    )
    services.review_pass(actor=coordinator, obj=project)
    services.project_approve(actor=approver, obj=project, approval_number="通发改审批〔2026〕8号", approved_on=later(0))
    resource_withdraw(actor=zhujian_clerk, obj=housing_data, reason="数据源调整")
    return fresh(project)


def test_finance_s_page_refuses_with_the_failing_rules_and_the_attempt_is_on_the_trail(blocked, finance_officer):
    client = client_for(finance_officer)
    page = client.get(reverse("project_approvals:detail", args=[blocked.pk])).content.decode()
    assert 'data-testid="funding-blocked"' in page
    queue = client.get(reverse("project_approvals:funding_queue")).content.decode()
    assert blocked.reference in queue and "将产生的数据已在资源目录注册" in queue

    response = client.post(
        reverse("project_approvals:action", args=[blocked.pk, "fund"]),
        {"amount": "320", "budget_line": "信息化支出"},
        follow=True,
        REMOTE_ADDR="10.1.2.3",
    )
    page = response.content.decode()
    assert "资金闸口未通过，不能批复预算。未通过的规则：将产生的数据已在资源目录注册" in page
    assert "220500-ZJ-00011 房屋网签备案信息（已撤销）" in page
    assert not FundingDecision.objects.exists() and fresh(blocked).state == ProjectState.APPROVED
    event = AuditEvent.objects.get(action="project_approvals.funding_blocked")
    assert event.actor == finance_officer and event.ip == "10.1.2.3"
    assert event.data["failing"] == ["catalog_registered"]
    snapshot = GateEvaluation.objects.get(pk=event.data["evaluation"])
    assert snapshot.purpose == "funding" and not snapshot.passed and snapshot.sha256 == event.data["sha256"]


def test_the_o_and_m_page_refuses_too(
    good_standing, zhujian, zhujian_clerk, zhujian_leader, coordinator, housing_data, finance_officer
):
    self_check(
        coordinator,
        zhujian,
        zhujian_clerk,
        zhujian_leader,
        title="补充自查",
        systems=[
            {
                "name": "建设工程档案管理系统",
                "connected": False,
                "interface_count": 0,
                "interface_method": "none",
                "resources": [housing_data],
            }
        ],
    )
    archive = zhujian.info_systems.get(name="建设工程档案管理系统")
    url = reverse("project_approvals:om_system", args=[archive.pk, 2027])
    client = client_for(finance_officer)
    assert "未接入共享平台：请接入后再安排运维经费" in client.get(url).content.decode()

    response = client.post(url, {"amount": "-3", "budget_line": "运维费"})
    assert response.status_code == 400 and "金额须大于 0。" not in response.content.decode()
    assert "金额不能为负数。" in response.content.decode()
    response = client.post(url, {"amount": "30", "budget_line": "运维费"})
    assert response.status_code == 400
    assert "资金闸口未通过，不能安排2027年运维经费。" in response.content.decode()
    assert not FundingDecision.objects.exists()
    assert AuditEvent.objects.get(action="project_approvals.om_funding_blocked").subject_id == str(archive.pk)


def test_the_api_records_no_money(blocked, finance_officer, caizheng):
    _, raw = api_token_issue(department=caizheng, name="预算管理一体化系统")
    headers = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    from django.test import Client

    client = Client()
    path = f"/api/gates/projects/{blocked.reference}"
    answer = client.get(path, **headers).json()
    assert answer["passed"] is False
    assert [r["code"] for r in answer["rules"] if r["result"] == "failed"] == ["catalog_registered"]
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(path, {"amount": "320"}, content_type="application/json", **headers)
        assert response.status_code == 405
    assert not FundingDecision.objects.exists()


def test_the_admin_records_no_money(blocked, admin_client, finance_officer):
    for path in (
        "/admin/project_approvals/fundingdecision/add/",
        "/admin/project_approvals/gateevaluation/add/",
        "/admin/project_approvals/constructionproject/add/",
        f"/admin/project_approvals/constructionproject/{blocked.pk}/change/",
    ):
        response = admin_client.post(path, {"amount": "320", "budget_line": "信息化支出", "state": "budgeted"})
        assert response.status_code == 403, path
    assert admin_client.get("/admin/project_approvals/fundingdecision/").status_code == 200
    assert not FundingDecision.objects.exists() and fresh(blocked).state == ProjectState.APPROVED
