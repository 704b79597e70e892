"""Construction projects' rules as plain functions: what a project's fields must say, which step its state allows,
who decides. The state groups are declared once, beside the transitions, in project_approvals.models.

`check_project` takes any object with the project's attributes (an unsaved ConstructionProject from a form or a
service's arguments) and the lists a form picks (systems, resources), and returns `{field: [messages]}`: the form,
the services and the admin check with the same code. The funding gate's rules are project_approvals.gate.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from catalog.models import ResourceStatus
from project_approvals.messages import (
    MSG_BUDGET_NEGATIVE,
    MSG_BUDGET_NONE,
    MSG_BUDGET_TOO_LARGE,
    MSG_CLASSIFIED_ON_CLOUD,
    MSG_CLOUD_REASON_REQUIRED,
    MSG_NEW_SYSTEM_CATEGORY,
    MSG_NO_SYSTEM,
    MSG_REQUIRED,
    MSG_RESOURCE_OTHER_DEPARTMENT,
    MSG_RESOURCE_WITHDRAWN,
    MSG_SYSTEM_NOT_IN_USE,
    MSG_SYSTEM_OTHER_DEPARTMENT,
    MSG_YEAR_INVALID,
)
from project_approvals.models import EDITABLE_STATES, ProjectState
from systems_inventory.choices import Deployment
from systems_inventory.models import SystemStatus

Errors = dict[str, list[str]]
MAX_MONEY = Decimal("999999999999.99")  # the columns' 14 digits, 2 after the point
YEARS_BACK, YEARS_AHEAD = 1, 5


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def money_error(value) -> str | None:
    """Why `value` is not an amount in 万元 the columns hold, or None."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return MSG_BUDGET_TOO_LARGE
    if not amount.is_finite() or amount.copy_abs() > MAX_MONEY or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return MSG_BUDGET_TOO_LARGE
    if amount < 0:
        return MSG_BUDGET_NEGATIVE
    return None


def check_project(project, *, systems: Iterable = (), produced: Iterable = (), consumed: Iterable = ()) -> Errors:
    """A project's own fields and what it lists: required text, budgets, year, the 政务云 rule (seed 001), its
    systems (the department's, in use) and resources (it produces only its department's)."""
    errors: Errors = {}
    for name in ("name", "description", "sharing_plan"):
        if not (getattr(project, name, "") or "").strip():
            _add(errors, name, MSG_REQUIRED)
    for name in ("project_type", "deployment"):
        if not getattr(project, name, ""):
            _add(errors, name, MSG_REQUIRED)
    _check_money(project, errors)
    today = timezone.localdate()
    low, high = today.year - YEARS_BACK, today.year + YEARS_AHEAD
    if project.year is None or not low <= project.year <= high:
        _add(errors, "year", MSG_YEAR_INVALID.format(low=low, high=high))
    _check_deployment(project, errors)
    _check_lists(project, list(systems), list(produced), list(consumed), errors)
    return errors


def _check_money(project, errors: Errors) -> None:
    amounts = {}
    for name in ("construction_budget", "annual_om_budget"):
        value = getattr(project, name, None)
        if value is None or value == "":
            _add(errors, name, MSG_REQUIRED)
            continue
        problem = money_error(value)
        if problem:
            _add(errors, name, problem)
        else:
            amounts[name] = Decimal(str(value))
    if len(amounts) == 2 and not any(amounts.values()):
        _add(errors, "construction_budget", MSG_BUDGET_NONE)


def _check_deployment(project, errors: Errors) -> None:
    """Non-classified projects are built on the 政务云 (seed 001) or say why not; a classified one never is."""
    on_cloud = project.deployment == Deployment.GOV_CLOUD
    if project.is_classified and on_cloud:
        _add(errors, "deployment", MSG_CLASSIFIED_ON_CLOUD)
    elif project.deployment and not on_cloud and not (project.not_on_cloud_reason or "").strip():
        _add(errors, "not_on_cloud_reason", MSG_CLOUD_REASON_REQUIRED)


def _check_lists(project, systems: list, produced: list, consumed: list, errors: Errors) -> None:
    department_id = project.department_id
    for system in systems:
        if system.department_id != department_id:
            _add(errors, "systems", MSG_SYSTEM_OTHER_DEPARTMENT.format(system=system.name))
        elif system.status != SystemStatus.IN_USE:
            _add(errors, "systems", MSG_SYSTEM_NOT_IN_USE.format(system=system.name))
    for resource in produced:
        if resource.provider_department_id != department_id:
            message = MSG_RESOURCE_OTHER_DEPARTMENT.format(
                resource=f"{resource.code} {resource.name}", department=resource.provider_department.name
            )
            _add(errors, "produced_resources", message)
    for name, resources in (("produced_resources", produced), ("consumed_resources", consumed)):
        for resource in resources:
            if resource.status == ResourceStatus.WITHDRAWN:
                _add(errors, name, MSG_RESOURCE_WITHDRAWN.format(resource=f"{resource.code} {resource.name}"))
    new_name = (project.new_system_name or "").strip()
    if new_name and not project.new_system_category_id:
        _add(errors, "new_system_category", MSG_NEW_SYSTEM_CATEGORY)
    if not systems and not new_name:
        _add(errors, "systems", MSG_NO_SYSTEM)


# ---------------------------------------------------------------- which step the state allows


def is_editable(project) -> bool:
    """Its department edits it: a draft, or returned by the bureau for correction."""
    return project.state in EDITABLE_STATES


def awaits_leader(project) -> bool:
    return project.state == ProjectState.SUBMITTED


def awaits_review(project) -> bool:
    return project.state == ProjectState.IN_REVIEW


def awaits_approval(project) -> bool:
    return project.state == ProjectState.PASSED


def awaits_funding(project) -> bool:
    return project.state == ProjectState.APPROVED


def awaits_acceptance(project) -> bool:
    return project.state == ProjectState.BUDGETED


def is_own_project(user, project) -> bool:
    """Separation of duties: nobody at the bureau first-reviews their own department's project."""
    return user.department_id is not None and user.department_id == project.department_id
