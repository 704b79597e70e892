"""The department's side of a report: fill it in (line by line, or the declaration 无自建系统), send it to the
leader, and the leader's confirmation (部门负责人确认) or refusal.

Every write locks the report's row first, so its lines change one writer at a time. The first edit of a
report waiting to be filled in (or returned) starts it: its lines are then pre-filled from the register.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from notifications import recipients as who
from systems_inventory import permissions, rules
from systems_inventory.flows import DepartmentReportFlow
from systems_inventory.messages import (
    MSG_LINE_NOT_IN_REPORT,
    MSG_NOT_A_FILLER,
    MSG_NOT_A_LEADER,
    MSG_NOT_FILLABLE,
    MSG_NOT_YOUR_DEPARTMENT,
    MSG_RESOURCE_OTHER_DEPARTMENT,
    MSG_RETIRE_NEEDS_REASON,
    MSG_SEND_BACK_NEEDS_COMMENT,
    MSG_SYSTEM_INVALID,
    MSG_SYSTEM_NOT_IN_USE,
)
from systems_inventory.models import (
    SYSTEM_FIELDS,
    DepartmentReport,
    InfoSystem,
    LineAction,
    ReportLine,
    ReportState,
    SystemStatus,
)
from systems_inventory.services.common import (
    DEADLINE_KIND,
    SelfCheckError,
    check_text,
    complete,
    lock_report,
    task_to_work,
    tell,
    wrong_state,
)
from systems_inventory.services.register import field_values
from workflows import deadlines
from workflows.audit import record_event

# --- who, and in which state ------------------------------------------------------------------


def _check_filler(actor, report: DepartmentReport) -> None:
    if not permissions.of_department(actor, report.department_id):
        raise SelfCheckError(MSG_NOT_YOUR_DEPARTMENT)
    if not permissions.may_fill(actor, report):
        raise SelfCheckError(MSG_NOT_A_FILLER)


def lock_fillable(actor, report: DepartmentReport, ip: str | None) -> DepartmentReport:
    """The report locked for `actor` to fill in, started if it was waiting to be (or was returned)."""
    _check_filler(actor, report)
    report = lock_report(report)
    if not rules.is_fillable(report):
        raise SelfCheckError(MSG_NOT_FILLABLE.format(state=report.get_state_display()), stale=True)
    if report.state != ReportState.DRAFT:
        _start(report, actor=actor, ip=ip)
    return report


def _start(report: DepartmentReport, *, actor, ip: str | None) -> None:
    from_state = report.state
    first = from_state == ReportState.PENDING
    report.start()
    report.save(update_fields=["state", "updated_at"])
    if first:
        _prefill(report)
    record_event(
        subject=report,
        action="systems_inventory.report_started",
        actor=actor,
        from_state=from_state,
        to_state=report.state,
        ip=ip,
    )


def _prefill(report: DepartmentReport) -> None:
    """One line per system the register holds in use for the department, each waiting to be confirmed."""
    systems = list(
        InfoSystem.objects.filter(department=report.department, status=SystemStatus.IN_USE)
        .prefetch_related("resources")
        .order_by("name", "pk")
    )
    lines = ReportLine.objects.bulk_create(
        [
            ReportLine(report=report, system=system, action=LineAction.PENDING, position=n, **field_values(system))
            for n, system in enumerate(systems, start=1)
        ]
    )
    Link = ReportLine.resources.through
    Link.objects.bulk_create(
        [
            Link(reportline_id=line.pk, dataresource_id=resource.pk)
            for line, system in zip(lines, systems, strict=True)
            for resource in system.resources.all()
        ]
    )


def _line_of(report: DepartmentReport, line: ReportLine) -> ReportLine:
    found = report.lines.select_related("system").filter(pk=line.pk).first()
    if found is None:
        raise SelfCheckError(MSG_LINE_NOT_IN_REPORT)
    return found


# --- checking a line ------------------------------------------------------------------------------


def _validate(line: ReportLine, report: DepartmentReport, resources: Iterable | None) -> None:
    """Model field validation (lists, lengths, required fields) plus the self-check's rules; every error at once."""
    errors: dict[str, list[str]] = {}
    try:
        line.full_clean(
            exclude=["report", "system", "frozen_version"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, messages in rules.check_line(line, report).items():
        known = errors.setdefault(field, [])
        known += [m for m in messages if m not in known]
    others = [r for r in resources or [] if r.provider_department_id != report.department_id]
    if others:
        errors["resources"] = [MSG_RESOURCE_OTHER_DEPARTMENT.format(resource=r.name) for r in others]
    if errors:
        raise SelfCheckError(MSG_SYSTEM_INVALID, errors)


def _set_fields(line: ReportLine, data: dict[str, Any]) -> None:
    for name in SYSTEM_FIELDS:
        if name in data:
            setattr(line, name, data[name])
    if "category_id" in data:
        line.category_id = data["category_id"]


def _audit_line(report, line: ReportLine, action: str, actor, ip, comment: str = "") -> None:
    record_event(
        subject=report,
        action=f"systems_inventory.{action}",
        actor=actor,
        from_state=report.state,
        to_state=report.state,
        comment=f"{line.name}{'：' + comment if comment else ''}",
        ip=ip,
    )


# --- filling in ---------------------------------------------------------------------------------


def report_start(*, actor, obj: DepartmentReport, ip: str | None = None) -> DepartmentReport:
    """开始填报: the report's lines are pre-filled from the register (or kept, after a return)."""
    with transaction.atomic():
        return lock_fillable(actor, obj, ip)


def line_add(
    *, actor, report: DepartmentReport, data: dict[str, Any], resources: Iterable = (), ip: str | None = None
) -> ReportLine:
    """A system the register does not hold yet (新增). `data` holds the register's fields."""
    resources = list(resources)
    with transaction.atomic():
        report = lock_fillable(actor, report, ip)
        position = (report.lines.aggregate(n=Max("position"))["n"] or 0) + 1
        line = ReportLine(report=report, action=LineAction.ADD, position=position)
        _set_fields(line, data)
        _validate(line, report, resources)
        line.save()
        line.resources.set(resources)
        _audit_line(report, line, "line_added", actor, ip)
    return line


def line_update(
    *, actor, obj: ReportLine, data: dict[str, Any], resources: Iterable = (), ip: str | None = None
) -> ReportLine:
    """Change what the report says of a system (修改): a register system's line becomes an edit."""
    resources = list(resources)
    with transaction.atomic():
        report = lock_fillable(actor, obj.report, ip)
        line = _line_of(report, obj)
        _set_fields(line, data)
        if line.action != LineAction.ADD:
            line.action, line.retire_reason = LineAction.EDIT, ""
        _validate(line, report, resources)
        line.save()
        line.resources.set(resources)
        _audit_line(report, line, "line_updated", actor, ip)
    return line


def line_confirm(*, actor, obj: ReportLine, ip: str | None = None) -> ReportLine:
    """确认无变化: the line says again what the register holds, which must still meet today's rules."""
    with transaction.atomic():
        report = lock_fillable(actor, obj.report, ip)
        line = _line_of(report, obj)
        _confirm(line, report)
        _audit_line(report, line, "line_confirmed", actor, ip)
    return line


def _confirm(line: ReportLine, report: DepartmentReport) -> None:
    system = line.system
    if system is None:  # a new system is confirmed by being added
        raise SelfCheckError(MSG_LINE_NOT_IN_REPORT)
    if system.status != SystemStatus.IN_USE:
        raise SelfCheckError(MSG_SYSTEM_NOT_IN_USE.format(system=system.name))
    _set_fields(line, field_values(system))
    line.action, line.retire_reason = LineAction.CONFIRM, ""
    resources = list(system.resources.all())
    _validate(line, report, resources)
    line.save()
    line.resources.set(resources)


def lines_confirm_all(*, actor, report: DepartmentReport, ip: str | None = None) -> tuple[int, list[str]]:
    """Confirm every line still waiting; (how many, the names of those whose register data must be edited first)."""
    confirmed, refused = 0, []
    with transaction.atomic():
        report = lock_fillable(actor, report, ip)
        for line in report.lines.select_related("system").filter(action=LineAction.PENDING):
            try:
                with transaction.atomic():
                    _confirm(line, report)
                confirmed += 1
            except SelfCheckError:
                refused.append(line.name)
        if confirmed:
            record_event(
                subject=report,
                action="systems_inventory.line_confirmed",
                actor=actor,
                from_state=report.state,
                to_state=report.state,
                comment=f"{confirmed} 个系统确认无变化",
                ip=ip,
            )
    return confirmed, refused


def line_retire(*, actor, obj: ReportLine, reason: str, ip: str | None = None) -> ReportLine:
    """不再运行: a register system the department no longer runs, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise SelfCheckError(MSG_RETIRE_NEEDS_REASON, {"reason": [MSG_RETIRE_NEEDS_REASON]})
    check_text(ReportLine, "retire_reason", reason, field="reason")
    with transaction.atomic():
        report = lock_fillable(actor, obj.report, ip)
        line = _line_of(report, obj)
        if line.system is None:
            raise SelfCheckError(MSG_LINE_NOT_IN_REPORT)
        _set_fields(line, field_values(line.system))  # what stops running is what the register holds
        line.action, line.retire_reason = LineAction.RETIRE, reason
        line.save()
        _audit_line(report, line, "line_retired", actor, ip, reason)
    return line


def line_remove(*, actor, obj: ReportLine, ip: str | None = None) -> None:
    """Take back a system the report added (a register system is retired, not removed)."""
    with transaction.atomic():
        report = lock_fillable(actor, obj.report, ip)
        line = _line_of(report, obj)
        if line.action != LineAction.ADD:
            raise SelfCheckError(MSG_LINE_NOT_IN_REPORT)
        _audit_line(report, line, "line_removed", actor, ip)
        line.delete()


def report_declare(*, actor, obj: DepartmentReport, no_self_built: bool, ip: str | None = None) -> DepartmentReport:
    """声明无自建系统 (or take the declaration back)."""
    with transaction.atomic():
        report = lock_fillable(actor, obj, ip)
        report.no_self_built = no_self_built
        report.save(update_fields=["no_self_built", "updated_at"])
        record_event(
            subject=report,
            action="systems_inventory.report_declared" if no_self_built else "systems_inventory.report_undeclared",
            actor=actor,
            from_state=report.state,
            to_state=report.state,
            ip=ip,
        )
    return report


# --- to the leader, and the leader's answer ---------------------------------------------------------


def _incomplete(report: DepartmentReport) -> list[str]:
    """Every reason the report cannot go to the leader yet: what it lacks, and each line's own errors."""
    lines = list(report.lines.select_related("system", "category"))
    problems = rules.check_complete(report, lines)
    for line in lines:
        if line.action == LineAction.PENDING:
            continue
        for messages in rules.check_line(line, report).values():
            problems += [f"“{line.name}”：{message}" for message in messages]
    return problems


def report_submit(*, actor, obj: DepartmentReport, ip: str | None = None) -> DepartmentReport:
    """提交负责人确认: the filled-in report goes to the department's leader."""
    with transaction.atomic():
        report = lock_fillable(actor, obj, ip)
        if problems := _incomplete(report):
            raise SelfCheckError(problems[0], {"": problems})
        task = task_to_work(actor, report, DepartmentReportFlow.fill)
        report.submit()
        report.submitted_at, report.submitted_by = timezone.now(), actor
        report.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
        record_event(
            subject=report,
            action="systems_inventory.report_submitted",
            actor=actor,
            from_state=ReportState.DRAFT,
            to_state=report.state,
            ip=ip,
        )
        complete(task, actor=actor, report=report, ip=ip)
        tell(
            who.department_leaders(report.department),
            report,
            f"{actor}填报了本部门的“{report.campaign.title}”自查报告，请部门负责人确认后报送政数局。",
        )
    return report


def _leader_step(actor, obj: DepartmentReport):
    if not permissions.of_department(actor, obj.department_id):
        raise SelfCheckError(MSG_NOT_YOUR_DEPARTMENT)
    if not permissions.may_confirm(actor, obj):
        raise SelfCheckError(MSG_NOT_A_LEADER)
    report = lock_report(obj)
    if report.state != ReportState.CONFIRMING:
        raise wrong_state(report, "确认")
    return report, task_to_work(actor, report, DepartmentReportFlow.confirm)


def report_send_back(*, actor, obj: DepartmentReport, comment: str, ip: str | None = None) -> DepartmentReport:
    """The leader does not confirm: back to the staff, with what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise SelfCheckError(MSG_SEND_BACK_NEEDS_COMMENT, {"comment": [MSG_SEND_BACK_NEEDS_COMMENT]})
    check_text(DepartmentReport, "leader_comment", comment, field="comment")
    with transaction.atomic():
        report, task = _leader_step(actor, obj)
        report.send_back()
        report.leader_comment = comment
        report.save(update_fields=["state", "leader_comment", "updated_at"])
        record_event(
            subject=report,
            action="systems_inventory.report_sent_back",
            actor=actor,
            from_state=ReportState.CONFIRMING,
            to_state=report.state,
            comment=comment,
            ip=ip,
        )
        complete(task, actor=actor, report=report, ip=ip)
        fillers = [report.submitted_by] if report.submitted_by else []
        tell(fillers, report, f"部门负责人未确认本部门的自查报告，意见：{comment}")
    return report


def report_confirm(*, actor, obj: DepartmentReport, comment: str = "", ip: str | None = None) -> DepartmentReport:
    """部门负责人确认: the report goes to the data bureau; the department's clock stops (late if it ran out)."""
    comment = (comment or "").strip()
    check_text(DepartmentReport, "leader_comment", comment, field="comment")
    with transaction.atomic():
        report, task = _leader_step(actor, obj)
        now = timezone.now()
        report.confirm()
        report.confirmed_at, report.confirmed_by, report.leader_comment = now, actor, comment
        late_now = report.due_at is not None and now > report.due_at
        report.is_late = report.is_late or late_now
        deadlines.complete_for(report, kind=DEADLINE_KIND)
        report.save(update_fields=["state", "confirmed_at", "confirmed_by", "leader_comment", "is_late", "updated_at"])
        record_event(
            subject=report,
            action="systems_inventory.report_confirmed",
            actor=actor,
            from_state=ReportState.CONFIRMING,
            to_state=report.state,
            comment="；".join(part for part in (comment, "逾期报送" if late_now else "") if part),
            ip=ip,
        )
        complete(task, actor=actor, report=report, ip=ip)
        tell(
            who.data_bureau(),
            report,
            f"{report.department.name}报送了“{report.campaign.title}”自查报告（部门负责人{actor}已确认），请审核。",
        )
    return report
