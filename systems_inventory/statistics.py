"""A campaign's statistics: progress by department, and what the accepted reports say.

Seed 000's sentence is what they must reproduce: 42 departments were checked, 15 of them run 68 self-built
systems. "Checked" is a department whose report the bureau accepted; a system counts when its accepted line
says it is in use; the breakdowns (deployment with the 政务云 rate, funding source, usage frequency, interface
method, connection to the sharing platform) are of the self-built systems in use. Reading them takes a fixed
number of grouped queries, however many departments and systems there are (benchmark B7).

Closing a campaign stores `frozen(campaign)` on it; its page shows that from then on.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from systems_inventory.choices import BuildType, Deployment, FundingSource, InterfaceMethod, UsageFrequency
from systems_inventory.models import (
    Campaign,
    CampaignState,
    DepartmentReport,
    LineAction,
    ReportLine,
    ReportState,
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


def findings(campaign: Campaign) -> dict[str, Any]:
    """What the accepted reports say (seed 000: 42 checked, 15 with 68 self-built systems)."""
    accepted = DepartmentReport.objects.filter(campaign=campaign, state=ReportState.ACCEPTED)
    lines = ReportLine.objects.filter(report__campaign=campaign, report__state=ReportState.ACCEPTED)
    in_use = lines.exclude(action=LineAction.RETIRE)
    self_built = in_use.filter(build_type=BuildType.SELF_BUILT)
    build_types = dict(in_use.values_list("build_type").annotate(n=Count("pk")).order_by())
    totals = self_built.aggregate(
        systems=Count("pk"),
        departments=Count("report__department", distinct=True),
        on_cloud=Count("pk", filter=Q(deployment=Deployment.GOV_CLOUD)),
        non_classified=Count("pk", filter=Q(is_classified=False)),
        classified=Count("pk", filter=Q(is_classified=True)),
        connected_systems=Count("pk", filter=Q(connected=True)),
        interfaces=Sum("interface_count", filter=Q(connected=True)),
        connected_departments=Count("report__department", filter=Q(connected=True), distinct=True),
    )
    return {
        "departments_checked": accepted.count(),
        "departments_with_self_built": totals["departments"],
        "declared_none": accepted.filter(no_self_built=True).count(),
        "self_built_systems": totals["systems"],
        "systems_in_use": sum(build_types.values()),
        "retired_systems": lines.filter(action=LineAction.RETIRE).count(),
        "by_build_type": [
            {"key": value, "label": label, "count": build_types.get(value, 0)} for value, label in BuildType.choices
        ],
        "gov_cloud": {
            "on_cloud": totals["on_cloud"],
            "non_classified": totals["non_classified"],
            "classified": totals["classified"],
            "rate": _percent(totals["on_cloud"], totals["non_classified"]),
        },
        "connection": {
            "connected": totals["connected_systems"],
            "not_connected": totals["systems"] - totals["connected_systems"],
            "interfaces": totals["interfaces"] or 0,
            "departments": totals["connected_departments"],
        },
        "breakdowns": [_breakdown(self_built, *spec, total=totals["systems"]) for spec in BREAKDOWNS],
    }


def _breakdown(lines, key: str, title: str, field: str, choices, *, total: int) -> dict[str, Any]:
    counts = dict(lines.values_list(field).annotate(n=Count("pk")).order_by())
    rows = [
        {"key": value, "label": label, "count": counts.get(value, 0), "percent": _percent(counts.get(value, 0), total)}
        for value, label in choices.choices
    ]
    return {"key": key, "title": title, "rows": rows}


def compute(campaign: Campaign) -> dict[str, Any]:
    return {"progress": progress(campaign), "findings": findings(campaign)}


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
