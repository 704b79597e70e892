"""Reads of share applications and grants: who sees which, the task lists, what a user may do on a page.

Scenarios' reads are in .scenarios, re-exported here.

A grant is seen by its consumer and provider departments, the data bureau and auditors (grants_visible_to).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, When
from viewflow.workflow.models import Task

from catalog.choices import ShareClass
from catalog.models import DataResource
from organizations.models import User
from organizations.roles import Role
from pdf_templates.dates import chinese_date
from pdf_templates.models import Record
from pdf_templates.selectors import records_visible_to
from requests import permissions, rules
from requests.flows import ShareApplicationFlow
from requests.models import (
    DECIDED_STATES,
    EDITABLE_STATES,
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
from requests.selectors.inbox import (  # noqa: F401  (re-exported: requests.selectors is where pages read)
    DEFAULT_INBOX_SORT,
    INBOX_COLUMNS,
    INBOX_SHOWS,
    INBOX_SORTS,
    INBOX_STEPS,
    InboxPage,
    InboxRow,
    InboxSummary,
    inbox_page,
    inbox_summary,
    inbox_tasks,
    task_list,
)
from workflows import flowtasks, taking


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


# 我的申请 on the 工作台: what the department must act on first, then the rest by how far along it is.
APPLICANT_STATE_ORDER = [
    ApplicationState.RETURNED,
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.COUNTERSIGNING,
    ApplicationState.ESCALATED,
    ApplicationState.GRANTED,
    ApplicationState.PARTIALLY_GRANTED,
    ApplicationState.REFUSED,
    ApplicationState.WITHDRAWN,
]


def applications_by_state(user) -> dict[str, int]:
    """我的申请 counted by state, in one query."""
    counts = department_applications(user).order_by().values_list("state").annotate(n=Count("pk"))
    return dict(counts)


def applications_to_act_on(user, size: int) -> list[ShareApplication]:
    """The department's applications waiting on it: returned for 补正 first, then its drafts, the latest first."""
    returned_first = Case(When(state=ApplicationState.RETURNED, then=0), default=1)
    return list(
        department_applications(user)
        .filter(state__in=EDITABLE_STATES)
        .order_by(returned_first, "-updated_at", "-pk")[:size]
    )


def open_application_count(resource) -> int:
    """Applications a catalog withdrawal would refuse (the withdraw form says how many)."""
    return ShareApplication.objects.filter(resource=resource, state__in=OPEN_STATES).count()


OVERDUE_REASONS = {"overdue": "超期未答复", "dispute": "共享类型异议"}


def overdue_queue(reason: str = "") -> QuerySet[ShareApplication]:
    """逾期协调: escalated applications waiting for the data bureau, oldest first; `disputed` when a class dispute
    brought it there, not a missed deadline. `reason` ("overdue", "dispute") keeps one kind."""
    open_dispute = ClassDispute.objects.filter(application=OuterRef("pk"), outcome=ClassDispute.Outcome.OPEN)
    queue = _base().filter(state=ApplicationState.ESCALATED).annotate(disputed=Exists(open_dispute))
    if reason == "overdue":
        queue = queue.filter(disputed=False)
    elif reason == "dispute":
        queue = queue.filter(disputed=True)
    return queue.order_by("escalated_at", "pk")


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
    """Colleagues who could take `task` in its owner's place (workflows.taking: the node's rule, its permission)."""
    return taking.candidates(task, application)


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
    grants = Grant.objects.select_related(
        "consumer_department", "provider_department", "resource", "application", "scenario"
    )
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
    source = grant.application or grant.scenario  # what the grant was given on
    for obj in (grant, source) if source is not None else (grant,):
        subjects |= Q(subject_type=ContentType.objects.get_for_model(obj), subject_id=str(obj.pk))
    return records_visible_to(user).filter(subjects).order_by("issued_at", "id")


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("department").order_by("-is_active", "name")


from requests.selectors.scenarios import (  # noqa: E402, F401
    ScenarioActions,
    available_scenario_actions,
    citable_scenarios,
    scenario_grants,
    scenario_list,
    scenario_parts,
    scenario_scopes,
    scenario_task_list,
    scenarios_visible_to,
    works_on_scenario,
)
