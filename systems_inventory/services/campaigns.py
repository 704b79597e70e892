"""A campaign's life: the bureau drafts it, launches it (one report, task, clock and notice per department) and
closes it (what is unfinished lapses; the statistics are frozen)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations.models import Department
from systems_inventory import permissions, statistics
from systems_inventory.flows import DepartmentReportFlow
from systems_inventory.messages import (
    MSG_BUREAU_ONLY,
    MSG_CAMPAIGN_WRONG_STATE,
    MSG_DUE_BOTH,
    MSG_DUE_DATE_PAST,
    MSG_DUE_REQUIRED,
    MSG_DUE_WORKDAYS_INVALID,
    MSG_NO_DEPARTMENTS,
    MSG_OVERLAP,
    MSG_REPORTS_AWAITING_REVIEW,
    MSG_REQUIRED,
    MSG_RESUBMIT_WORKDAYS_INVALID,
)
from systems_inventory.models import (
    DEPARTMENT_STATES,
    Campaign,
    CampaignState,
    DepartmentReport,
    ReportState,
)
from systems_inventory.services.common import (
    DEADLINE_KIND,
    SelfCheckError,
    department_staff,
    lock_campaign,
    start_clock,
    tell,
)
from workflows import deadlines, flowtasks, textlimits
from workflows.audit import record_event, record_events
from workflows.workdays import workdays_between

CAMPAIGN_FIELDS = ("title", "instructions", "covers_all", "due_workdays", "due_on", "resubmit_workdays")


def _check_manager(actor) -> None:
    if not permissions.manages_campaigns(actor):
        raise SelfCheckError(MSG_BUREAU_ONLY)


def _validate(values: dict[str, Any], departments: list[Department]) -> None:
    """Every field error of a campaign's terms at once."""
    errors: dict[str, list[str]] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [MSG_REQUIRED]
    workdays, due_on = values.get("due_workdays"), values.get("due_on")
    if workdays is None and due_on is None:
        errors["due_workdays"] = [MSG_DUE_REQUIRED]
    elif workdays is not None and due_on is not None:
        errors["due_workdays"] = [MSG_DUE_BOTH]
    elif workdays is not None and not 1 <= workdays <= 60:
        errors["due_workdays"] = [MSG_DUE_WORKDAYS_INVALID]
    elif due_on is not None and due_on <= timezone.localdate():
        errors["due_on"] = [MSG_DUE_DATE_PAST]
    if not 1 <= (values.get("resubmit_workdays") or 0) <= 30:
        errors["resubmit_workdays"] = [MSG_RESUBMIT_WORKDAYS_INVALID]
    if not values.get("covers_all") and not departments:
        errors["departments"] = [MSG_NO_DEPARTMENTS]
    for name in ("title", "instructions"):
        if message := textlimits.too_long(Campaign, name, values.get(name)):
            errors.setdefault(name, []).append(message)
    if errors:
        raise SelfCheckError(next(iter(errors.values()))[0], errors)


def campaign_create(
    *, actor, data: dict[str, Any], departments: Iterable[Department] = (), ip: str | None = None
) -> Campaign:
    """A draft campaign: nothing reaches the departments until it is launched."""
    _check_manager(actor)
    departments = list(departments)
    values = {name: data[name] for name in CAMPAIGN_FIELDS if name in data}
    values.setdefault("resubmit_workdays", 5)
    values.setdefault("covers_all", not departments)
    values["instructions"] = values.get("instructions") or ""
    _validate(values, departments)
    with transaction.atomic():
        campaign = Campaign.objects.create(created_by=actor, **values)
        campaign.departments.set(departments)
        record_event(
            subject=campaign, action="systems_inventory.campaign_created", actor=actor, to_state=campaign.state, ip=ip
        )
    return campaign


def campaign_update(
    *, actor, obj: Campaign, data: dict[str, Any], departments: Iterable[Department] = (), ip: str | None = None
) -> Campaign:
    _check_manager(actor)
    departments = list(departments)
    with transaction.atomic():
        campaign = lock_campaign(obj)
        if campaign.state != CampaignState.DRAFT:
            raise SelfCheckError(MSG_CAMPAIGN_WRONG_STATE.format(state=campaign.get_state_display(), action="修改"))
        for name in CAMPAIGN_FIELDS:
            if name in data:
                setattr(campaign, name, (data[name] or "") if name == "instructions" else data[name])
        _validate({name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}, departments)
        campaign.save()
        campaign.departments.set(departments)
        record_event(
            subject=campaign, action="systems_inventory.campaign_updated", actor=actor, to_state=campaign.state, ip=ip
        )
    return campaign


def _scope(campaign: Campaign) -> list[Department]:
    if campaign.covers_all:
        return list(Department.objects.filter(is_active=True).order_by("code"))
    return list(campaign.departments.filter(is_active=True).order_by("code"))


def _due_workdays(campaign: Campaign, today) -> int:
    if campaign.due_workdays:
        return campaign.due_workdays
    if campaign.due_on is None or campaign.due_on <= today:
        raise SelfCheckError(MSG_DUE_DATE_PAST, {"due_on": [MSG_DUE_DATE_PAST]})
    return max(workdays_between(today, campaign.due_on), 1)  # the last working day up to that date


def campaign_launch(*, actor, obj: Campaign, ip: str | None = None) -> Campaign:
    """Each department in scope gets its report, the task of filling it in, a clock and a notice.

    Campaigns do not overlap for a department: one in another running campaign stops the launch, naming it
    (and should two launches race, the database's one-current-report-per-department constraint does).
    """
    _check_manager(actor)
    with transaction.atomic():
        campaign = lock_campaign(obj)
        if campaign.state != CampaignState.DRAFT:
            raise SelfCheckError(MSG_CAMPAIGN_WRONG_STATE.format(state=campaign.get_state_display(), action="发起"))
        departments = _scope(campaign)
        if not departments:
            raise SelfCheckError(MSG_NO_DEPARTMENTS, {"departments": [MSG_NO_DEPARTMENTS]})
        busy = DepartmentReport.objects.filter(department__in=departments, is_current=True).select_related("department")
        if names := sorted({report.department.name for report in busy}):
            raise SelfCheckError(MSG_OVERLAP.format(departments="、".join(names)))
        now = timezone.now()
        workdays = _due_workdays(campaign, timezone.localdate())
        campaign.launch()
        campaign.launched_at = now
        if campaign.covers_all:
            campaign.departments.set(departments)
        try:
            with transaction.atomic():
                reports = DepartmentReport.objects.bulk_create(
                    [DepartmentReport(campaign=campaign, department=d) for d in departments]
                )
        except IntegrityError as exc:  # a launch that raced this one took a department first
            raise SelfCheckError(MSG_OVERLAP.format(departments="（请刷新页面查看）")) from exc
        for report in reports:
            start_clock(report, start=now, workdays=workdays, replace=False)
            flowtasks.start(DepartmentReportFlow, report)
        DepartmentReport.objects.bulk_update(reports, ["due_at"])
        campaign.due_at = reports[0].due_at
        campaign.save(update_fields=["state", "launched_at", "due_at"])
        record_event(
            subject=campaign,
            action="systems_inventory.campaign_launched",
            actor=actor,
            from_state=CampaignState.DRAFT,
            to_state=campaign.state,
            comment=f"自查部门 {len(reports)} 个",
            ip=ip,
        )
        record_events(
            model=DepartmentReport,
            subject_ids=[report.pk for report in reports],
            action="systems_inventory.campaign_launched",
            actor=actor,
            to_state=ReportState.PENDING,
            comment=campaign.title,
        )
        due = timezone.localtime(campaign.due_at)
        for report in reports:
            report.campaign = campaign
            tell(
                department_staff(report),
                report,
                f"政数局发起“{campaign.title}”，请于{due:%Y年%m月%d日}前填报本部门信息系统自查报告，经部门负责人确认后报送。",
            )
    return campaign


def campaign_close(*, actor, obj: Campaign, ip: str | None = None) -> Campaign:
    """End the campaign: reports the department never sent lapse (their tasks and clocks end), and the
    statistics are frozen as they stand. Reports waiting for the bureau are decided first."""
    _check_manager(actor)
    with transaction.atomic():
        campaign = lock_campaign(obj)
        if campaign.state != CampaignState.LAUNCHED:
            raise SelfCheckError(MSG_CAMPAIGN_WRONG_STATE.format(state=campaign.get_state_display(), action="结束"))
        reports = list(
            DepartmentReport.objects.select_for_update().filter(
                campaign=campaign, state__in=[*DEPARTMENT_STATES, ReportState.SUBMITTED]
            )
        )
        waiting = sum(1 for report in reports if report.state == ReportState.SUBMITTED)
        if waiting:
            raise SelfCheckError(MSG_REPORTS_AWAITING_REVIEW.format(count=waiting))
        for report in reports:
            report.lapse()
            report.is_current = False
            flowtasks.cancel(DepartmentReportFlow, report)
            deadlines.cancel_for(report, kind=DEADLINE_KIND)
        DepartmentReport.objects.bulk_update(reports, ["state", "is_current"])
        DepartmentReport.objects.filter(campaign=campaign, is_current=True).update(is_current=False)
        record_events(
            model=DepartmentReport,
            subject_ids=[report.pk for report in reports],
            action="systems_inventory.report_unfinished",
            actor=actor,
            to_state=ReportState.UNFINISHED,
            comment=campaign.title,
        )
        campaign.close()
        campaign.closed_at = timezone.now()
        campaign.statistics = statistics.frozen(campaign)
        campaign.save(update_fields=["state", "closed_at", "statistics"])
        record_event(
            subject=campaign,
            action="systems_inventory.campaign_closed",
            actor=actor,
            from_state=CampaignState.LAUNCHED,
            to_state=campaign.state,
            comment=f"未完成报告 {len(reports)} 份",
            ip=ip,
        )
    return campaign
