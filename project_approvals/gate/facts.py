"""What the gate reads, for any number of projects or systems at once, in a fixed number of queries.

Each loader takes the subjects and returns, per subject, the facts its rules judge: plain dataclasses, so the rules
(project_approvals.gate.rules) are plain functions and the snapshot says exactly what was read. The number of
queries does not depend on the number of subjects nor on the size of the catalog, the register or the share
applications (benchmark B5): one query per kind of fact, each filtered on indexed columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from itertools import combinations
from operator import or_

from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from catalog.models import ResourceStatus
from project_approvals.models import (
    LIVE_STATES,
    ConditionStatus,
    ConstructionProject,
    ProjectState,
    ReviewCondition,
)
from requests.models import ApplicationState, ShareApplication
from systems_inventory.models import DepartmentReport, InfoSystem, SystemStatus
from systems_inventory.selectors import system_shutdown_state, unresolved_zombie_systems

# The provider still owes its reply in these (a reviewer, its leader's countersignature, or the bureau arbitrating
# because it is late already).
AWAITING_PROVIDER = [ApplicationState.IN_REVIEW, ApplicationState.COUNTERSIGNING, ApplicationState.ESCALATED]
# How many references a rule's evidence lists (its counts are exact).
EVIDENCE_REFS = 10
# Words every system's name has; similar names are judged without them (rule 8).
MAX_WORDS = 8  # of a name's words, those the candidates' query pairs (28 pairs at most)
HANZI = re.compile(r"[\u4e00-\u9fff]{2}")
GENERIC_WORDS = ("信息系统", "管理系统", "服务平台", "管理平台", "系统", "平台", "管理", "信息", "综合", "市")


@dataclass(frozen=True)
class ResourceFact:
    id: int
    code: str
    name: str
    status: str
    status_label: str
    department_id: int


@dataclass(frozen=True)
class SystemFact:
    id: int
    reference: str
    name: str
    status: str
    connected: bool
    is_classified: bool
    department_id: int
    category_id: int
    resource_count: int = 0


@dataclass(frozen=True)
class ReportFact:
    id: int
    campaign: str
    campaign_state: str
    launched_at: dt.datetime | None
    state: str
    state_label: str
    is_late: bool
    decided_at: dt.datetime | None


@dataclass(frozen=True)
class ConditionFact:
    id: int
    project_id: int
    project_reference: str
    text: str
    due_on: dt.date


@dataclass(frozen=True)
class DuplicateFact:
    id: int
    reference: str
    name: str
    department: str
    category_id: int


@dataclass(frozen=True)
class ZombieFact:
    case_id: int
    case_reference: str
    system_id: int
    system_reference: str
    system_name: str
    state: str
    state_label: str
    disposition_due_at: dt.datetime | None


@dataclass
class DepartmentFacts:
    """What the gate reads about a department: its self-check, its replies as a provider, its open conditions."""

    id: int
    name: str
    reports: list[ReportFact] = field(default_factory=list)  # newest campaign first
    overdue_count: int = 0
    overdue_refs: list[str] = field(default_factory=list)
    received_this_year: int = 0
    late_this_year: int = 0
    conditions: list[ConditionFact] = field(default_factory=list)  # open, earliest due first
    zombies: list[ZombieFact] = field(default_factory=list)  # unresolved zombie systems, as their open cases


@dataclass
class ProjectFacts:
    project_id: int
    reference: str
    name: str
    state: str
    deployment: str
    deployment_label: str
    is_classified: bool
    not_on_cloud_reason: str
    new_system_name: str
    new_system_category_id: int | None
    department: DepartmentFacts
    produced: list[ResourceFact] = field(default_factory=list)
    systems: list[SystemFact] = field(default_factory=list)
    new_system_registered: list[SystemFact] = field(default_factory=list)
    duplicates: list[DuplicateFact] = field(default_factory=list)
    today: dt.date = field(default_factory=timezone.localdate)
    max_late_rate: Decimal = Decimal("0.10")

    @property
    def at_acceptance(self) -> bool:
        """The next decision is 验收: what a finished project must show (its new system in the register)."""
        return self.state == ProjectState.BUDGETED


def max_late_rate() -> Decimal:
    return Decimal(str(settings.GATE_MAX_LATE_REPLY_RATE))


def load_projects(projects: list[ConstructionProject], *, now: dt.datetime | None = None) -> dict[int, ProjectFacts]:
    """The facts of each project (whose `department` is loaded), keyed by its id: ten queries whatever the count."""
    now = now or timezone.now()
    ids = [p.pk for p in projects]
    departments = {p.department_id: DepartmentFacts(id=p.department_id, name=p.department.name) for p in projects}
    load_departments(departments, now=now)
    facts = {
        p.pk: ProjectFacts(
            project_id=p.pk,
            reference=p.reference,
            name=p.name,
            state=p.state,
            deployment=p.deployment,
            deployment_label=p.get_deployment_display(),
            is_classified=p.is_classified,
            not_on_cloud_reason=p.not_on_cloud_reason,
            new_system_name=p.new_system_name.strip(),
            new_system_category_id=p.new_system_category_id,
            department=departments[p.department_id],
            today=timezone.localdate(now),
            max_late_rate=max_late_rate(),
        )
        for p in projects
    }
    _produced(facts, ids)
    _systems(facts, ids)
    _new_systems(facts)
    _duplicates(facts)
    return facts


def load_departments(departments: dict[int, DepartmentFacts], *, now: dt.datetime) -> None:
    """Fill in each department's self-check reports, provider replies, open conditions and unresolved zombie
    systems (five queries)."""
    ids = list(departments)
    reports = (
        DepartmentReport.objects.filter(department_id__in=ids)
        .select_related("campaign")
        .order_by("department_id", F("campaign__launched_at").desc(nulls_last=True), "-pk")
    )
    for report in reports:
        departments[report.department_id].reports.append(
            ReportFact(
                id=report.pk,
                campaign=report.campaign.title,
                campaign_state=report.campaign.state,
                launched_at=report.campaign.launched_at,
                state=report.state,
                state_label=report.get_state_display(),
                is_late=report.is_late,
                decided_at=report.decided_at,
            )
        )
    _replies(departments, now)
    _conditions(departments)
    _zombies(departments)


def _zombies(departments: dict[int, DepartmentFacts]) -> None:
    """Unresolved zombie systems: suspected with no decision, or a shutdown past its disposal deadline."""
    for case in unresolved_zombie_systems(list(departments)):
        departments[case.system.department_id].zombies.append(
            ZombieFact(
                case_id=case.pk,
                case_reference=case.reference,
                system_id=case.system_id,
                system_reference=case.system.reference,
                system_name=case.system.name,
                state=case.state,
                state_label=case.get_state_display(),
                disposition_due_at=case.disposition_due_at,
            )
        )


def _replies(departments: dict[int, DepartmentFacts], now: dt.datetime) -> None:
    """Per provider department: applications overdue now (their first references), and this year's late share."""
    overdue = Q(state__in=AWAITING_PROVIDER, due_at__lt=now)
    year_start = timezone.localtime(now).replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    received = ShareApplication.objects.filter(
        provider_department_id__in=list(departments), submitted_at__gte=year_start
    )
    counts = received.values("provider_department_id").annotate(
        total=Count("pk"), late=Count("pk", filter=Q(was_overdue=True) | overdue)
    )
    for row in counts.order_by():
        facts = departments[row["provider_department_id"]]
        facts.received_this_year, facts.late_this_year = row["total"], row["late"]
    # Every overdue application, whenever submitted: counted and the first ones named, per department.
    ranked = (
        ShareApplication.objects.filter(overdue, provider_department_id__in=list(departments))
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("provider_department_id")], order_by=[F("due_at").asc(), "pk"]),
            total=Window(Count("pk"), partition_by=[F("provider_department_id")]),
        )
        .filter(rank__lte=EVIDENCE_REFS)
        .values_list("provider_department_id", "pk", "total")
        .order_by("provider_department_id", "rank")
    )
    for department_id, pk, total in ranked:
        facts = departments[department_id]
        facts.overdue_count = total
        facts.overdue_refs.append(ShareApplication(pk=pk).reference)


def _conditions(departments: dict[int, DepartmentFacts]) -> None:
    """Open conditions of the departments' first reviews, on projects still under way."""
    conditions = (
        ReviewCondition.objects.filter(
            project__department_id__in=list(departments),
            project__state__in=LIVE_STATES,
            status=ConditionStatus.OPEN,
        )
        .values_list("pk", "project_id", "project__department_id", "text", "due_on")
        .order_by("due_on", "pk")
    )
    for pk, project_id, department_id, text, due_on in conditions:
        departments[department_id].conditions.append(
            ConditionFact(
                id=pk,
                project_id=project_id,
                project_reference=ConstructionProject(pk=project_id).reference,
                text=text,
                due_on=due_on,
            )
        )


def _produced(facts: dict[int, ProjectFacts], ids: list[int]) -> None:
    through = ConstructionProject.produced_resources.through
    labels = dict(ResourceStatus.choices)
    rows = (
        through.objects.filter(constructionproject_id__in=ids)
        .values_list(
            "constructionproject_id",
            "dataresource_id",
            "dataresource__code",
            "dataresource__name",
            "dataresource__status",
            "dataresource__provider_department_id",
        )
        .order_by("dataresource__code")
    )
    for project_id, pk, code, name, status, department_id in rows:
        facts[project_id].produced.append(
            ResourceFact(
                id=pk, code=code, name=name, status=status, status_label=labels[status], department_id=department_id
            )
        )


def _system(row: dict) -> SystemFact:
    return SystemFact(
        id=row["id"],
        reference=system_reference(row["id"]),
        name=row["name"],
        status=row["status"],
        connected=row["connected"],
        is_classified=row["is_classified"],
        department_id=row["department_id"],
        category_id=row["category_id"],
        resource_count=row.get("resource_count", 0),
    )


SYSTEM_VALUES = ("id", "name", "status", "connected", "is_classified", "department_id", "category_id")


def _systems(facts: dict[int, ProjectFacts], ids: list[int]) -> None:
    through = ConstructionProject.systems.through
    values = [f"infosystem__{name}" if name != "id" else "infosystem_id" for name in SYSTEM_VALUES]
    rows = (
        through.objects.filter(constructionproject_id__in=ids)
        .values_list("constructionproject_id", *values)
        .order_by("infosystem__name", "infosystem_id")
    )
    for project_id, *row in rows:
        facts[project_id].systems.append(_system(dict(zip(SYSTEM_VALUES, row, strict=True))))


def _new_systems(facts: dict[int, ProjectFacts]) -> None:
    """The register's systems in use that carry a new system's name in its department (what 验收 looks for)."""
    wanted = {(f.department.id, f.new_system_name) for f in facts.values() if f.new_system_name}
    if not wanted:
        return
    match = Q()
    for department_id, name in wanted:
        match |= Q(department_id=department_id, name=name)
    rows = InfoSystem.objects.filter(match, status=SystemStatus.IN_USE).values(*SYSTEM_VALUES)
    found: dict[tuple[int, str], list[SystemFact]] = defaultdict(list)
    for row in rows:
        found[(row["department_id"], row["name"])].append(_system(row))
    for f in facts.values():
        f.new_system_registered = found.get((f.department.id, f.new_system_name), [])


def keywords(name: str) -> frozenset[str]:
    """The two-hanzi words of a system's name, without the words every name has (numbers and Latin letters are
    not words here: "B5" or "01" say nothing about what a system does)."""
    core = name
    for word in GENERIC_WORDS:
        core = core.replace(word, " ")
    return frozenset(core[i : i + 2] for i in range(len(core) - 1) if HANZI.fullmatch(core[i : i + 2]))


def similar(words_a: frozenset[str], words_b: frozenset[str]) -> bool:
    """Two names share at least half of the shorter one's words (at least two)."""
    shared = words_a & words_b
    return len(shared) >= 2 and len(shared) * 2 >= min(len(words_a), len(words_b))


def system_reference(pk: int) -> str:
    """InfoSystem.reference without building the model (thousands of candidates)."""
    return f"XT{pk:06d}"


def _duplicates(facts: dict[int, ProjectFacts]) -> None:
    """Systems in use of other departments, in a category the project builds in, whose names are alike (rule 8).
    One query: the candidates share a category and two of the names' words; likeness is judged here. At most
    EVIDENCE_REFS are kept per project."""
    wanted: dict[int, list[tuple[int, frozenset[str]]]] = {}  # project → (category, words) it builds or changes
    for f in facts.values():
        built = [(s.category_id, s.name) for s in f.systems]
        if f.new_system_name and f.new_system_category_id:
            built.append((f.new_system_category_id, f.new_system_name))
        wanted[f.project_id] = [(category, keywords(name)) for category, name in built]
    match = Q()
    for named in wanted.values():
        for category_id, words in named:
            if len(words) >= 2:  # alike names share two words at least: so must every candidate
                two = combinations(sorted(words)[:MAX_WORDS], 2)
                match |= Q(category_id=category_id) & reduce(
                    or_, (Q(name__contains=a) & Q(name__contains=b) for a, b in two)
                )
    if not match:
        return
    rows = (
        InfoSystem.objects.filter(match, status=SystemStatus.IN_USE)
        .values_list("id", "name", "department_id", "department__name", "category_id")
        .order_by("department__code", "name")
    )
    candidates = [(*row, keywords(row[1])) for row in rows]
    for f in facts.values():
        f.duplicates = _alike(f, wanted[f.project_id], candidates)


def _alike(f: ProjectFacts, pairs: list[tuple[int, frozenset[str]]], candidates: list[tuple]) -> list[DuplicateFact]:
    """The candidates like what the project builds: another department's, same category, alike names."""
    seen = {s.id for s in f.systems}
    found: list[DuplicateFact] = []
    for category_id, words in pairs:
        for pk, name, department_id, department_name, category, their_words in candidates:
            if category != category_id or department_id == f.department.id or pk in seen:
                continue
            if similar(words, their_words):
                seen.add(pk)
                found.append(DuplicateFact(pk, system_reference(pk), name, department_name, category_id))
                if len(found) >= EVIDENCE_REFS:
                    return found
    return found


@dataclass
class SystemOmFacts:
    """What the O&M gate reads about one system for one year: the register, and the shutdown chain."""

    system: SystemFact
    department: str
    year: int
    chain_state: str = ""  # the open shutdown case's state, or the register's status
    chain_label: str = ""
    case_id: int | None = None
    in_chain: bool = False  # an open shutdown case: suspected, notified, disposing…
    ended: bool = False  # shut down or integrated


def load_systems(systems, *, year: int) -> dict[int, SystemOmFacts]:
    """The facts of each system (a queryset or a list of systems), keyed by its id: three queries whatever the
    count (the register, and the shutdown chain's two)."""
    ids = systems.values("pk") if hasattr(systems, "values") else [s.pk for s in systems]
    rows = list(
        InfoSystem.objects.filter(pk__in=ids)
        .annotate(resource_count=Count("resources"))
        .values(*SYSTEM_VALUES, "resource_count", "department__name")
    )
    standing = system_shutdown_state(row["id"] for row in rows)
    facts = {}
    for row in rows:
        chain = standing[row["id"]]
        facts[row["id"]] = SystemOmFacts(
            system=_system(row),
            department=row["department__name"],
            year=year,
            chain_state=chain.state,
            chain_label=chain.label,
            case_id=chain.case_id,
            in_chain=chain.in_chain,
            ended=chain.ended,
        )
    return facts
