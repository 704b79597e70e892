"""Reads of share applications and grants: who sees which, the task lists, what a user may do on a page.

A grant is seen by its consumer and provider departments, the data bureau and auditors (grants_visible_to).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from catalog.choices import ShareClass
from catalog.models import DataResource
from organizations.models import User
from organizations.roles import Role
from organizations.selectors import acting_user_ids
from pdf_templates.dates import chinese_date
from pdf_templates.models import Record
from pdf_templates.selectors import records_visible_to
from requests import permissions, rules
from requests.flows import ShareApplicationFlow
from requests.models import (
    DECIDED_STATES,
    INBOX_STATES,
    OPEN_STATES,
    ApiToken,
    ApplicationAttachment,
    ApplicationState,
    ClassDispute,
    DecisionOutcome,
    Grant,
    GrantState,
    ShareApplication,
)
from workflows import flowtasks
from workflows.selectors import CappedCount, count_capped, serial_plans
from workflows.workdays import workdays_left


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


def overdue_counts_by_provider() -> list[Any]:
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


# 待办审核's orders: the nearest deadline first by default (the overdue at the top, no deadline last), or the
# newest received, or by applicant department. An application has one open task at most, so each order ends on
# a unique key and a page never repeats a row. The deadline order is read off an index of the waiting
# applications by (due_at, id), the newest received off one of the open tasks (migrations 0010 and 0003).
_APPLICATION = "process__shareapplicationprocess__application"
_DUE = F(f"{_APPLICATION}__due_at").asc(nulls_last=True)
INBOX_SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "due": ("答复期限", (_DUE, f"{_APPLICATION}__id")),
    "received": ("收到时间", ("-created", "-pk")),
    "applicant": ("申请部门", (f"{_APPLICATION}__applicant_department__name", _DUE, f"{_APPLICATION}__id")),
}
DEFAULT_INBOX_SORT = "due"


def task_list(user, sort: str = DEFAULT_INBOX_SORT) -> QuerySet[Task]:
    """待办审核: open tasks the user may work on, scoped to their department (the bureau's arbitration: all)."""

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
            process__shareapplicationprocess__application__state__in=INBOX_STATES,  # lets the deadline index serve
        )
        .filter(scope)
        .exclude(process__shareapplicationprocess__application__applicant_department_id=user.department_id)
        .select_related(
            "owner",
            "process__shareapplicationprocess__application__applicant_department",
            "process__shareapplicationprocess__application__resource",
        )
        .order_by(*INBOX_SORTS.get(sort, INBOX_SORTS[DEFAULT_INBOX_SORT])[1])
    )


@dataclass(frozen=True)
class InboxRow:
    task: Task
    application: ShareApplication
    workdays_left: int | None  # to the reply deadline: 0 on its last day, negative once overdue; None without one


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: CappedCount
    sort: str
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


# What the inbox shows of each task: loading the rows' other columns would cost more than the query.
INBOX_COLUMNS = (
    "flow_task",
    "created",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    _APPLICATION,
    f"{_APPLICATION}__due_at",
    f"{_APPLICATION}__applicant_department__name",
    f"{_APPLICATION}__resource__name",
)


def inbox_page(user, *, sort: str = DEFAULT_INBOX_SORT, number: int = 1, size: int = 50) -> InboxPage:
    """One page of 待办审核 in two queries whatever its length: the page (one row more says if there is a next)
    and the capped total, planned without parallel workers (workflows.selectors.serial_plans). Working days left
    come from the calendar in memory (workflows.workdays)."""
    sort = sort if sort in INBOX_SORTS else DEFAULT_INBOX_SORT
    tasks = task_list(user, sort)
    offset = (number - 1) * size
    with serial_plans():
        page = list(tasks.only(*INBOX_COLUMNS)[offset : offset + size + 1])
        total = count_capped(tasks)
    rows = []
    for task in page[:size]:
        application = task.process.shareapplicationprocess.application
        rows.append(InboxRow(task, application, workdays_left(application.due_at)))
    return InboxPage(rows=rows, total=total, sort=sort, number=number, has_next=len(page) > size)


def previous_application(department, resource: DataResource) -> ShareApplication | None:
    """The department's latest decided application for the same resource (pre-fills "applied before")."""
    return (
        ShareApplication.objects.filter(
            applicant_department=department,
            resource=resource,
            state__in=[*DECIDED_STATES, ApplicationState.WITHDRAWN],
            submitted_at__isnull=False,  # a draft withdrawn unsent was never an application to the provider
        )
        .select_related("decision__refusal_reason", "grant")
        .order_by("-id")
        .first()
    )


def earlier_outcome_text(previous: ShareApplication) -> str:
    decision = getattr(previous, "decision", None)
    text = f"{previous.reference}：{previous.get_state_display()}"
    if decision is not None and decision.outcome == DecisionOutcome.REFUSED:
        reason = decision.refusal_reason.label if decision.refusal_reason else ""
        text += f"，理由：{reason} {decision.refusal_text}".rstrip()
    grant = getattr(previous, "grant", None)
    if grant is not None and grant.state == GrantState.REVOKED:
        text += f"，授权{grant.number}已撤销，理由：{grant.revoked_reason}"
    elif grant is not None and grant.state == GrantState.EXPIRED:
        text += f"，授权{grant.number}已于{chinese_date(grant.valid_to)}到期"
    return text


def created_from_form(actor, form_token) -> ShareApplication | None:
    """The application the actor's department already made from this form (a double click), if any."""
    if form_token is None:
        return None
    return ShareApplication.objects.filter(form_token=form_token, applicant_department_id=actor.department_id).first()


def renews_revoked_grant(application: ShareApplication) -> bool:
    """A renewal whose grant was revoked since it was started: it may no longer be submitted."""
    grant_id = application.renews_grant_id
    return grant_id is not None and Grant.objects.filter(pk=grant_id, state=GrantState.REVOKED).exists()


def may_dispute(application: ShareApplication) -> bool:
    """Unconditional data whose class the 政数局 has not already upheld against a dispute on this application."""
    return (
        application.resource.share_class == ShareClass.UNCONDITIONAL
        and not application.disputes.filter(outcome=ClassDispute.Outcome.DISMISSED).exists()
    )


def open_task(application: ShareApplication, node=None) -> Task | None:
    """The human task waiting on the application (review, countersign, arbitrate or correction), or at `node`."""
    return flowtasks.open_task(ShareApplicationFlow, application, node)


def handover_candidates(task: Task, application: ShareApplication) -> QuerySet[User]:
    """Colleagues in the provider department who could take `task` in its owner's place."""
    users = User.objects.filter(department=application.provider_department, is_active=True).exclude(pk=task.owner_id)
    return User.objects.filter(pk__in=[u.pk for u in users if u.has_perm(task.owner_permission)])


@dataclass(frozen=True)
class Actions:
    """What a user may do on an application's page now. The services enforce the same rules (requests.rules)."""

    edit: bool = False
    withdraw: bool = False
    renewal_revoked: bool = False  # a renewal of a grant revoked since: it may only be withdrawn
    task: Task | None = None
    task_mine: bool = False
    take: bool = False
    decide: bool = False  # grant, refuse or return
    grant_as_requested: bool = False
    dispute: bool = False
    countersign: bool = False
    order: bool = False
    own_department: bool = False  # the bureau's own application: it may order the provider, not decide
    handover_to: QuerySet[User] | None = None  # the colleagues the owner may hand the task to

    @property
    def works(self) -> bool:
        return self.task_mine or self.take


def renewal_revoked(application: ShareApplication) -> bool:
    """A renewal draft whose grant was revoked since: it may only be withdrawn (application_submit refuses it)."""
    return application.state == ApplicationState.DRAFT and renews_revoked_grant(application)


def may_edit(user, application: ShareApplication) -> bool:
    """The form to change the application is the user's to open now."""
    return (
        permissions.can_edit(user, application) and rules.is_editable(application) and not renewal_revoked(application)
    )


def available_actions(user, application: ShareApplication) -> Actions:
    mine: dict[str, Any] = dict(
        edit=may_edit(user, application),
        withdraw=permissions.can_edit(user, application) and rules.is_withdrawable(application),
        renewal_revoked=renewal_revoked(application),
    )
    task = open_task(application)
    if task is None or task.flow_task_type != "HUMAN":
        return Actions(task=task, **mine)
    node = task.flow_task
    owner = task.owner_id is not None and node.can_execute(user, task)
    may_take = task.owner_id is None and node.can_assign(user, task, subject=application)
    own = rules.is_own_application(user, application)
    decided_as = rules.decider(application)
    if own and may_take and application.state == ApplicationState.ESCALATED:
        return Actions(task=task, own_department=True, order=True, **mine)  # ordering is not deciding
    works = owner or (may_take and not own)
    handover = None
    if owner and application.state in (ApplicationState.IN_REVIEW, ApplicationState.COUNTERSIGNING):
        colleagues = handover_candidates(task, application)
        handover = colleagues if colleagues.exists() else None  # nobody to hand it to: no form
    return Actions(
        task=task,
        task_mine=owner,
        take=may_take and not own,
        decide=works and decided_as is not None,
        grant_as_requested=rules.grants_only_as_requested(application, decided_as),
        dispute=works and application.state == ApplicationState.IN_REVIEW and may_dispute(application),
        countersign=works and application.state == ApplicationState.COUNTERSIGNING,
        order=works and application.state == ApplicationState.ESCALATED,
        handover_to=handover,
        **mine,
    )


# ---------------------------------------------------------------- grants and API tokens


def sees_all_grants(user) -> bool:
    return permissions.sees_all(user)  # as for applications: the bureau, auditors and whoever stands in for one


def manages_api_tokens(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DATA_BUREAU)


def grants_visible_to(user) -> QuerySet[Grant]:
    """The consumer and the provider department see a grant; the data bureau and auditors see all."""
    grants = Grant.objects.select_related("consumer_department", "provider_department", "resource", "application")
    if not user.is_authenticated:
        return grants.none()
    if sees_all_grants(user):
        return grants
    if user.department_id is None:
        return grants.none()
    return grants.filter(Q(consumer_department_id=user.department_id) | Q(provider_department_id=user.department_id))


SCOPES = {"held": "本部门获得的授权", "given": "本部门给出的授权", "all": "全部授权"}


def grant_scopes(user) -> list[str]:
    return [*(["held", "given"] if user.department_id else []), *(["all"] if sees_all_grants(user) else [])]


def grant_list(user, *, scope: str, state: str = "") -> QuerySet[Grant]:
    grants = grants_visible_to(user).annotate(item_count=Count("items"))
    if scope == "held":
        grants = grants.filter(consumer_department_id=user.department_id)
    elif scope == "given":
        grants = grants.filter(provider_department_id=user.department_id)
    elif scope != "all" or not sees_all_grants(user):
        return grants.none()
    if state:
        grants = grants.filter(state=state)
    return grants.order_by("-id")


def active_grant_count(resource) -> int:
    """Grants a catalog withdrawal would revoke (the withdraw form says how many)."""
    return Grant.objects.filter(resource=resource, state=GrantState.ACTIVE).count()


def grant_records(user, grant: Grant) -> QuerySet[Record]:
    """The records of the grant (revocation) and of its source application (the decision), as far as visible."""
    from django.contrib.contenttypes.models import ContentType

    subjects = Q()
    for obj in (grant, grant.application):
        subjects |= Q(subject_type=ContentType.objects.get_for_model(obj), subject_id=str(obj.pk))
    return records_visible_to(user).filter(subjects).order_by("issued_at", "id")


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("department").order_by("-is_active", "name")
