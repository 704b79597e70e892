"""Who may see and do what with construction projects and funding.

The roles' `project_approvals.can_*` permissions, which the flow's `.Permission(...)` names, are in
ROLE_PERMISSIONS (registered with organizations.permissions in ProjectApprovalsConfig.ready). A permission says
*what* a role does; the department says *where*:

- a department's applicants fill its projects in and its leader confirms them; its staff see its own projects;
- the data bureau first-reviews every project but its own department's (职责分离);
- the approving authority (project_approver, 市发改委 in the demo) records 立项 and 验收;
- the finance bureau records budgets and O&M funding, only where the gate passes;
- the bureau, auditors, the approving authority and finance see every project once it was sent (a draft is the
  department's own); anyone else gets 404.
"""

from __future__ import annotations

from organizations.roles import Role
from organizations.selectors import acts_with_role

EDIT = "project_approvals.can_edit_project"
CONFIRM = "project_approvals.can_confirm_project"
REVIEW = "project_approvals.can_review_project"
APPROVE = "project_approvals.can_approve_project"
FUND = "project_approvals.can_decide_funding"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.APPLICANT: {EDIT},
    Role.DEPT_LEADER: {CONFIRM},
    Role.DATA_BUREAU: {REVIEW},
    Role.PROJECT_APPROVER: {APPROVE},
    Role.FINANCE: {FUND},
}


def of_department(user, department_id: int | None) -> bool:
    return user.is_authenticated and user.department_id is not None and user.department_id == department_id


def sees_all(user) -> bool:
    """Every project once sent, with its gate: the bureau, auditors, the approving authority and finance (and whoever
    stands in for one of them today)."""
    return user.is_authenticated and acts_with_role(
        user, Role.DATA_BUREAU, Role.AUDITOR, Role.PROJECT_APPROVER, Role.FINANCE
    )


def can_view_project(user, project) -> bool:
    """A project's page, gate, records, materials and history."""
    if of_department(user, project.department_id):
        return True
    return project.state != "draft" and sees_all(user)


def sees_funding_queue(user) -> bool:
    """资金闸口: finance decides there; the bureau and auditors read it."""
    return user.is_authenticated and acts_with_role(user, Role.FINANCE, Role.DATA_BUREAU, Role.AUDITOR)


def may_edit(user, project) -> bool:
    return of_department(user, project.department_id) and user.has_perm(EDIT)


def may_create(user) -> bool:
    return user.is_authenticated and user.department_id is not None and user.has_perm(EDIT)


def may_confirm(user, project) -> bool:
    return of_department(user, project.department_id) and user.has_perm(CONFIRM)


def may_review(user) -> bool:
    return user.is_authenticated and user.has_perm(REVIEW)


def may_approve(user) -> bool:
    return user.is_authenticated and user.has_perm(APPROVE)


def may_fund(user) -> bool:
    return user.is_authenticated and user.has_perm(FUND)


def register_visibility() -> None:
    """What each subject's page shows to whom, for every download about it (workflows.visibility)."""
    from project_approvals.models import ConstructionProject
    from workflows import visibility

    visibility.register(ConstructionProject, can_view_project)
