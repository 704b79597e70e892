"""The self-check's rules as plain functions: what a system's fields must say, what a report needs, who decides.

A system's rules take any object with the register's attributes (an InfoSystem, an unsaved ReportLine from a
form or a spreadsheet row), so the form, the import, the services and the API check with the same code. They
return `{field: [messages]}`. The state groups are declared once, beside the transitions, in
systems_inventory.models.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from systems_inventory.choices import BuildType, Deployment, InterfaceMethod
from systems_inventory.messages import (
    MSG_ACTIVITY_DATE_OUTSIDE,
    MSG_ACTIVITY_DATE_WITHOUT_USE,
    MSG_ACTIVITY_FUTURE_MONTH,
    MSG_ARCHIVE_INCOMPLETE,
    MSG_CHECKSUM_INVALID,
    MSG_CLASSIFIED_CONNECTED,
    MSG_CLASSIFIED_ON_CLOUD,
    MSG_CLOUD_REASON_REQUIRED,
    MSG_CONNECTED_NEEDS_COUNT,
    MSG_CONNECTED_NEEDS_METHOD,
    MSG_DATE_IN_FUTURE,
    MSG_DECLARED_BUT_SELF_BUILT,
    MSG_LINES_UNDECIDED,
    MSG_MIGRATE_TARGET,
    MSG_MIGRATE_TARGET_SELF,
    MSG_NOT_CONNECTED_COUNT,
    MSG_NOT_CONNECTED_SINCE,
    MSG_NOTHING_REPORTED,
    MSG_OTHER_DEPARTMENT_SYSTEM,
    MSG_REQUIRED,
    MSG_RETIRE_NEEDS_REASON,
    MSG_ROW_COUNT_REQUIRED,
    MSG_YEAR_INVALID,
)
from systems_inventory.models import (
    DISPOSAL_STATES,
    FILL_STATES,
    CaseState,
    DepartmentReport,
    DispositionMethod,
    LineAction,
    ReportState,
)

FIRST_YEAR = 1980
Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_system(system) -> Errors:
    """A system's own fields: required text, the 政务云 rule (seed 001), 涉密 systems, the sharing platform."""
    errors: Errors = {}
    for field in ("name", "function", "responsible_person", "responsible_phone"):
        if not (getattr(system, field, "") or "").strip():
            _add(errors, field, MSG_REQUIRED)
    _check_deployment(system, errors)
    _check_connection(system, errors)
    today = timezone.localdate()
    year = system.construction_year
    if year is not None and not FIRST_YEAR <= year <= today.year + 1:
        _add(errors, "construction_year", MSG_YEAR_INVALID.format(year=today.year + 1))
    for field in ("approval_date", "connected_since"):
        value = getattr(system, field, None)
        if value is not None and value > today:
            _add(errors, field, MSG_DATE_IN_FUTURE)
    return errors


def _check_deployment(system, errors: Errors) -> None:
    """Non-classified systems are built on the 政务云 (seed 001), or say why not; classified ones never are."""
    on_cloud = system.deployment == Deployment.GOV_CLOUD
    if system.is_classified:
        if on_cloud:
            _add(errors, "deployment", MSG_CLASSIFIED_ON_CLOUD)
    elif system.deployment and not on_cloud and not (system.not_on_cloud_reason or "").strip():
        _add(errors, "not_on_cloud_reason", MSG_CLOUD_REASON_REQUIRED)


def _check_connection(system, errors: Errors) -> None:
    count = system.interface_count or 0
    if system.connected:
        if system.is_classified:
            _add(errors, "connected", MSG_CLASSIFIED_CONNECTED)
        if count < 1:
            _add(errors, "interface_count", MSG_CONNECTED_NEEDS_COUNT)
        if system.interface_method == InterfaceMethod.NONE:
            _add(errors, "interface_method", MSG_CONNECTED_NEEDS_METHOD)
    else:
        if count:
            _add(errors, "interface_count", MSG_NOT_CONNECTED_COUNT)
        if system.connected_since is not None:
            _add(errors, "connected_since", MSG_NOT_CONNECTED_SINCE)


def check_line(line, report: DepartmentReport) -> Errors:
    """A report line: a register system must be the report's department's; a retired one says why."""
    errors: Errors = {}
    system = line.system if line.system_id else None
    if system is not None and system.department_id != report.department_id:
        _add(
            errors,
            "system",
            MSG_OTHER_DEPARTMENT_SYSTEM.format(system=system.name, department=report.department.name),
        )
    if line.action == LineAction.RETIRE:
        if not (line.retire_reason or "").strip():
            _add(errors, "retire_reason", MSG_RETIRE_NEEDS_REASON)
        return errors  # a system that no longer runs is not re-checked
    for field, messages in check_system(line).items():
        errors.setdefault(field, []).extend(messages)
    return errors


def check_complete(report: DepartmentReport, lines: Iterable) -> list[str]:
    """What stops a report from going to the leader: undecided lines, and neither systems nor the declaration."""
    lines = list(lines)
    problems = []
    undecided = sum(1 for line in lines if line.action == LineAction.PENDING)
    if undecided:
        problems.append(MSG_LINES_UNDECIDED.format(count=undecided))
    self_built = [line for line in lines if line.in_use and line.build_type == BuildType.SELF_BUILT]
    if report.no_self_built and self_built:
        problems.append(MSG_DECLARED_BUT_SELF_BUILT)
    elif not report.no_self_built and not self_built:
        problems.append(MSG_NOTHING_REPORTED)
    return problems


def is_fillable(report: DepartmentReport) -> bool:
    """Its department edits it: waiting to be filled in, being filled in, or returned for correction."""
    return report.state in FILL_STATES and report.is_current


def is_own_report(user, report: DepartmentReport) -> bool:
    """Separation of duties: nobody at the bureau decides their own department's report."""
    return user.department_id is not None and user.department_id == report.department_id


def awaits_leader(report: DepartmentReport) -> bool:
    return report.state == ReportState.CONFIRMING


def awaits_bureau(report: DepartmentReport) -> bool:
    return report.state == ReportState.SUBMITTED


# --- the shutdown chain ------------------------------------------------------------------------------


SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def check_disposition(disposition) -> Errors:
    """What a store's disposition must state (an unsaved DataDisposition, from a form): an archive where, in what
    format, how many records, the SHA-256 of its manifest and how long it is kept; a migration where to (another
    system or a catalog resource) and how many records. Nothing may be lost without saying where it went."""
    errors: Errors = {}
    if disposition.row_count is None:
        _add(errors, "row_count", MSG_ROW_COUNT_REQUIRED)
    if disposition.method == DispositionMethod.ARCHIVE:
        for name in ("archive_location", "archive_format", "manifest_sha256", "retention"):
            if not (getattr(disposition, name) or "").strip():
                _add(errors, name, MSG_ARCHIVE_INCOMPLETE)
        checksum = (disposition.manifest_sha256 or "").strip()
        if checksum and not SHA256_HEX.fullmatch(checksum):
            _add(errors, "manifest_sha256", MSG_CHECKSUM_INVALID)
    elif disposition.method == DispositionMethod.MIGRATE:
        if disposition.target_system_id is None and disposition.target_resource_id is None:
            _add(errors, "target_system", MSG_MIGRATE_TARGET)
        elif disposition.target_system_id is not None and disposition.target_system_id == disposition.case.system_id:
            _add(errors, "target_system", MSG_MIGRATE_TARGET_SELF)
    return errors


def awaits_decision(case) -> bool:
    """Suspected (or asked for by its department): the bureau dismisses it or proposes shutdown or integration."""
    return case.state == CaseState.SUSPECTED


def in_objection_window(case, now: dt.datetime) -> bool:
    """The 关停通知书 is out and its window still open: the department objects or accepts."""
    due = case.objection_due_at
    return case.state == CaseState.PROPOSED and (due is None or now <= due)


def window_closed(case, now: dt.datetime) -> bool:
    return case.objection_due_at is not None and now > case.objection_due_at


def awaits_objection_decision(case) -> bool:
    return case.state == CaseState.OBJECTION


def is_disposing(case) -> bool:
    """The department lists the stores and records their dispositions."""
    return case.state in DISPOSAL_STATES


def is_verifiable(case) -> bool:
    """The bureau may verify (or reject) a recorded disposition as soon as it is recorded."""
    return case.state in (*DISPOSAL_STATES, CaseState.VERIFYING)


def awaits_confirmation(case) -> bool:
    return case.state == CaseState.VERIFYING


def unresolved(now: dt.datetime) -> Q:
    """A case that holds its department up (project approvals' gate): a suspicion the bureau has not decided yet,
    or the department past its deadline for disposing of the data."""
    return Q(state=CaseState.SUSPECTED) | Q(state__in=DISPOSAL_STATES, disposition_due_at__lt=now)


# --- usage evidence ------------------------------------------------------------------------------------


def check_activity(activity, *, today: dt.date) -> Errors:
    """A month of use (a SystemActivity, saved or not): not a month still to come; its last day of use within the
    month and not after today, and only where there was use."""
    errors: Errors = {}
    month = activity.month
    if (month.year, month.month) > (today.year, today.month):
        _add(errors, "month", MSG_ACTIVITY_FUTURE_MONTH.format(month=f"{month:%Y-%m}"))
        return errors
    last = activity.last_activity
    if last is not None:
        if (last.year, last.month) != (month.year, month.month) or last > today:
            _add(errors, "last_activity", MSG_ACTIVITY_DATE_OUTSIDE)
        elif not activity.has_activity:
            _add(errors, "last_activity", MSG_ACTIVITY_DATE_WITHOUT_USE)
    return errors


def month_last_day(month: dt.date, today: dt.date) -> dt.date:
    """The last day a month's use can have happened: its last day, or today for the month under way."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return min(following - dt.timedelta(days=1), today)
