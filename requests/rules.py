"""The share application's rules as plain functions: what its state allows, who may decide it.

The services enforce them and the pages use them to offer only what may be done, so none is
written twice. The state groups they use are declared once, beside the transitions, in
requests.models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from catalog.choices import ShareClass, ShareMethod
from requests.models import (
    EDITABLE_STATES,
    PART_CONFIRMED_STATES,
    PART_OPEN_STATES,
    PART_UNANSWERED_STATES,
    SCENARIO_EDITABLE_STATES,
    SCENARIO_STANDING_STATES,
    WITHDRAWABLE_STATES,
    ApplicationState,
    Decision,
    PartState,
    Scenario,
    ScenarioPart,
    ScenarioState,
    ShareApplication,
)

# Who decides an application in each state: its provider in review, the bureau in escalation.
DECIDER_BY_STATE = {
    ApplicationState.IN_REVIEW: Decision.DecidedAs.PROVIDER,
    ApplicationState.ESCALATED: Decision.DecidedAs.DATA_BUREAU,
}
# How much of the data a method hands over: a yes/no check, a record on request, the whole table. A grant may
# narrow the method asked for, never broaden it.
METHOD_BREADTH: dict[str, int] = {
    ShareMethod.VERIFY_API: 1,
    ShareMethod.QUERY_API: 2,
    ShareMethod.BULK_EXCHANGE: 3,
    ShareMethod.FILE_DOWNLOAD: 3,
}
# Grants at this security level or above, decided by the provider, wait for its leader's countersign.
COUNTERSIGN_LEVEL = 3


def is_editable(application: ShareApplication) -> bool:
    """A draft, or an application returned for correction (补正), may be changed and submitted."""
    return application.state in EDITABLE_STATES


def is_withdrawable(application: ShareApplication) -> bool:
    """Until it is decided, the applicant may withdraw it."""
    return application.state in WITHDRAWABLE_STATES


def decider(application: ShareApplication) -> str | None:
    """Who decides now (a Decision.DecidedAs), or None when nobody may decide in this state."""
    return DECIDER_BY_STATE.get(application.state)


def is_own_application(user, application: ShareApplication) -> bool:
    """Separation of duties: nobody decides their own department's application, or one they submitted."""
    return user.pk == application.applicant_id or user.department_id == application.applicant_department_id


def grants_only_as_requested(application: ShareApplication | ScenarioPart, decided_as: str | None) -> bool:
    """Unconditional data is granted by its provider in full, or disputed (共享为原则); the bureau may narrow it."""
    return decided_as == Decision.DecidedAs.PROVIDER and application.resource.share_class == ShareClass.UNCONDITIONAL


def offered_methods(application: ShareApplication | ScenarioPart) -> list[str]:
    """The methods the resource offers now (a 不予共享 entry lists none: then the one asked for)."""
    return list(application.resource.share_methods or [application.share_method])


def is_broader(method: str, than: str) -> bool:
    return METHOD_BREADTH[method] > METHOD_BREADTH[than]


def grantable_methods(application: ShareApplication | ScenarioPart) -> list[str]:
    """The methods a grant may name: offered by the resource and no broader than the one asked for."""
    return [method for method in offered_methods(application) if not is_broader(method, application.share_method)]


def needs_countersign(application: ShareApplication, decided_as: str, granted_levels: Iterable[int]) -> bool:
    """A provider's grant of level ≥ 3 data (an item or the resource) takes effect when its leader countersigns."""
    return decided_as == Decision.DecidedAs.PROVIDER and (
        max(granted_levels, default=0) >= COUNTERSIGN_LEVEL or application.resource.security_level >= COUNTERSIGN_LEVEL
    )


def clock_shown(application: ShareApplication) -> bool:
    """The provider's reply clock is running and its working days left are worth showing."""
    return application.due_at is not None and application.state in (
        ApplicationState.IN_REVIEW,
        ApplicationState.COUNTERSIGNING,
    )


# ---------------------------------------------------------------- application scenarios

# Who answers for a part in each state: its provider while pending, the bureau once overdue (协调).
PART_DECIDER_BY_STATE = {
    PartState.PENDING: Decision.DecidedAs.PROVIDER,
    PartState.ESCALATED: Decision.DecidedAs.DATA_BUREAU,
}


def part_decider(part: ScenarioPart) -> str | None:
    """Who answers for the part now (a Decision.DecidedAs), or None when it is not waiting for an answer."""
    return PART_DECIDER_BY_STATE.get(part.state)


def all_parts_answered(parts: Iterable[ScenarioPart]) -> bool:
    """Every provider has answered for its part (confirmed, partly or not): the bureau may decide."""
    return all(part.state not in PART_OPEN_STATES for part in parts)


def may_be_authorized(part: ScenarioPart) -> bool:
    """Its provider agreed to share it, in full or in part."""
    return part.state in PART_CONFIRMED_STATES


def scenario_in_force(scenario: Scenario, on: dt.date) -> bool:
    """Authorized, not suspended nor ended, and `on` within its validity: what may be shared under it now."""
    return scenario.state == ScenarioState.AUTHORIZED and scenario.valid_from <= on <= scenario.valid_to


def scenario_editable(scenario: Scenario) -> bool:
    """Its proposer may still change it: before the bureau's authorization, and no provider has answered."""
    return (
        scenario.state in SCENARIO_EDITABLE_STATES
        and not scenario.parts.exclude(state__in=PART_UNANSWERED_STATES).exists()
    )


# A scenario may be renewed this many days before its validity ends, or after (while suspended too).
SCENARIO_RENEWAL_WINDOW_DAYS = 90


def scenario_renewable(scenario: Scenario, today: dt.date) -> bool:
    """Authorized (or suspended) and within SCENARIO_RENEWAL_WINDOW_DAYS of the end of its validity."""
    return (
        scenario.state in SCENARIO_STANDING_STATES and (scenario.valid_to - today).days <= SCENARIO_RENEWAL_WINDOW_DAYS
    )
