"""Over HTTP, as the users would: the department fills a project in and its leader confirms it, the bureau reviews,
the approving authority records 立项, finance funds it past the gate, and the approver records 验收; bad input
answered with a clear error and nothing written."""

import pytest
from django.urls import reverse

from project_approvals.models import ConstructionProject, FundingDecision, GateEvaluation, ProjectState
from tests.project_approvals.helpers import client_for, fresh, make_project, to_bureau
from workflows.models import AuditEvent

pytestmark = pytest.mark.usefixtures("frozen")


def url(name, *args):
    return reverse(f"project_approvals:{name}", args=args)


def form(**overrides):
    data = {
        "name": "房屋网签备案系统升级改造项目",
        "project_type": "upgrade",
        "year": "2026",
        "description": "升级网签备案系统，新增存量房交易资金监管功能。",
        "construction_budget": "320",
        "annual_om_budget": "45.5",
        "new_system_name": "",
        "new_system_category": "",
        "sharing_plan": "交易数据通过共享交换平台接口实时推送。",
        "deployment": "gov_cloud",
        "not_on_cloud_reason": "",
    }
    data.update(overrides)
    return data


def step(client, project, action, **data):
    return client.post(url("action", project.pk, action), data, follow=True)


def test_the_lifecycle_over_http(
    good_standing, housing_data, zhujian_clerk, zhujian_leader, coordinator, approver, finance_officer
):
    clerk = client_for(zhujian_clerk)
    response = clerk.post(
        url("create"), form(systems=[good_standing.pk], produced_resources=[housing_data.pk]), follow=True
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    project = ConstructionProject.objects.get()
    page = response.content.decode()
    assert "资金闸口" in page and 'data-testid="gate-result"' in page

    assert "已提交部门负责人确认" in step(clerk, project, "submit").content.decode()
    leader = client_for(zhujian_leader)
    assert "待您确认" not in leader.get(url("tasks")).content.decode()  # the task is listed, not a notice
    assert project.reference in leader.get(url("tasks")).content.decode()
    assert "已确认" in step(leader, project, "confirm", comment="同意报送。").content.decode()

    bureau = client_for(coordinator)
    queue = bureau.get(url("review_queue")).content.decode()
    assert project.reference in queue and "通过" in queue
    page = step(bureau, project, "pass", comment="符合要求。").content.decode()
    assert "初审通过，签发通政数审〔2026〕1号" in page

    fgw = client_for(approver)
    assert project.reference in fgw.get(url("approval_queue")).content.decode()
    page = step(
        fgw, project, "approve", approval_number="通发改审批〔2026〕8号", approved_on="2026-03-02"
    ).content.decode()
    assert "已登记立项" in page

    finance = client_for(finance_officer)
    assert project.reference in finance.get(url("funding_queue")).content.decode()
    page = step(finance, project, "fund", amount="320", budget_line="2130199 其他信息化支出").content.decode()
    assert "资金闸口通过，已批复预算 320.00 万元，签发通财核〔2026〕1号" in page

    page = step(fgw, project, "accept", accepted_on="2026-03-02", comment="按期建成").content.decode()
    assert "已登记验收" in page
    assert fresh(project).state == ProjectState.ACCEPTED
    assert AuditEvent.objects.filter(subject_id=str(project.pk), action__startswith="project_approvals.").count() == 7


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("construction_budget", "-5", "金额不能为负数。"),
        ("construction_budget", "三百万", "请填写数字金额（万元），例如 320 或 45.50。"),
        ("annual_om_budget", "-0.01", "金额不能为负数。"),
        ("construction_budget", "1234567890123", "金额超出可登记的范围"),
    ],
)
def test_a_bad_budget_is_a_clear_error_and_nothing_is_written(good_standing, zhujian_clerk, field, value, message):
    response = client_for(zhujian_clerk).post(url("create"), form(systems=[good_standing.pk], **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ConstructionProject.objects.exists()


def test_a_produced_resource_of_another_department_is_refused(
    good_standing, zhujian_clerk, gongan_applicant, coordinator
):
    from tests.project_approvals.helpers import resource

    theirs = resource(gongan_applicant, coordinator, "220500-GA-00001", name="人口基本信息")
    response = client_for(zhujian_clerk).post(
        url("create"), form(systems=[good_standing.pk], produced_resources=[theirs.pk])
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "所选的将产生的目录资源不是本部门的资源" in page
    assert not ConstructionProject.objects.exists()


def test_a_conditional_pass_with_no_due_date_is_refused(good_standing, zhujian_clerk, zhujian_leader, coordinator):
    project = to_bureau(make_project(zhujian_clerk, systems=[good_standing]), zhujian_clerk, zhujian_leader)
    page = step(
        client_for(coordinator), project, "conditional", condition_1="验收前完成目录注册", due_1=""
    ).content.decode()
    assert "第 1 项条件“验收前完成目录注册”没有落实期限：请填写日期。" in page
    assert fresh(project).state == ProjectState.IN_REVIEW and not GateEvaluation.objects.exists()


def test_approval_before_the_first_review_is_a_clear_error(good_standing, zhujian_clerk, zhujian_leader, approver):
    project = to_bureau(make_project(zhujian_clerk, systems=[good_standing]), zhujian_clerk, zhujian_leader)
    page = step(
        client_for(approver), project, "approve", approval_number="通发改审批〔2026〕9号", approved_on="2026-03-02"
    )
    assert "政数局初审通过前，不能登记立项" in page.content.decode()
    assert fresh(project).state == ProjectState.IN_REVIEW
    assert not FundingDecision.objects.exists()
