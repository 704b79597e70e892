"""A campaign's statistics: progress by department, and what the accepted reports say.

Seed 000's sentence is what they must reproduce: 42 departments were checked, 15 of them run 68 self-built
systems. "Checked" is a department whose report the bureau accepted; a system counts when its accepted line
says it is in use; the breakdowns (deployment with the 政务云 rate, funding source, usage frequency, interface
method, connection to the sharing platform) are of the self-built systems in use. Reading them takes a fixed
number of queries, however many departments and systems there are (benchmark B7).

Beside them, where the register's systems stand in the shutdown chain (僵尸系统清理: suspected, in their
objection window, disposing, shut down, integrated), in one more query.

Closing a campaign stores `frozen(campaign)` on it; its page shows that from then on.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from systems_inventory.choices import BuildType, Deployment, FundingSource, InterfaceMethod, UsageFrequency
from systems_inventory.models import (
    ENDED_STATES,
    OPEN_CASE_STATES,
    Campaign,
    CampaignState,
    CaseState,
    DepartmentReport,
    LineAction,
    ReportLine,
    ReportState,
    ShutdownCase,
)

BREAKDOWNS = [
    # (key, title, the line's field, its choices)
    ("deployment", "部署方式", "deployment", Deployment),
    ("funding_source", "经费来源", "funding_source", FundingSource),
    ("usage_frequency", "使用频度", "usage_frequency", UsageFrequency),
    ("interface_method", "接口方式", "interface_method", InterfaceMethod),
]
PROGRESS_STATES = [state for state, _ in ReportState.choices]


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def progress(campaign: Campaign) -> dict[str, Any]:
    """Each department's report (state, late, dates) and the count per state, in one query."""
    rows = []
    counts = dict.fromkeys(PROGRESS_STATES, 0)
    late = 0
    labels = dict(ReportState.choices)
    reports = (
        DepartmentReport.objects.filter(campaign=campaign)
        .order_by("department__code")
        .values("pk", "state", "is_late", "confirmed_at", "decided_at", "department__name", "department__code")
    )
    for report in reports:
        counts[report["state"]] += 1
        late += report["is_late"]
        rows.append(
            {
                "report": report["pk"],
                "department": report["department__name"],
                "code": report["department__code"],
                "state": report["state"],
                "state_label": labels[report["state"]],
                "is_late": report["is_late"],
                "confirmed_at": _when(report["confirmed_at"]),
                "decided_at": _when(report["decided_at"]),
            }
        )
    total = len(rows)
    return {
        "total": total,
        "counts": [{"state": s, "label": labels[s], "count": counts[s]} for s in PROGRESS_STATES],
        "late": late,
        "accepted_percent": _percent(counts[ReportState.ACCEPTED], total),
        "rows": rows,
    }


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# The columns the figures and breakdowns are read from: the accepted lines are counted per combination of these
# (a few hundred groups at most), in one query, and added up here.
GROUPED: tuple[str, ...] = ("action", "build_type", "deployment", "funding_source", "usage_frequency")
GROUPED += ("interface_method", "is_classified", "connected")


def findings(campaign: Campaign) -> dict[str, Any]:
    """What the accepted reports say (seed 000: 42 checked, 15 with 68 self-built systems), in three queries."""
    accepted = DepartmentReport.objects.filter(campaign=campaign, state=ReportState.ACCEPTED)
    reports = accepted.aggregate(checked=Count("pk"), declared_none=Count("pk", filter=Q(no_self_built=True)))
    lines = ReportLine.objects.filter(report__campaign=campaign, report__state=ReportState.ACCEPTED)
    self_built = Q(build_type=BuildType.SELF_BUILT) & ~Q(action=LineAction.RETIRE)
    departments = lines.aggregate(
        with_self_built=Count("report__department", filter=self_built, distinct=True),
        connected=Count("report__department", filter=self_built & Q(connected=True), distinct=True),
    )
    groups = list(lines.values(*GROUPED).annotate(n=Count("pk"), interfaces=Sum("interface_count")).order_by())
    in_use = [g for g in groups if g["action"] != LineAction.RETIRE]
    built = [g for g in in_use if g["build_type"] == BuildType.SELF_BUILT]
    systems = _sum(built)
    connected = [g for g in built if g["connected"]]
    on_cloud = _sum(g for g in built if g["deployment"] == Deployment.GOV_CLOUD)
    non_classified = _sum(g for g in built if not g["is_classified"])
    return {
        "departments_checked": reports["checked"],
        "departments_with_self_built": departments["with_self_built"],
        "declared_none": reports["declared_none"],
        "self_built_systems": systems,
        "systems_in_use": _sum(in_use),
        "retired_systems": _sum(g for g in groups if g["action"] == LineAction.RETIRE),
        "by_build_type": [
            {"key": value, "label": label, "count": _sum(g for g in in_use if g["build_type"] == value)}
            for value, label in BuildType.choices
        ],
        "gov_cloud": {
            "on_cloud": on_cloud,
            "non_classified": non_classified,
            "classified": systems - non_classified,
            "rate": _percent(on_cloud, non_classified),
        },
        "connection": {
            "connected": _sum(connected),
            "not_connected": systems - _sum(connected),
            "interfaces": sum(g["interfaces"] or 0 for g in connected),
            "departments": departments["connected"],
        },
        "breakdowns": [_breakdown(built, *spec, total=systems) for spec in BREAKDOWNS],
    }


def _sum(groups) -> int:
    return sum(g["n"] for g in groups)


def _breakdown(groups: list[dict], key: str, title: str, field: str, choices, *, total: int) -> dict[str, Any]:
    rows = []
    for value, label in choices.choices:
        count = _sum(g for g in groups if g[field] == value)
        rows.append({"key": value, "label": label, "count": count, "percent": _percent(count, total)})
    return {"key": key, "title": title, "rows": rows}


# The shutdown chain's states a system can be in (the dismissed and withdrawn ones are in use again).
SHUTDOWN_STATES = [*OPEN_CASE_STATES, *ENDED_STATES]


def shutdown() -> list[dict[str, Any]]:
    """Where the register's systems stand in the shutdown chain (僵尸系统清理), the whole register, one query."""
    counts = dict(
        ShutdownCase.objects.filter(state__in=SHUTDOWN_STATES).values_list("state").annotate(n=Count("pk")).order_by()
    )
    labels = dict(CaseState.choices)
    return [{"state": state, "label": labels[state], "count": counts.get(state, 0)} for state in SHUTDOWN_STATES]


def compute(campaign: Campaign) -> dict[str, Any]:
    return {"progress": progress(campaign), "findings": findings(campaign), "shutdown": shutdown()}


def frozen(campaign: Campaign) -> dict[str, Any]:
    """What closing stores: the statistics as they stand, and when."""
    return {**compute(campaign), "frozen_at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}


def of(campaign: Campaign) -> dict[str, Any]:
    """The statistics a campaign's page shows: frozen once it closed, live before."""
    if campaign.state == CampaignState.CLOSED and campaign.statistics:
        return campaign.statistics
    return compute(campaign)


def sentence(stats: dict[str, Any]) -> str:
    """Seed 000's sentence from the statistics: 组织全市42个部门开展自查，明确15个部门共有68个自建系统。"""
    found = stats["findings"]
    return (
        f"{found['departments_checked']}个部门完成信息系统建设自查，明确{found['departments_with_self_built']}个部门"
        f"共有{found['self_built_systems']}个自建系统。"
    )
