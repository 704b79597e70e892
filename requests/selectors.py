"""Reads of share applications: who sees which, the task lists, the reviewer's context."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.selectors import acting_user_ids
from requests import permissions
from requests.models import (
    DECIDED_STATES,
    OPEN_STATES,
    ApplicationAttachment,
    ApplicationState,
    GrantState,
    ShareApplication,
)


def _base() -> QuerySet[ShareApplication]:
    return ShareApplication.objects.select_related(
        "applicant_department", "provider_department", "resource", "applicant", "decision"
    )


def applications_visible_to(user) -> QuerySet[ShareApplication]:
    """The applicant department's own; of the submitted ones, the provider's and, for the bureau and auditors, all.

    A substitute is of their principal's department (organizations.Substitution) and has its view already;
    standing in for the bureau or an auditor, they see all (permissions.sees_all).
    """
    applications = _base()
    if not user.is_authenticated:
        return applications.none()
    own = Q(applicant_department_id=user.department_id)
    submitted = Q(submitted_at__isnull=False)  # not a draft, nor a draft withdrawn unsent
    if permissions.sees_all(user):
        return applications.filter(own | submitted)
    if user.department_id is None:
        return applications.none()
    return applications.filter(own | (Q(provider_department_id=user.department_id) & submitted))


def department_applications(user) -> QuerySet[ShareApplication]:
    """我的申请: every application of the user's department."""
    if not user.is_authenticated or user.department_id is None:
        return ShareApplication.objects.none()
    return _base().filter(applicant_department_id=user.department_id)


def open_application_count(resource) -> int:
    """Applications a catalog withdrawal would refuse (the withdraw form says how many)."""
    return ShareApplication.objects.filter(resource=resource, state__in=OPEN_STATES).count()


def overdue_queue() -> QuerySet[ShareApplication]:
    """逾期协调: escalated applications waiting for the data bureau, oldest first."""
    return _base().filter(state=ApplicationState.ESCALATED).order_by("escalated_at", "pk")


def overdue_counts_by_provider() -> list[dict]:
    """Late replies per provider department, kept after the reply (statistics and the project gate)."""
    return list(
        ShareApplication.objects.filter(was_overdue=True)
        .values("provider_department__name", "provider_department_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "provider_department__name")
    )


def pending_application(department, resource) -> ShareApplication | None:
    """The department's draft or undecided application for `resource`, if it has one (a second would repeat it)."""
    return (
        ShareApplication.objects.filter(
            applicant_department=department, resource=resource, state__in=[ApplicationState.DRAFT, *OPEN_STATES]
        )
        .exclude(renews_grant__state=GrantState.REVOKED, state=ApplicationState.DRAFT)  # cannot be submitted
        .order_by("-id")
        .first()
    )


def removable_attachments(application: ShareApplication) -> QuerySet[ApplicationAttachment]:
    """Those no reviewer has seen: all of a draft's, and those added since the last submission of a returned one."""
    attachments = application.attachments.all()
    if application.submitted_at is not None:
        attachments = attachments.filter(uploaded_at__gt=application.submitted_at)
    return attachments


def applicant_history(application: ShareApplication) -> QuerySet[ShareApplication]:
    """The applicant department's earlier decided applications to the same provider (grants and refusals)."""
    return (
        _base()
        .filter(
            applicant_department_id=application.applicant_department_id,
            provider_department_id=application.provider_department_id,
            state__in=DECIDED_STATES,
        )
        .exclude(pk=application.pk)
        .select_related("decision__refusal_reason", "grant")
        .order_by("-decided_at")
    )


def task_list(user) -> QuerySet[Task]:
    """待办审核: open tasks the user may work on, scoped to their department (the bureau's arbitration: all)."""
    from requests.flows import ShareApplicationFlow

    if not user.is_authenticated:
        return Task.objects.none()
    scope = Q(owner_id__in=acting_user_ids(user), status=STATUS.ASSIGNED)
    mine = Q(process__shareapplicationprocess__application__provider_department_id=user.department_id)
    if user.has_perm("share_requests.can_review_application") and user.department_id:
        scope |= Q(flow_task=ShareApplicationFlow.review) & mine
    if user.has_perm("share_requests.can_countersign_application") and user.department_id:
        scope |= Q(flow_task=ShareApplicationFlow.countersign) & mine
    if user.has_perm("share_requests.can_arbitrate_application"):
        scope |= Q(flow_task=ShareApplicationFlow.arbitrate)
    return (
        Task.objects.filter(
            process__flow_class=ShareApplicationFlow,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        .filter(scope)
        .exclude(process__shareapplicationprocess__application__applicant_department_id=user.department_id)
        .select_related(
            "owner",
            "process__shareapplicationprocess__application__applicant_department",
            "process__shareapplicationprocess__application__resource",
        )
        .order_by("-created", "-pk")
    )
