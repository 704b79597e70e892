"""部门排名 and the 考核得分: a league table per measure, each rank with the figures it rests on, and the
weighted composite score per department for a period under a version of the bureau's weights.

Measures (each 0–100 for a department, None when it has nothing to be measured on):
- timeliness: of the applications it decided as provider in the period, the share decided without ever
  going overdue;
- completeness: of its catalog entries, the share published (registered or mounted);
- self_check: its report in the latest campaign up to the period's end: accepted on time 100, accepted late
  or after a return 70, reported and waiting 50, not reported 0;
- connections: its active grants (as provider and as consumer) against the department with the most.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from catalog.models import PUBLISHED_STATES, DataResource
from dashboard.figures import Filters, percent
from dashboard.figures.systems import campaign_for
from dashboard.models import ScoreWeights
from organizations.models import Department
from requests.models import DECIDED_STATES, GrantState, ShareApplication
from requests.models import Grant as ShareGrant
from systems_inventory.models import DepartmentReport, ReportState
from workflows.models import AuditEvent

MEASURES = {
    "timeliness": "按时答复（提供方）",
    "completeness": "目录完整度",
    "self_check": "自查质量",
    "connections": "共享对接",
}


@dataclass(frozen=True)
class Rank:
    position: int
    department: str
    department_id: int
    score: float | None
    basis: str  # the figures the score rests on, in words


def _ranked(entries: list[tuple[int, str, float | None, str]]) -> list[Rank]:
    scored = sorted((e for e in entries if e[2] is not None), key=lambda e: (-e[2], e[1]))
    ranks: list[Rank] = []
    for n, (pk, name, score, basis) in enumerate(scored, start=1):
        position = ranks[-1].position if ranks and ranks[-1].score == score else n
        ranks.append(Rank(position, name, pk, score, basis))
    ranks += [Rank(0, name, pk, None, basis) for pk, name, score, basis in entries if score is None]
    return ranks


def _departments() -> dict[int, str]:
    return dict(Department.objects.filter(is_active=True).order_by("code").values_list("pk", "name"))


def timeliness(filters: Filters) -> list[Rank]:
    from dashboard.aggregates import bounds

    start, end = bounds(filters.date_from, filters.date_to)
    rows = (
        ShareApplication.objects.filter(state__in=DECIDED_STATES, decided_at__gte=start, decided_at__lt=end)
        .order_by()
        .values("provider_department_id")
        .annotate(decided=Count("pk"), late=Count("pk", filter=Q(was_overdue=True)))
    )
    per = {r["provider_department_id"]: r for r in rows}
    return _ranked(
        [
            (
                pk,
                name,
                percent(r["decided"] - r["late"], r["decided"]) if (r := per.get(pk)) else None,
                f"决定{r['decided']}件，曾超期{r['late']}件" if r else "期间无决定",
            )
            for pk, name in _departments().items()
        ]
    )


def completeness(filters: Filters) -> list[Rank]:
    per: dict = defaultdict(Counter)
    for r in DataResource.objects.order_by().values("provider_department_id", "status").annotate(n=Count("pk")):
        per[r["provider_department_id"]][r["status"]] += r["n"]
    entries = []
    for pk, name in _departments().items():
        counts = per.get(pk, Counter())
        total = sum(n for status, n in counts.items() if status != "withdrawn")
        published = sum(counts[s] for s in PUBLISHED_STATES)
        entries.append((pk, name, percent(published, total), f"已发布{published}个，共{total}个目录"))
    return _ranked(entries)


def self_check(filters: Filters) -> list[Rank]:
    campaign = campaign_for(filters)
    if campaign is None:
        return _ranked([(pk, name, None, "无自查") for pk, name in _departments().items()])
    reports = {r.department_id: r for r in DepartmentReport.objects.filter(campaign=campaign)}
    returned = Counter(
        int(subject_id)
        for subject_id in AuditEvent.objects.filter(
            action="systems_inventory.report_returned",
            subject_type=ContentType.objects.get_for_model(DepartmentReport),
            subject_id__in=[str(r.pk) for r in reports.values()],
        ).values_list("subject_id", flat=True)
    )
    entries = []
    for pk, name in _departments().items():
        report = reports.get(pk)
        if report is None:
            entries.append((pk, name, None, "不在本次自查范围"))
            continue
        times = returned[report.pk]
        if report.state == ReportState.ACCEPTED:
            score = 100.0 if not report.is_late and not times else 70.0
        elif report.state in (ReportState.SUBMITTED, ReportState.CONFIRMING):
            score = 50.0
        else:
            score = 0.0
        basis = f"{report.get_state_display()}{'，逾期' if report.is_late else ''}，退回{times}次"
        entries.append((pk, name, score, basis))
    return _ranked(entries)


def connections(filters: Filters) -> list[Rank]:
    active = ShareGrant.objects.filter(state=GrantState.ACTIVE).order_by()
    given = Counter(dict(active.values_list("provider_department_id").annotate(n=Count("pk"))))
    held = Counter(dict(active.values_list("consumer_department_id").annotate(n=Count("pk"))))
    departments = _departments()
    best = max((given[pk] + held[pk] for pk in departments), default=0)
    return _ranked(
        [
            (
                pk,
                name,
                percent(given[pk] + held[pk], best) if best else None,
                f"提供{given[pk]}项、使用{held[pk]}项有效授权",
            )
            for pk, name in departments.items()
        ]
    )


RANKINGS = {
    "timeliness": timeliness,
    "completeness": completeness,
    "self_check": self_check,
    "connections": connections,
}


def league_tables(filters: Filters) -> dict[str, list[Rank]]:
    return {key: fn(filters) for key, fn in RANKINGS.items()}


@dataclass(frozen=True)
class Score:
    position: int
    department: str
    department_id: int
    total: float
    parts: dict[str, float | None]  # measure -> its 0–100 score (None counts as 0)


def current_weights() -> ScoreWeights:
    """The latest version; the first is made from the defaults when there is none."""
    latest = ScoreWeights.objects.order_by("-version").first()
    return latest or ScoreWeights.objects.create(version=1, note="默认权重")


def scores(filters: Filters, weights: ScoreWeights, tables: dict[str, list[Rank]] | None = None) -> list[Score]:
    tables = tables or league_tables(filters)
    parts: dict[int, dict[str, float | None]] = defaultdict(dict)
    names: dict[int, str] = {}
    for measure, ranks in tables.items():
        for rank in ranks:
            parts[rank.department_id][measure] = rank.score
            names[rank.department_id] = rank.department
    weight = weights.as_dict()
    whole = sum(weight.values()) or 1
    totals = [(pk, round(sum(weight[m] * (p.get(m) or 0) for m in weight) / whole, 1), p) for pk, p in parts.items()]
    totals.sort(key=lambda t: (-t[1], names[t[0]]))
    out: list[Score] = []
    for n, (pk, total, p) in enumerate(totals, start=1):
        position = out[-1].position if out and out[-1].total == total else n
        out.append(Score(position, names[pk], pk, total, dict(p)))
    return out
