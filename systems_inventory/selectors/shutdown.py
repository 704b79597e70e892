"""Reads of the shutdown chain: what other apps read of it (project_approvals' gate and O&M funding), the tasks,
the bureau's candidate list, a case's evidence and trail, a system's usage and standing, and what a user may do
on a case's page (case_actions). The services enforce the same rules (systems_inventory.rules, .permissions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.selectors import acting_user_ids
from pdf_templates.models import Record
from pdf_templates.selectors import records_visible_to
from systems_inventory import permissions, rules, zombie_rules
from systems_inventory.flows import ShutdownFlow
from systems_inventory.models import (
    CLOSED_STATES,
    ENDED_STATES,
    OPEN_CASE_STATES,
    CaseState,
    DataDisposition,
    DataStore,
    DispositionState,
    InfoSystem,
    Objection,
    ShutdownCase,
    SystemStatus,
    SystemToken,
    ZombieAssessment,
    ZombieScan,
)
from systems_inventory.selectors.self_check import events_of
from workflows.models import AuditEvent

# --- what other apps read (project_approvals: its gate and O&M funding) ----------


def unresolved_zombie_systems(department_ids: Iterable[int]) -> QuerySet[ShutdownCase]:
    """The departments' unresolved zombie systems, as their open cases (one query, with system and department):
    suspected and not yet decided by the bureau, or past the department's deadline for disposing of the data
    (systems_inventory.rules.unresolved)."""
    return (
        ShutdownCase.objects.filter(system__department_id__in=list(department_ids))
        .filter(rules.unresolved(timezone.now()))
        .select_related("system__department")
        .order_by("system__department_id", "system__name", "pk")
    )


@dataclass(frozen=True)
class ShutdownStanding:
    """Where one system stands in the shutdown chain."""

    system_id: int
    # The open case's state (a CaseState) if it has one, else the register's status: "in_use", "retired",
    # "shut_down" or "integrated".
    state: str
    label: str
    case_id: int | None = None
    unresolved: bool = False  # suspected and undecided, or its department past the disposition deadline

    @property
    def suspected(self) -> bool:
        return self.state == CaseState.SUSPECTED

    @property
    def in_chain(self) -> bool:
        """An open case: suspected, in its objection window, or on its way to shutdown or integration."""
        return self.case_id is not None

    @property
    def ended(self) -> bool:
        """Shut down or integrated: it no longer runs, and no longer needs operating funds."""
        return self.state in ENDED_STATES


def system_shutdown_state(system_ids: Iterable[int]) -> dict[int, ShutdownStanding]:
    """Each system's standing in the shutdown chain, by id, in two queries (unknown ids are left out)."""
    ids = list(system_ids)
    statuses = dict(InfoSystem.objects.filter(pk__in=ids).values_list("pk", "status"))
    cases = (
        ShutdownCase.objects.filter(system_id__in=ids, state__in=OPEN_CASE_STATES)
        .annotate(is_unresolved=ExpressionWrapper(rules.unresolved(timezone.now()), output_field=BooleanField()))
        .values_list("system_id", "pk", "state", "is_unresolved")
    )
    open_cases = {system_id: (pk, state, bool(flag)) for system_id, pk, state, flag in cases}
    case_labels, status_labels = dict(CaseState.choices), dict(SystemStatus.choices)
    standing = {}
    for system_id, status in statuses.items():
        if system_id in open_cases:
            pk, state, flag = open_cases[system_id]
            standing[system_id] = ShutdownStanding(system_id, state, case_labels[state], pk, flag)
        else:
            standing[system_id] = ShutdownStanding(system_id, status, status_labels[status])
    return standing


def active_token(token_hash: str) -> SystemToken | None:
    """The active push token with this hash (systems_inventory.services.activity keeps only hashes), or None."""
    return SystemToken.objects.filter(token_hash=token_hash, is_active=True).select_related("system").first()


def activity_overview(department_id: int | None) -> QuerySet[InfoSystem]:
    """The department's systems in use, each with its last day of use and latest month reported (any source)."""
    if department_id is None:
        return InfoSystem.objects.none()
    return (
        InfoSystem.objects.filter(department_id=department_id, status=SystemStatus.IN_USE)
        .annotate(
            # A last day is only ever recorded for a month with use (rules.check_activity).
            last_use=Max("activity__last_activity"),
            last_month=Max("activity__month"),
        )
        .order_by("name", "pk")
    )


# --- tasks ---------------------------------------------------------------------------------------------

_CASE = "process__shutdowncaseprocess__case"


def case_task_list(user) -> QuerySet[Task]:
    """Open shutdown tasks the user may work: the department's replies and disposals of its systems, the bureau's
    objection decisions and verifications of other departments' systems, and what is assigned to them or to whom
    they stand in for."""
    if not user.is_authenticated:
        return Task.objects.none()
    scope = Q(owner_id__in=acting_user_ids(user), status=STATUS.ASSIGNED)
    own = Q(**{f"{_CASE}__system__department_id": user.department_id})
    if user.department_id and user.has_perm(permissions.ANSWER_SHUTDOWN):
        scope |= Q(flow_task__in=[ShutdownFlow.reply, ShutdownFlow.dispose]) & own
    if user.has_perm(permissions.DECIDE_SHUTDOWN):
        scope |= Q(flow_task__in=[ShutdownFlow.decide_objection, ShutdownFlow.verify]) & ~own
    return (
        Task.objects.filter(
            process__flow_class=ShutdownFlow,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        .filter(scope)
        .select_related(f"{_CASE}__system__department")
        .order_by("-created", "-pk")
    )


# --- the candidate list and the cases --------------------------------------------------------------------


def latest_scan() -> ZombieScan | None:
    return ZombieScan.objects.filter(is_running=False).select_related("started_by").first()


def cases_visible_to(user) -> QuerySet[ShutdownCase]:
    """The bureau and auditors every case; a department those of its own systems; anyone else none."""
    cases = ShutdownCase.objects.select_related("system__department", "system__category", "assessment", "successor")
    if permissions.sees_all(user):
        return cases
    if user.is_authenticated and user.department_id is not None:
        return cases.filter(system__department_id=user.department_id)
    return cases.none()


def candidates(cases: QuerySet[ShutdownCase]) -> QuerySet[ShutdownCase]:
    """Suspected and undecided: why each is there is its assessment's findings."""
    return cases.filter(state=CaseState.SUSPECTED).order_by("system__department__code", "system__name", "pk")


def cases_in_chain(cases: QuerySet[ShutdownCase]) -> QuerySet[ShutdownCase]:
    open_past_suspicion = [state for state in OPEN_CASE_STATES if state != CaseState.SUSPECTED]
    return cases.filter(state__in=open_past_suspicion).order_by("proposed_at", "pk")


def cases_closed(cases: QuerySet[ShutdownCase], limit: int = 50) -> QuerySet[ShutdownCase]:
    return cases.filter(state__in=CLOSED_STATES).order_by("-closed_at", "-pk")[:limit]


def integration_hints(categories: int = 20, per_category: int = 8) -> list[dict]:
    """Function categories with more than one system in use (the duplicate-function warning), the fullest first:
    candidates for integration into one platform. Two queries."""
    systems = zombie_rules.scanned_systems()
    counts = (
        systems.values("category_id", "category__name")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "category__name")[:categories]
    )
    groups = {
        row["category_id"]: {"category": row["category__name"], "count": row["n"], "systems": []} for row in counts
    }
    members = (
        systems.filter(category_id__in=list(groups))
        .select_related("department")
        .order_by("category_id", "department__code", "name")
    )
    for system in members:
        group = groups[system.category_id]["systems"]
        if len(group) < per_category:
            group.append(system)
    return list(groups.values())


def case_assessments(case: ShutdownCase, limit: int = 10) -> QuerySet[ZombieAssessment]:
    return case.assessments.select_related("scan").order_by("-created_at", "-pk")[:limit]


def case_objections(case: ShutdownCase) -> QuerySet[Objection]:
    return case.objections.select_related("filed_by", "decided_by").prefetch_related("attachments").order_by("pk")


@dataclass
class StoreRow:
    store: DataStore
    disposition: DataDisposition | None  # the standing one (recorded or verified)
    rejected: list[DataDisposition]


def case_stores(case: ShutdownCase) -> list[StoreRow]:
    """The system's data stores, each with its standing disposition in this case and the rejected ones."""
    dispositions = (
        case.dispositions.select_related("target_system", "target_resource", "recorded_by", "verified_by")
        .prefetch_related("attachments")
        .order_by("pk")
    )
    by_store: dict[int, list[DataDisposition]] = {}
    for disposition in dispositions:
        by_store.setdefault(disposition.store_id, []).append(disposition)
    rows = []
    for store in DataStore.objects.filter(system_id=case.system_id).order_by("pk"):
        mine = by_store.get(store.pk, [])
        standing = [d for d in mine if d.state != DispositionState.REJECTED]
        rejected = [d for d in mine if d.state == DispositionState.REJECTED]
        rows.append(StoreRow(store, standing[-1] if standing else None, rejected))
    return rows


def case_records(user, case: ShutdownCase) -> QuerySet[Record]:
    subject = ContentType.objects.get_for_model(ShutdownCase)
    return records_visible_to(user).filter(subject_type=subject, subject_id=str(case.pk)).order_by("issued_at")


def case_events(case: ShutdownCase) -> list[AuditEvent]:
    return events_of(case)


def successor_choices(case: ShutdownCase | None = None) -> QuerySet[InfoSystem]:
    """Systems a case's system may be integrated into: any other in use."""
    systems = InfoSystem.objects.filter(status=SystemStatus.IN_USE).select_related("department")
    if case is not None:
        systems = systems.exclude(pk=case.system_id)
    return systems.order_by("department__code", "name")


# --- a system's usage and standing -----------------------------------------------------------------------


def system_cases(system: InfoSystem) -> QuerySet[ShutdownCase]:
    return system.shutdown_cases.select_related("successor").order_by("-created_at", "-pk")


def system_activity(system: InfoSystem, months: int = 24) -> list[dict]:
    """The last `months` months with any evidence, newest first: each with its figures per source."""
    rows = system.activity.order_by("-month", "source")
    by_month: dict = {}
    for row in rows:
        if row.month not in by_month:
            if len(by_month) == months:
                break
            by_month[row.month] = {"month": row.month, "sources": []}
        by_month[row.month]["sources"].append(row)
    return list(by_month.values())


def system_tokens(system: InfoSystem) -> QuerySet[SystemToken]:
    return system.tokens.select_related("created_by").order_by("-created_at")


def with_shutdown_state(systems: QuerySet[InfoSystem]) -> QuerySet[InfoSystem]:
    """Each system with its open case's id and state (a register's column), in the same query."""
    open_case = ShutdownCase.objects.filter(system=OuterRef("pk"), state__in=OPEN_CASE_STATES)
    return systems.annotate(
        open_case_id=Subquery(open_case.values("pk")[:1]), open_case_state=Subquery(open_case.values("state")[:1])
    )


# --- what a user may do on a case -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseActions:
    decide: bool = False  # the bureau dismisses the suspicion or proposes shutdown or integration
    reply: bool = False  # the department accepts or objects within the window
    decide_objection: bool = False
    dispose: bool = False  # the department lists stores, records dispositions, asks for verification
    verify: bool = False  # the bureau verifies or rejects each recorded disposition
    confirm: bool = False
    own_department: bool = False  # the bureau's own system: a colleague elsewhere decides

    @property
    def any(self) -> bool:
        return self.decide or self.reply or self.decide_objection or self.dispose or self.verify or self.confirm


def case_actions(user, case: ShutdownCase) -> CaseActions:
    decides = permissions.decides_case(user, case)
    answers = permissions.answers_for(user, case.system)
    return CaseActions(
        decide=decides and rules.awaits_decision(case),
        reply=answers and rules.in_objection_window(case, timezone.now()),
        decide_objection=decides and rules.awaits_objection_decision(case),
        dispose=answers and rules.is_disposing(case),
        verify=decides and rules.is_verifiable(case),
        confirm=decides and rules.awaits_confirmation(case),
        own_department=permissions.decides_shutdown(user) and not decides,
    )


@dataclass(frozen=True)
class SystemShutdownActions:
    request: bool = False  # its department asks to retire it
    propose: bool = False  # the bureau proposes shutdown or integration on its own
    tokens: bool = False  # its department issues and disables push tokens


def system_actions(user, system: InfoSystem, open_case: ShutdownCase | None) -> SystemShutdownActions:
    running = system.status == SystemStatus.IN_USE
    answers = permissions.answers_for(user, system)
    probe = ShutdownCase(system=system)
    return SystemShutdownActions(
        request=answers and running and open_case is None,
        propose=permissions.decides_case(user, probe) and running and open_case is None,
        tokens=answers and running,
    )
