"""Who reads the dashboard, the rankings and the bulletins (404/403 otherwise, in the views)."""

from __future__ import annotations

from organizations.roles import Role, is_bureau
from organizations.selectors import acts_with_role
from workflows import visibility


def sees_city(user) -> bool:
    """The data bureau and auditors (and whoever stands in for one of them today): every department's figures."""
    return user.is_authenticated and acts_with_role(user, Role.DATA_BUREAU, Role.AUDITOR)


def reads_dashboard(user) -> bool:
    """The bureau, auditors and department leaders (their own department against the city)."""
    return sees_city(user) or (
        user.is_authenticated and user.department_id is not None and user.has_role(Role.DEPT_LEADER)
    )


def reads_rankings(user) -> bool:
    """The league tables and the 考核得分: the bureau's."""
    return is_bureau(user)


def manages_bulletins(user) -> bool:
    """Drafting, editing and issuing 情况通报; setting the assessment weights."""
    return is_bureau(user)


def sees_bulletin(user, bulletin) -> bool:
    """An issued bulletin: everyone logged in. A draft: the bureau (and auditors, who read everything)."""
    from dashboard.models import BulletinState

    if not user.is_authenticated:
        return False
    return bulletin.state == BulletinState.ISSUED or sees_city(user)


def sees_weights(user, weights) -> bool:
    """A version of the assessment weights (its history): the bureau and auditors."""
    return sees_city(user)


def register_visibility() -> None:
    from dashboard.models import Bulletin, ScoreWeights

    visibility.register(Bulletin, sees_bulletin)
    visibility.register(ScoreWeights, sees_weights)
