"""The wrong user on every object kind: a project (and its steps, materials, conditions, snapshots), the queues, the
O&M page and the API. What one may not see is 404; a step one may not take 403 (or the service's refusal)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from project_approvals import services
from project_approvals.models import ConstructionProject, FundingDecision, GateEvaluation, ProjectState
from requests.services import api_token_disable, api_token_issue
from tests.factories import UserFactory
from tests.project_approvals.helpers import client_for, fresh, later, make_project, to_bureau

pytestmark = pytest.mark.usefixtures("frozen")
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name, *args):
    return reverse(f"project_approvals:{name}", args=args)


@pytest.fixture
def draft(good_standing, zhujian_clerk):
    project = make_project(zhujian_clerk, systems=[good_standing])
    services.attachment_add(
        actor=zhujian_clerk,
        obj=project,
        upload=SimpleUploadedFile("可研报告.pdf", PDF, content_type="application/pdf"),
        kind="feasibility",
    )
    return project


@pytest.fixture
def reviewed(draft, zhujian_clerk, zhujian_leader, coordinator):
    to_bureau(draft, zhujian_clerk, zhujian_leader)
    services.review_pass_with_conditions(actor=coordinator, obj=draft, conditions=[("完成数据编目", later(20))])
    return fresh(draft)


def test_a_draft_is_its_department_s_alone(draft, gongan_applicant, finance_officer, coordinator, approver, auditor):
    attachment = draft.attachments.get()
    for user in (gongan_applicant, finance_officer, coordinator, approver, auditor):
        client = client_for(user)
        assert client.get(url("detail", draft.pk)).status_code == 404, user
        assert client.get(url("attachment", attachment.pk)).status_code == 404, user
        assert client.post(url("action", draft.pk, "submit")).status_code == 404, user
        assert draft.reference not in client.get(url("index")).content.decode()


def test_a_sent_project_is_seen_by_the_bureau_finance_the_approver_and_auditors_not_by_others(
    reviewed, gongan_applicant, finance_officer, coordinator, approver, auditor
):
    attachment = reviewed.attachments.get()
    snapshot = GateEvaluation.objects.get(project=reviewed)
    for user in (finance_officer, coordinator, approver, auditor):
        client = client_for(user)
        assert client.get(url("detail", reviewed.pk)).status_code == 200, user
        assert client.get(url("attachment", attachment.pk)).status_code == 200, user
        assert client.get(url("evaluation", snapshot.pk)).status_code == 200, user
    other = client_for(gongan_applicant)
    assert other.get(url("detail", reviewed.pk)).status_code == 404
    assert other.get(url("attachment", attachment.pk)).status_code == 404
    assert other.get(url("evaluation", snapshot.pk)).status_code == 404
    assert other.post(url("condition_meet", reviewed.conditions.get().pk)).status_code == 404
    assert other.post(url("action", reviewed.pk, "approve")).status_code == 404


def test_each_step_is_its_role_s(reviewed, zhujian_clerk, zhujian_leader, finance_officer, auditor, approver):
    forbidden = [
        (zhujian_clerk, "approve"),
        (zhujian_leader, "approve"),
        (auditor, "approve"),
        (finance_officer, "pass"),
        (approver, "pass"),
        (zhujian_leader, "submit"),
    ]
    for user, action in forbidden:
        assert client_for(user).post(url("action", reviewed.pk, action)).status_code == 403, (user, action)
    # Finance holds its step: the service says why not now (the project is not approved yet), and writes nothing.
    page = client_for(finance_officer).post(
        url("action", reviewed.pk, "fund"), {"amount": "1", "budget_line": "x"}, follow=True
    )
    assert "项目处于“初审通过”状态，不能批复预算" in page.content.decode()
    assert client_for(finance_officer).post(url("condition_meet", reviewed.conditions.get().pk)).status_code == 403
    assert not FundingDecision.objects.exists() and fresh(reviewed).state == ProjectState.PASSED


def test_the_leader_of_another_department_cannot_confirm(draft, zhujian_clerk, gongan_leader, zhujian_colleague):
    services.project_submit(actor=zhujian_clerk, obj=draft)
    assert client_for(gongan_leader).post(url("action", draft.pk, "confirm")).status_code == 404
    assert client_for(zhujian_colleague).post(url("action", draft.pk, "confirm")).status_code == 403
    assert fresh(draft).state == ProjectState.SUBMITTED


def test_the_bureau_does_not_review_its_own_department_s_project(zhengshu, coordinator, good_standing):
    bureau_clerk = UserFactory(username="zs_clerk", department=zhengshu, roles=["applicant"])
    bureau_leader = UserFactory(username="zs_boss", department=zhengshu, roles=["dept_leader"])
    own = to_bureau(
        make_project(bureau_clerk, new_system_name="政务数据中台", new_system_category=good_standing.category),
        bureau_clerk,
        bureau_leader,
    )
    page = client_for(coordinator).post(url("action", own.pk, "pass"), follow=True).content.decode()
    assert "不能初审本部门的建设项目（职责分离）。" in page
    assert fresh(own).state == ProjectState.IN_REVIEW


def test_the_queues_and_the_o_and_m_page_are_their_roles(good_standing, zhujian_clerk, zhujian_leader, approver):
    for user in (zhujian_clerk, zhujian_leader):
        client = client_for(user)
        for name in ("review_queue", "approval_queue", "funding_queue"):
            assert client.get(url(name)).status_code == 403, (user, name)
        assert client.get(url("om_system", good_standing.pk, 2027)).status_code == 403
    assert client_for(approver).get(url("funding_queue")).status_code == 403  # finance's, the bureau's and auditors'
    assert client_for(approver).post(url("om_system", good_standing.pk, 2027), {"amount": "1"}).status_code == 403
    assert not FundingDecision.objects.exists()


def test_the_api_wants_a_valid_token(reviewed, caizheng, good_standing):
    client = Client()
    path = f"/api/gates/projects/{reviewed.reference}"
    assert client.get(path).status_code == 401
    assert client.get(path, HTTP_AUTHORIZATION="Token nope").status_code == 401
    token, raw = api_token_issue(department=caizheng, name="预算管理一体化系统")
    assert client.get(path, HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    assert client.get("/api/gates/projects/XM999999", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 404
    om = f"/api/gates/systems/{good_standing.reference}/om"
    assert client.get(om + "?year=2027", HTTP_AUTHORIZATION=f"Token {raw}").json()["passed"] is True
    assert client.get(om + "?year=abc", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 400
    assert client.get(om, HTTP_AUTHORIZATION=f"Token {raw}").status_code == 400
    api_token_disable(actor=None, obj=token)
    assert client.get(path, HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    assert ConstructionProject.objects.count() == 1
