"""Writes and transitions of construction projects and funding, one module per part (callers import from here):

- common: the error every service raises, the row lock, the tasks and notices;
- projects: the department fills a project in and sends it to its leader, who confirms it to the bureau;
- review: the bureau's first review (初审) with the gate, its conditions, and the review's clock;
- approval: 立项 and 验收 by the approving authority;
- funding: finance's budget and O&M decisions, only past the gate;
- records: the 初审意见书 and the 资金闸口核验单.
"""

from project_approvals.services.approval import project_accept, project_approve
from project_approvals.services.common import ProjectError, open_task
from project_approvals.services.funding import parse_amount, project_fund, system_om_fund
from project_approvals.services.projects import (
    PROJECT_FIELDS,
    REVIEW_DEADLINE,
    attachment_add,
    attachment_remove,
    project_confirm,
    project_create,
    project_send_back,
    project_submit,
    project_update,
)
from project_approvals.services.review import (
    condition_meet,
    parse_conditions,
    review_not_pass,
    review_overdue,
    review_pass,
    review_pass_with_conditions,
    review_return,
)

__all__ = [
    "PROJECT_FIELDS",
    "REVIEW_DEADLINE",
    "ProjectError",
    "attachment_add",
    "attachment_remove",
    "condition_meet",
    "open_task",
    "parse_amount",
    "parse_conditions",
    "project_accept",
    "project_approve",
    "project_confirm",
    "project_create",
    "project_fund",
    "project_send_back",
    "project_submit",
    "project_update",
    "review_not_pass",
    "review_overdue",
    "review_pass",
    "review_pass_with_conditions",
    "review_return",
    "system_om_fund",
]
