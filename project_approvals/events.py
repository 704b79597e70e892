"""How the projects' audit events and states read (办理记录, the admin): in words, not codes."""

from __future__ import annotations

from pdf_templates.models import RecordType
from project_approvals.models import ProjectState
from workflows import deadlines, labels

ACTIONS = {
    "project_approvals.project_created": "填报建设项目",
    "project_approvals.project_updated": "修改建设项目",
    "project_approvals.attachment_added": "上传项目材料",
    "project_approvals.attachment_removed": "删除项目材料",
    "project_approvals.project_submitted": "提交部门负责人确认",
    "project_approvals.project_sent_back": "负责人不予确认，退回修改",
    "project_approvals.project_confirmed": "负责人确认并报送政数局初审",
    "project_approvals.review_passed": "初审通过",
    "project_approvals.review_passed_with_conditions": "初审附条件通过",
    "project_approvals.review_not_passed": "初审不通过",
    "project_approvals.review_returned": "初审退回修改",
    "project_approvals.review_pass_blocked": "初审无条件通过被拒（资金闸口未通过）",
    "project_approvals.review_overdue": "初审超期",
    "project_approvals.condition_met": "确认初审附条件已落实",
    "project_approvals.project_approved": "登记立项",
    "project_approvals.project_funded": "批复项目预算",
    "project_approvals.funding_blocked": "安排经费被拒（资金闸口未通过）",
    "project_approvals.project_accepted": "登记验收",
    "project_approvals.acceptance_blocked": "登记验收被拒（资金闸口未通过）",
    "project_approvals.om_funded": "安排年度运维经费",
    "project_approvals.om_funding_blocked": "安排运维经费被拒（资金闸口未通过）",
}


def register() -> None:
    labels.register(
        actions=ACTIONS,
        # records.issued: to_state names the record type
        states={"project_approvals.constructionproject": {**dict(ProjectState.choices), **dict(RecordType.choices)}},
    )
    deadlines.describe(
        kinds={"project_first_review": "建设项目初审期限"},
        actions={"project_approvals.review_overdue": "初审超期：记录并通知政数局"},
    )
