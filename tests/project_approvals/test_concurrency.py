"""Two finance users deciding one project at once: one decision, one record number (PostgreSQL)."""

import pytest

from pdf_templates.models import Record, RecordType
from project_approvals import services
from project_approvals.models import FundingDecision, ProjectState
from project_approvals.services import ProjectError
from tests.project_approvals.helpers import fresh, later, make_project, to_bureau
from tests.races import messages, run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_finance_users_funding_one_project_make_one_decision_and_one_number(
    good_standing,
    housing_data,
    zhujian_clerk,
    zhujian_leader,
    coordinator,
    approver,
    finance_officer,
    finance_colleague,
):
    project = to_bureau(
        make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data]), zhujian_clerk, zhujian_leader
    )
    services.review_pass(actor=coordinator, obj=project)
    services.project_approve(actor=approver, obj=project, approval_number="通发改审批〔2026〕8号", approved_on=later(0))

    def fund(user, amount):
        services.project_fund(actor=user, obj=fresh(project), amount=amount, budget_line="信息化支出")
        return amount

    outcomes = messages(
        run_concurrently(lambda: fund(finance_officer, "320"), lambda: fund(finance_colleague, "300")), ProjectError
    )
    stale = "项目处于“已批复预算”状态，不能批复预算；可能已被他人处理，请刷新页面。"
    assert sorted(outcomes) in (sorted(["320", stale]), sorted(["300", stale]))
    assert FundingDecision.objects.count() == 1 and fresh(project).state == ProjectState.BUDGETED
    sheets = Record.objects.filter(type=RecordType.FUNDING_GATE_SHEET)
    assert sheets.count() == 1 and sheets.get().sequence == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_finance_users_funding_one_system_for_one_year_make_one_decision(
    good_standing, finance_officer, finance_colleague
):
    def fund(user):
        services.system_om_fund(actor=user, obj=good_standing, year=2027, amount="35", budget_line="运维费")
        return "funded"

    outcomes = messages(run_concurrently(lambda: fund(finance_officer), lambda: fund(finance_colleague)), ProjectError)
    assert sorted(outcomes) == sorted(
        ["funded", "房屋网签备案系统的 2027 年运维经费已经安排（35.00 万元），不能重复安排。"]
    )
    assert FundingDecision.objects.count() == 1
    assert Record.objects.filter(type=RecordType.FUNDING_GATE_SHEET).count() == 1
