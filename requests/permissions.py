"""Who may see and do what with share applications.

The roles' `share_requests.can_*` permissions, which the flow's `.Permission(...)` names, are in
ROLE_PERMISSIONS; RequestsConfig.ready registers them with organizations.permissions, whose backend grants
them. Department scoping is applied on top: a permission says *what* a role does, the department *where*.
"""

from __future__ import annotations

from organizations.roles import Role, is_bureau
from organizations.selectors import acts_with_role
from requests.models import SCENARIO_PUBLISHED_STATES

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.PROVIDER_REVIEWER: {"share_requests.can_review_application", "share_requests.can_confirm_scenario_part"},
    Role.DEPT_LEADER: {"share_requests.can_countersign_application"},
    Role.DATA_BUREAU: {"share_requests.can_arbitrate_application", "share_requests.can_authorize_scenario"},
}


def sees_all(user) -> bool:
    """The data bureau and auditors, and whoever stands in for one of them today."""
    return user.is_authenticated and acts_with_role(user, Role.DATA_BUREAU, Role.AUDITOR)


def reads_overdue(user) -> bool:
    """逾期协调: the bureau works the queue; auditors read it and the late-reply counts."""
    return user.is_authenticated and (is_bureau(user) or user.has_role(Role.AUDITOR))


def can_view(user, application) -> bool:
    """The applicant department; once it was submitted, the provider, the bureau and auditors.

    A substitute, of the same department as their principal, sees what the principal sees (sees_all).
    A draft withdrawn before submission stays the applicant department's alone.
    """
    if not user.is_authenticated:
        return False
    if user.department_id is not None and user.department_id == application.applicant_department_id:
        return True
    if application.submitted_at is None:
        return False
    return sees_all(user) or (
        user.department_id is not None and user.department_id == application.provider_department_id
    )


def can_view_grant(user, grant) -> bool:
    """The consumer and the provider department, the bureau and auditors (selectors.grants_visible_to)."""
    if not user.is_authenticated:
        return False
    return sees_all(user) or (
        user.department_id is not None
        and user.department_id in (grant.consumer_department_id, grant.provider_department_id)
    )


def can_view_api_token(user, token) -> bool:
    """An API token's history: the bureau that manages tokens, and auditors."""
    return sees_all(user)


def can_apply(user) -> bool:
    return user.is_authenticated and user.department_id is not None and user.has_role(Role.APPLICANT)


def can_edit(user, application) -> bool:
    """The applicant department's applicants change their own department's applications."""
    return can_apply(user) and user.department_id == application.applicant_department_id


def is_provider_reviewer(user, application) -> bool:
    return (
        user.is_authenticated
        and user.department_id == application.provider_department_id
        and user.has_perm("share_requests.can_review_application")
    )


def is_provider_leader(user, application) -> bool:
    return (
        user.is_authenticated
        and user.department_id == application.provider_department_id
        and user.has_perm("share_requests.can_countersign_application")
    )


# ---------------------------------------------------------------- application scenarios


def can_propose_scenario(user) -> bool:
    """A department's applicants propose scenarios for their department; the bureau proposes for the city."""
    return (
        user.is_authenticated and user.department_id is not None and (user.has_role(Role.APPLICANT) or is_bureau(user))
    )


def is_scenario_proposer(user, scenario) -> bool:
    """Who may change a proposal: its proposing department's proposers (applicants, or the bureau for its own)."""
    return can_propose_scenario(user) and user.department_id == scenario.proposing_department_id


def can_authorize_scenario(user) -> bool:
    """The bureau accepts proposals, authorizes, suspends and revokes scenarios (and arbitrates overdue parts)."""
    return user.is_authenticated and user.has_perm("share_requests.can_authorize_scenario")


def involved_in_scenario(user, scenario) -> bool:
    """Its proposing department, its consumer departments and the providers of its parts."""
    department = user.department_id
    if department is None:
        return False
    return (
        department == scenario.proposing_department_id
        or scenario.consumer_departments.filter(pk=department).exists()
        or scenario.parts.filter(provider_department_id=department).exists()
    )


def can_view_scenario(user, scenario) -> bool:
    """Once authorized it is on the published 场景清单, for every department; before, the departments involved,
    the bureau and auditors (and whoever stands in for one of them)."""
    if not user.is_authenticated:
        return False
    return scenario.state in SCENARIO_PUBLISHED_STATES or sees_all(user) or involved_in_scenario(user, scenario)


def can_view_scenario_part(user, part) -> bool:
    return can_view_scenario(user, part.scenario)


def answers_for_part(user, part) -> bool:
    """The part's provider department's reviewers confirm or refuse it."""
    return (
        user.is_authenticated
        and user.department_id == part.provider_department_id
        and user.has_perm("share_requests.can_confirm_scenario_part")
    )
