"""Reads of the self-check: the register as each user may see it, reports and campaigns, tasks, and what a user
may do on a page (available_actions). The services enforce the same rules (systems_inventory.rules, .permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.selectors import acting_user_ids
from pdf_templates.models import Record
from pdf_templates.selectors import records_visible_to
from systems_inventory import permissions, rules
from systems_inventory.flows import DepartmentReportFlow
from systems_inventory.models import (
    FUNDING_FIELDS,
    SYSTEM_FIELDS,
    Campaign,
    CampaignState,
    DepartmentReport,
    InfoSystem,
    ReportLine,
    ReportState,
    SystemStatus,
)
from workflows import flowtasks, taking
from workflows.labels import labelled
from workflows.models import AuditEvent

# --- the register -------------------------------------------------------------------------------


def systems_visible_to(user) -> QuerySet[InfoSystem]:
    """The bureau, auditors and finance see every system (finance its funding fields only); a department its own."""
    systems = InfoSystem.objects.select_related("department", "category")
    if not user.is_authenticated:
        return systems.none()
    if permissions.sees_all(user) or permissions.sees_funding(user):
        return systems
    if user.department_id is None:
        return systems.none()
    return systems.filter(department_id=user.department_id)


def register_fields(user) -> tuple[str, ...]:
    """The register's columns a user reads in lists and exports: finance the funding fields, the others all."""
    if permissions.sees_funding(user) and not permissions.sees_all(user):
        return FUNDING_FIELDS
    return SYSTEM_FIELDS


def search_systems(
    queryset: QuerySet[InfoSystem],
    *,
    q: str = "",
    department=None,
    deployment: str = "",
    build_type: str = "",
    usage_frequency: str = "",
    connected: bool | None = None,
    status: str = SystemStatus.IN_USE,
) -> QuerySet[InfoSystem]:
    """Filter the register. Keywords match names and functions as substrings (Chinese has no spaces between
    words, as catalog.selectors.search_resources explains)."""
    if q:
        q = q.strip()
        queryset = queryset.filter(Q(name__icontains=q) | Q(function__icontains=q) | Q(contractor__icontains=q))
    if department:
        queryset = queryset.filter(department=department)
    if deployment:
        queryset = queryset.filter(deployment=deployment)
    if build_type:
        queryset = queryset.filter(build_type=build_type)
    if usage_frequency:
        queryset = queryset.filter(usage_frequency=usage_frequency)
    if connected is not None:
        queryset = queryset.filter(connected=connected)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def system_events(system: InfoSystem) -> list[AuditEvent]:
    return events_of(system)


def events_of(subject) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(type(subject)), subject_id=str(subject.pk)
    )
    return labelled(events.select_related("actor", "subject_type").order_by("pk"))


def system_reports(system: InfoSystem) -> QuerySet[ReportLine]:
    """The accepted reports that confirmed this system, with the version each froze."""
    return (
        system.report_lines.filter(report__state=ReportState.ACCEPTED)
        .select_related("report__campaign", "frozen_version")
        .order_by("-report__decided_at")
    )


# --- campaigns and reports ----------------------------------------------------------------------


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """The bureau and auditors all (the bureau's drafts too); leaders the launched ones; others none."""
    campaigns = Campaign.objects.annotate(report_count=Count("reports"))
    if permissions.sees_all(user):
        return campaigns
    if permissions.sees_statistics(user):
        return campaigns.exclude(state=CampaignState.DRAFT)
    return campaigns.none()


def department_reports(user) -> QuerySet[DepartmentReport]:
    """本部门自查: every report of the user's department, newest campaign first."""
    if not user.is_authenticated or user.department_id is None:
        return DepartmentReport.objects.none()
    return (
        DepartmentReport.objects.filter(department_id=user.department_id)
        .select_related("campaign", "department")
        .order_by("-campaign__launched_at", "-pk")
    )


def report_lines(report: DepartmentReport) -> QuerySet[ReportLine]:
    return report.lines.select_related("system", "category", "frozen_version").prefetch_related("resources")


def report_events(report: DepartmentReport) -> list[AuditEvent]:
    return events_of(report)


def report_records(user, report: DepartmentReport) -> QuerySet[Record]:
    subject = ContentType.objects.get_for_model(DepartmentReport)
    return records_visible_to(user).filter(subject_type=subject, subject_id=str(report.pk)).order_by("issued_at")


def register_preview(report: DepartmentReport) -> QuerySet[InfoSystem]:
    """What a report waiting to be filled in will start from: the department's systems in use."""
    return InfoSystem.objects.filter(department_id=report.department_id, status=SystemStatus.IN_USE).select_related(
        "category"
    )


# --- tasks ------------------------------------------------------------------------------------------

_REPORT = "process__departmentreportprocess__report"


def task_list(user) -> QuerySet[Task]:
    """Open report tasks the user may work: their department's filling in and confirmation, the bureau's reviews
    of other departments' reports, and what is assigned to them or to whom they stand in for."""
    if not user.is_authenticated:
        return Task.objects.none()
    scope = Q(owner_id__in=acting_user_ids(user), status=STATUS.ASSIGNED)
    own = Q(**{f"{_REPORT}__department_id": user.department_id})
    if user.department_id and user.has_perm(permissions.FILL):
        scope |= Q(flow_task=DepartmentReportFlow.fill) & own
    if user.department_id and user.has_perm(permissions.CONFIRM):
        scope |= Q(flow_task=DepartmentReportFlow.confirm) & own
    if user.has_perm(permissions.REVIEW):
        scope |= Q(flow_task=DepartmentReportFlow.review) & ~own
    return (
        Task.objects.filter(
            process__flow_class=DepartmentReportFlow,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        .filter(scope)
        .select_related(f"{_REPORT}__department", f"{_REPORT}__campaign")
        .order_by("-created", "-pk")
    )


# --- what a user may do -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportActions:
    """What a user may do on a report's page now."""

    fill: bool = False  # edit its lines, declare, import, send to the leader
    confirm: bool = False  # the leader confirms or sends back
    review: bool = False  # the bureau comments, accepts or returns
    own_department: bool = False  # the bureau's own report: it may not decide it
    task: Task | None = None  # the report's open task
    take: bool = False  # 认领: nobody has it, and the user may work it
    task_mine: bool = False  # the user holds it (or stands in for who does): 退回待认领, 转交
    handover_to: QuerySet | None = None  # whom the holder may hand it to (None: nobody, no form)

    @property
    def any(self) -> bool:
        return self.fill or self.confirm or self.review


def available_actions(user, report: DepartmentReport) -> ReportActions:
    own = rules.is_own_report(user, report)
    task = flowtasks.open_task(DepartmentReportFlow, report)
    claim = taking.claim_actions(user, task, report)
    return ReportActions(
        fill=permissions.may_fill(user, report) and rules.is_fillable(report),
        confirm=permissions.may_confirm(user, report) and rules.awaits_leader(report),
        review=permissions.may_review(user) and not own and rules.awaits_bureau(report),
        own_department=own and permissions.may_review(user),
        task=task,
        take=claim.take,
        task_mine=claim.mine,
        handover_to=claim.handover_to,
    )


@dataclass(frozen=True)
class CampaignActions:
    edit: bool = False
    launch: bool = False
    close: bool = False


def campaign_actions(user, campaign: Campaign) -> CampaignActions:
    manages = permissions.manages_campaigns(user)
    return CampaignActions(
        edit=manages and campaign.state == CampaignState.DRAFT,
        launch=manages and campaign.state == CampaignState.DRAFT,
        close=manages and campaign.state == CampaignState.LAUNCHED,
    )


def awaiting_review(campaign: Campaign) -> int:
    return campaign.reports.filter(state=ReportState.SUBMITTED).count()
