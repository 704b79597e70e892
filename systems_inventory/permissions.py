"""Who may see and do what in the self-check and the register of systems.

The roles' `systems_inventory.can_*` permissions, which the flow's `.Permission(...)` names, are in
ROLE_PERMISSIONS (registered with organizations.permissions in SystemsInventoryConfig.ready). A permission
says *what* a role does; the department says *where*:

- a department's staff see its own systems and reports; its applicants fill its report in and its leader
  confirms it;
- the data bureau runs the campaigns and reviews every report; the bureau and auditors see everything;
- the finance bureau sees every system, but only its funding fields (models.FUNDING_FIELDS);
- the shutdown chain: the bureau scans, dismisses, proposes, decides objections, verifies and confirms; the
  system's department (its applicants and leader) objects, disposes of the data and may ask to retire a system;
  a case is seen by the system's department, the bureau and auditors;
- anyone else gets 404.
"""

from __future__ import annotations

from organizations.roles import Role
from organizations.selectors import acts_with_role

FILL = "systems_inventory.can_fill_report"
CONFIRM = "systems_inventory.can_confirm_report"
REVIEW = "systems_inventory.can_review_report"
MANAGE = "systems_inventory.can_manage_campaigns"
DECIDE_SHUTDOWN = "systems_inventory.can_decide_shutdown"
ANSWER_SHUTDOWN = "systems_inventory.can_answer_shutdown"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.APPLICANT: {FILL, ANSWER_SHUTDOWN},
    Role.DEPT_LEADER: {CONFIRM, ANSWER_SHUTDOWN},
    Role.DATA_BUREAU: {REVIEW, MANAGE, DECIDE_SHUTDOWN},
}


def sees_all(user) -> bool:
    """The data bureau and auditors, and whoever stands in for one of them today."""
    return user.is_authenticated and acts_with_role(user, Role.DATA_BUREAU, Role.AUDITOR)


def sees_funding(user) -> bool:
    """The finance bureau: every system's funding fields (it will fund their operation)."""
    return user.is_authenticated and acts_with_role(user, Role.FINANCE)


def of_department(user, department_id: int | None) -> bool:
    return user.is_authenticated and user.department_id is not None and user.department_id == department_id


def sees_full_system(user, system) -> bool:
    """Every field of a system, and its history: its department, the bureau and auditors."""
    return sees_all(user) or of_department(user, system.department_id)


def can_view_system(user, system) -> bool:
    """A system's page: whoever sees it in full, and finance (its funding fields only)."""
    return sees_full_system(user, system) or sees_funding(user)


def can_view_report(user, report) -> bool:
    """A report, its lines and its records: its department, the bureau and auditors."""
    return sees_all(user) or of_department(user, report.department_id)


def sees_statistics(user) -> bool:
    """A campaign's page with every department's progress and the statistics: the bureau, leaders, auditors."""
    return sees_all(user) or (user.is_authenticated and user.has_role(Role.DEPT_LEADER))


def can_view_campaign(user, campaign) -> bool:
    """A campaign and its history: who sees its statistics; a draft the bureau only."""
    if campaign.state == "draft":
        return sees_all(user)
    return sees_statistics(user)


def may_fill(user, report) -> bool:
    return of_department(user, report.department_id) and user.has_perm(FILL)


def may_confirm(user, report) -> bool:
    return of_department(user, report.department_id) and user.has_perm(CONFIRM)


def can_view_case(user, case) -> bool:
    """A shutdown case, its evidence, attachments and records: the system's department, the bureau, auditors."""
    return sees_all(user) or of_department(user, case.system.department_id)


def decides_shutdown(user) -> bool:
    return user.is_authenticated and user.has_perm(DECIDE_SHUTDOWN)


def decides_case(user, case) -> bool:
    """The bureau decides a case, but not its own department's system's (职责分离)."""
    return decides_shutdown(user) and not of_department(user, case.system.department_id)


def answers_for(user, system) -> bool:
    """Objects, disposes of the data, asks to retire: the system's own department's staff with the permission."""
    return of_department(user, system.department_id) and user.has_perm(ANSWER_SHUTDOWN)


def reports_activity(user) -> bool:
    """Reports its department's systems' use by spreadsheet: staff who answer for its systems."""
    return user.is_authenticated and user.department_id is not None and user.has_perm(ANSWER_SHUTDOWN)


def may_review(user) -> bool:
    return user.is_authenticated and user.has_perm(REVIEW)


def manages_campaigns(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE)


def register_visibility() -> None:
    """What each subject's page shows to whom, for every download about it (workflows.visibility).

    A system's page is open to finance for its funding fields, but its history (办理记录, the trail) only to
    sees_full_system: the system is registered with the history's rule, as the catalog does.
    """
    from systems_inventory.models import Campaign, DepartmentReport, InfoSystem, ShutdownCase
    from workflows import visibility

    visibility.register(InfoSystem, sees_full_system)
    visibility.register(DepartmentReport, can_view_report)
    visibility.register(Campaign, can_view_campaign)
    visibility.register(ShutdownCase, can_view_case)
