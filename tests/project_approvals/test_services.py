"""The project's steps through the services: the department, its leader, the bureau, the approving authority, finance
and the acceptance; the refusals of each, with nothing written."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from pdf_templates.models import Record, RecordType
from project_approvals import messages as msg
from project_approvals import services
from project_approvals.models import (
    ConditionStatus,
    ConstructionProject,
    FundingDecision,
    GateEvaluation,
    ProjectState,
)
from project_approvals.services import ProjectError
from tests.project_approvals.helpers import fresh, later, make_project, to_bureau
from workflows.models import AuditEvent, Deadline

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def project(good_standing, zhujian_clerk, housing_data):
    return make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data])


def test_the_whole_lifecycle_through_the_services(
    project, zhujian_clerk, zhujian_leader, coordinator, approver, finance_officer, capsys
):
    to_bureau(project, zhujian_clerk, zhujian_leader)
    project = fresh(project)
    assert project.state == ProjectState.IN_REVIEW
    assert Deadline.objects.filter(kind=services.REVIEW_DEADLINE, subject_id=str(project.pk)).count() == 1

    review = services.review_pass(actor=coordinator, obj=project, comment="符合共享要求。")
    assert review.outcome == "passed" and review.evaluation.passed
    assert review.record.type == RecordType.FIRST_REVIEW_OPINION
    assert review.record.number.startswith("通政数审〔")
    assert [r["result"] for r in review.record.data["rules"]][:6] == ["通过"] * 6

    services.project_approve(actor=approver, obj=project, approval_number="通发改审批〔2026〕8号", approved_on=later(0))
    decision = services.project_fund(
        actor=finance_officer, obj=project, amount="320", budget_line="2130199 其他信息化支出"
    )
    assert decision.amount == Decimal("320") and decision.record.type == RecordType.FUNDING_GATE_SHEET
    assert decision.record.number.startswith("通财核〔")
    assert decision.evaluation.sha256 in [f["value"] for f in decision.record.data["facts"]]
    services.project_accept(actor=approver, obj=project, accepted_on=later(0), comment="按期建成。")

    project = fresh(project)
    assert project.state == ProjectState.ACCEPTED
    purposes = list(GateEvaluation.objects.filter(project=project).order_by("pk").values_list("purpose", flat=True))
    assert purposes == ["first_review", "approval", "funding", "acceptance"]
    call_command("verify_flows")
    assert "OK:" in capsys.readouterr().out


def test_approval_is_refused_before_the_first_review_has_passed(project, zhujian_clerk, zhujian_leader, approver):
    to_bureau(project, zhujian_clerk, zhujian_leader)
    with pytest.raises(ProjectError) as refused:
        services.project_approve(
            actor=approver, obj=project, approval_number="通发改审批〔2026〕9号", approved_on=later(0)
        )
    assert refused.value.message == msg.MSG_APPROVAL_BEFORE_REVIEW.format(state="政数局初审中")
    assert fresh(project).state == ProjectState.IN_REVIEW
    assert not AuditEvent.objects.filter(action="project_approvals.project_approved").exists()


def test_a_conditional_pass_needs_a_due_date_for_every_condition(project, zhujian_clerk, zhujian_leader, coordinator):
    to_bureau(project, zhujian_clerk, zhujian_leader)
    with pytest.raises(ProjectError) as refused:
        services.review_pass_with_conditions(
            actor=coordinator, obj=project, conditions=[("验收前完成目录注册", ""), ("部署于政务云", later(30))]
        )
    assert refused.value.message == msg.MSG_CONDITION_NEEDS_DUE.format(n=1, text="验收前完成目录注册")
    with pytest.raises(ProjectError) as none:
        services.review_pass_with_conditions(actor=coordinator, obj=project, conditions=[])
    assert none.value.message == msg.MSG_CONDITIONS_REQUIRED
    assert fresh(project).state == ProjectState.IN_REVIEW
    assert not GateEvaluation.objects.exists() and not Record.objects.filter(type="first_review_opinion").exists()

    review = services.review_pass_with_conditions(
        actor=coordinator, obj=project, conditions=[("验收前完成目录注册", later(30))]
    )
    assert review.outcome == "conditional"
    assert [(c.text, c.due_on, c.status) for c in review.conditions.all()] == [
        ("验收前完成目录注册", later(30), ConditionStatus.OPEN)
    ]
    assert review.record.data["conditions"][0]["text"] == "验收前完成目录注册"


def test_funding_of_a_project_not_yet_approved_is_refused(project, zhujian_clerk, zhujian_leader, finance_officer):
    to_bureau(project, zhujian_clerk, zhujian_leader)
    with pytest.raises(ProjectError) as refused:
        services.project_fund(actor=finance_officer, obj=project, amount="10", budget_line="信息化支出")
    assert refused.value.stale
    assert not FundingDecision.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", msg.MSG_BUDGET_NEGATIVE),
        ("abc", msg.MSG_BUDGET_TOO_LARGE),
        ("0", msg.MSG_AMOUNT_POSITIVE),
        ("", msg.MSG_AMOUNT_REQUIRED),
    ],
)
def test_a_bad_amount_is_refused_before_anything_is_read(project, finance_officer, amount, message):
    with pytest.raises(ProjectError) as refused:
        services.project_fund(actor=finance_officer, obj=project, amount=amount, budget_line="信息化支出")
    assert refused.value.errors == {"amount": [message]}


def test_only_the_department_s_applicants_create_projects(coordinator, finance_officer):
    for user in (coordinator, finance_officer):
        with pytest.raises(ProjectError, match=msg.MSG_NOT_AN_EDITOR):
            make_project(user)
    assert not ConstructionProject.objects.exists()
