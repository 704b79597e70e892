"""Roles are Django groups named by these codes (migration 0002 creates them); a user may hold several."""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    PROVIDER_REVIEWER = "provider_reviewer", "提供方审核人"
    DEPT_LEADER = "dept_leader", "部门负责人"
    DATA_BUREAU = "data_bureau", "政数局"
    FINANCE = "finance", "财政局"
    AUDITOR = "auditor", "审计"
    # The project-approving authority (项目审批部门, 市发改委 in the demo): records 立项 and 验收 of IT projects.
    PROJECT_APPROVER = "project_approver", "项目审批部门"


def is_bureau(user) -> bool:
    """The user holds the data bureau's role, and so its powers. (What a substitute standing in for the bureau
    may see is organizations.selectors.acts_with_role.)"""
    return user.is_authenticated and user.has_role(Role.DATA_BUREAU)
