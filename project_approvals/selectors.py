"""Reads of construction projects and funding: the projects each user may see, the queues (the bureau's first
reviews, the approver's 立项 and 验收, finance's 资金闸口), tasks, records, and what a user may do on a project's
page (available_actions). The services enforce the same rules (project_approvals.rules, .permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.selectors import acting_user_ids
from pdf_templates.models import Record
from pdf_templates.selectors import records_visible_to
from project_approvals import gate, permissions, rules
from project_approvals.choices import FundingKind
from project_approvals.flows import ConstructionProjectFlow
from project_approvals.models import (
    REVIEW_PASSED_STATES,
    SENT_STATES,
    ConditionStatus,
    ConstructionProject,
    FirstReview,
    FundingDecision,
    ProjectState,
    ReviewCondition,
)
from systems_inventory.models import InfoSystem, SystemStatus
from workflows.labels import labelled
from workflows.models import AuditEvent

# --- projects -----------------------------------------------------------------------------------


def _base() -> QuerySet[ConstructionProject]:
    return ConstructionProject.objects.select_related("department", "created_by")


def projects_visible_to(user) -> QuerySet[ConstructionProject]:
    """A department its own (drafts too); the bureau, auditors, the approving authority and finance every one sent."""
    if not user.is_authenticated:
        return ConstructionProject.objects.none()
    own = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    if permissions.sees_all(user):
        return _base().filter(own | Q(state__in=SENT_STATES))
    return _base().filter(own)


def search_projects(queryset: QuerySet[ConstructionProject], *, q: str = "", state: str = "", year=None):
    if q:
        q = q.strip()
        queryset = queryset.filter(Q(name__icontains=q) | Q(department__name__icontains=q))
    if state:
        queryset = queryset.filter(state=state)
    if year:
        queryset = queryset.filter(year=year)
    return queryset


def review_queue() -> QuerySet[ConstructionProject]:
    """待初审: projects waiting for the bureau, the nearest due first."""
    return _base().filter(state=ProjectState.IN_REVIEW).order_by("review_due_at", "pk")


def approval_queue() -> QuerySet[ConstructionProject]:
    """待立项 and 待验收, for the approving authority."""
    return _base().filter(state__in=[ProjectState.PASSED, ProjectState.BUDGETED]).order_by("state", "pk")


def funding_queue() -> QuerySet[ConstructionProject]:
    """Projects awaiting finance's budget decision (立项, not yet budgeted)."""
    return _base().filter(state=ProjectState.APPROVED).order_by("year", "pk")


def project_detail(project: ConstructionProject) -> dict:
    """What a project's page lists besides its own fields."""
    return {
        "systems": list(project.systems.select_related("category").order_by("name")),
        "produced": list(project.produced_resources.select_related("provider_department").order_by("code")),
        "consumed": list(project.consumed_resources.select_related("provider_department").order_by("code")),
        "attachments": list(project.attachments.select_related("uploaded_by")),
        "reviews": list(
            FirstReview.objects.filter(project=project)
            .select_related("decided_by", "record", "evaluation")
            .prefetch_related("conditions__met_by")
        ),
        "funding": list(project.funding_decisions.select_related("record", "evaluation", "decided_by")),
    }


def open_conditions(project: ConstructionProject) -> QuerySet[ReviewCondition]:
    return project.conditions.filter(status=ConditionStatus.OPEN).order_by("due_on", "pk")


def project_events(project: ConstructionProject) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(ConstructionProject), subject_id=str(project.pk)
    )
    return labelled(events.select_related("actor", "subject_type").order_by("pk"))


def project_records(user, project: ConstructionProject) -> QuerySet[Record]:
    subject = ContentType.objects.get_for_model(ConstructionProject)
    return records_visible_to(user).filter(subject_type=subject, subject_id=str(project.pk)).order_by("issued_at")


# --- O&M funding --------------------------------------------------------------------------------


def om_systems() -> QuerySet[InfoSystem]:
    """Every system of the register in use: each awaits its annual O&M funding."""
    return (
        InfoSystem.objects.filter(status=SystemStatus.IN_USE)
        .select_related("department")
        .order_by("department__code", "name", "pk")
    )


def om_waiting(year: int) -> int:
    """Systems in use whose O&M funding for `year` is not decided yet (two counts)."""
    decided = FundingDecision.objects.filter(kind=FundingKind.OM, year=year, system__status=SystemStatus.IN_USE)
    return om_systems().count() - decided.count()


def om_decisions(year: int) -> dict[int | None, FundingDecision]:
    """The year's O&M decisions, by system."""
    decisions = FundingDecision.objects.filter(kind=FundingKind.OM, year=year).select_related("record")
    return {d.system_id: d for d in decisions}


def om_rows(year: int, systems: list[InfoSystem]) -> list[tuple[InfoSystem, gate.Evaluation, FundingDecision | None]]:
    """Each system with its O&M gate for `year` and its decision, if made (a fixed number of queries)."""
    evaluations = gate.evaluate_systems_om(systems, year=year)
    decisions = om_decisions(year)
    return [(s, evaluations[s.pk], decisions.get(s.pk)) for s in systems]


def project_rows(projects: list[ConstructionProject]) -> list[tuple[ConstructionProject, gate.Evaluation]]:
    """Each project with its gate, evaluated now (a fixed number of queries)."""
    evaluations = gate.evaluate_projects(projects)
    return [(p, evaluations[p.pk]) for p in projects]


# --- tasks ------------------------------------------------------------------------------------------

_PROJECT = "process__constructionprojectprocess__project"


def task_list(user) -> QuerySet[Task]:
    """Open project tasks the user may work: their department's filling in and confirmation, the bureau's first
    reviews of other departments' projects, the approver's and finance's steps, and what is assigned to them or
    to whom they stand in for."""
    if not user.is_authenticated:
        return Task.objects.none()
    scope = Q(owner_id__in=acting_user_ids(user), status=STATUS.ASSIGNED)
    own = Q(**{f"{_PROJECT}__department_id": user.department_id})
    if user.department_id and user.has_perm(permissions.EDIT):
        scope |= Q(flow_task=ConstructionProjectFlow.edit) & own
    if user.department_id and user.has_perm(permissions.CONFIRM):
        scope |= Q(flow_task=ConstructionProjectFlow.confirm) & own
    if user.has_perm(permissions.REVIEW):
        scope |= Q(flow_task=ConstructionProjectFlow.review) & ~own
    if user.has_perm(permissions.APPROVE):
        scope |= Q(flow_task__in=[ConstructionProjectFlow.approve, ConstructionProjectFlow.accept])
    if user.has_perm(permissions.FUND):
        scope |= Q(flow_task=ConstructionProjectFlow.fund)
    return (
        Task.objects.filter(
            process__flow_class=ConstructionProjectFlow,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        .filter(scope)
        .select_related(f"{_PROJECT}__department")
        .order_by("-created", "-pk")
    )


# --- what a user may do -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectActions:
    """What a user may do on a project's page now."""

    edit: bool = False  # change it, its materials, and send it to the leader
    confirm: bool = False  # the leader confirms or sends back
    review: bool = False  # the bureau's first review
    meet_conditions: bool = False  # the bureau finds a condition met
    approve: bool = False  # 立项
    fund: bool = False  # finance's budget decision (the gate decides whether it is recorded)
    accept: bool = False  # 验收
    own_department: bool = False  # the bureau's own project: it may not review it

    @property
    def any(self) -> bool:
        return self.edit or self.confirm or self.review or self.approve or self.fund or self.accept


def available_actions(user, project: ConstructionProject) -> ProjectActions:
    own = rules.is_own_project(user, project)
    reviewer = permissions.may_review(user)
    return ProjectActions(
        edit=permissions.may_edit(user, project) and rules.is_editable(project),
        confirm=permissions.may_confirm(user, project) and rules.awaits_leader(project),
        review=reviewer and not own and rules.awaits_review(project),
        meet_conditions=reviewer and not own,
        approve=permissions.may_approve(user) and rules.awaits_approval(project),
        fund=permissions.may_fund(user) and rules.awaits_funding(project),
        accept=permissions.may_approve(user) and rules.awaits_acceptance(project),
        own_department=own and reviewer,
    )


# --- what the zombie scan reads ------------------------------------------------------------------


def consumed_by_systems() -> QuerySet:
    """(system, its department, resource) for each catalog resource a project that passed the first review says it
    will use, for each registered system it builds or changes (the zombie scan's 共享平台 source counts their
    department's calls on it as the system's use). A declaration the bureau has not passed does not count."""
    return (
        ConstructionProject.objects.filter(
            state__in=REVIEW_PASSED_STATES, systems__isnull=False, consumed_resources__isnull=False
        )
        .values_list("systems", "systems__department_id", "consumed_resources")
        .distinct()
        .order_by()
    )
