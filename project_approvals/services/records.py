"""The records projects issue, inside the deciding transaction: the 初审意见书 (the bureau's first review, stating
the gate rule by rule and any conditions) and the 资金闸口核验单 (finance's funding decision, with the hash of the
gate's snapshot it relied on)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from pdf_templates.dates import chinese_date
from pdf_templates.models import Record, RecordType
from pdf_templates.services import issue_record
from project_approvals.choices import FundingKind, ReviewOutcome
from project_approvals.models import ConstructionProject, FirstReview, FundingDecision, GateEvaluation
from workflows.textlimits import TITLE, composed

CONCLUSIONS: dict[str, str] = {
    ReviewOutcome.PASSED: "符合政务信息资源共享要求，初审通过，同意进入立项程序。",
    ReviewOutcome.CONDITIONAL: "初审附条件通过，同意进入立项程序；下列条件须在期限内落实，逾期未落实的，资金闸口不予通过。",
    ReviewOutcome.NOT_PASSED: "不符合政务信息资源共享要求，初审不通过。",
    ReviewOutcome.RETURNED: "退回修改，请按下列意见修改后经部门负责人确认重新报送。",
}


def gate_rows(evaluation: GateEvaluation) -> list[dict[str, Any]]:
    """The snapshot's rules as a record's table states them: name, clause, result and what was found."""
    return [
        {
            "name": rule["name"],
            "clause": rule["clause"],
            "passed": rule["passed"],
            "result": {"passed": "通过", "failed": "未通过", "warning": "提示"}[rule["result"]],
            "evidence": rule["message"],
        }
        for rule in evaluation.rules
    ]


def gate_facts(evaluation: GateEvaluation) -> list[dict[str, str]]:
    evaluated = timezone.localtime(evaluation.evaluated_at)
    return [
        {"label": "闸口核验时间", "value": evaluated.strftime("%Y-%m-%d %H:%M:%S")},
        {"label": "规则集版本", "value": evaluation.ruleset_version},
        {"label": "核验快照哈希", "value": evaluation.sha256},
    ]


def _project_facts(project: ConstructionProject) -> list[dict[str, str]]:
    return [
        {"label": "项目编号", "value": project.reference},
        {"label": "项目类型", "value": project.get_project_type_display()},
        {"label": "建设年度", "value": f"{project.year}年"},
        {"label": "建设预算", "value": f"{project.construction_budget}万元"},
        {"label": "年运维预算", "value": f"{project.annual_om_budget}万元"},
        {"label": "部署方式", "value": project.get_deployment_display()},
    ]


def issue_first_review(review: FirstReview, *, actor) -> Record:
    """The 初审意见书: numbered in the bureau's own series (通政数审〔2026〕N号), to the project's department."""
    project = review.project
    confirmed = timezone.localtime(project.confirmed_at) if project.confirmed_at else timezone.localtime()
    conditions = list(review.conditions.order_by("position"))
    data = {
        "body": [
            f"你单位于{chinese_date(confirmed)}报送的“{project.name}”建设项目材料收悉。"
            "经对照政务信息资源共享要求，依据系统实时数据逐项核验资金闸口，初审意见如下。"
        ],
        "conclusion": CONCLUSIONS[review.outcome] + (review.comment if review.comment else ""),
        "rules": gate_rows(review.evaluation),
        "conditions": [{"text": c.text, "due_on": chinese_date(c.due_on)} for c in conditions],
        "facts": [*_project_facts(project), *gate_facts(review.evaluation)],
    }
    return issue_record(
        type=RecordType.FIRST_REVIEW_OPINION,
        subject=project,
        issuer=actor.department,
        actor=actor,
        title=composed(
            "关于{department}“{name}”的初审意见书", TITLE, department=project.department.name, name=project.name
        ),
        addressee=project.department,
        data=data,
    )


def issue_gate_sheet(decision: FundingDecision, *, actor) -> Record:
    """The 资金闸口核验单 of a funding decision: finance's own series (通财核〔2026〕N号), the gate rule by rule and
    the hash of the snapshot the decision relied on."""
    evaluation = decision.evaluation
    if decision.kind == FundingKind.PROJECT:
        subject: Any = decision.project
        name = subject.name
        what = f"{subject.department.name}“{name}”项目预算"
        facts = [{"label": "项目编号", "value": subject.reference}]
        addressee = subject.department
    else:
        subject = decision.system
        name = subject.name
        what = f"{subject.department.name}“{name}”{decision.year}年运维经费"
        facts = [{"label": "系统编号", "value": subject.reference}]
        addressee = subject.department
    data = {
        "body": [f"根据系统实时数据对{what}逐项核验资金闸口，结果如下。"],
        "rules": gate_rows(evaluation),
        "conclusion": f"资金闸口通过，安排{decision.get_kind_display()}{decision.amount}万元"
        f"（{decision.year}年度，预算科目：{decision.budget_line}）。",
        "facts": [
            *facts,
            {"label": "经费类型", "value": decision.get_kind_display()},
            {"label": "安排金额", "value": f"{decision.amount}万元"},
            {"label": "预算年度", "value": f"{decision.year}年"},
            {"label": "预算科目", "value": decision.budget_line},
            *gate_facts(evaluation),
        ],
    }
    return issue_record(
        type=RecordType.FUNDING_GATE_SHEET,
        subject=subject,
        issuer=actor.department,
        actor=actor,
        title=composed("“{name}”资金闸口核验单", TITLE, name=name),
        addressee=addressee,
        data=data,
    )
