"""Systems (信息系统) figures: the latest self-check campaign's progress and findings (seed 000: 42 departments
checked, 15 with 68 self-built systems), the 政务云 and platform-connection rates, and the shutdown chain.

A campaign's figures are the bureau's and auditors' (its page is theirs); a department leader sees its own
department's report state and its own systems' cases. The campaign shown is the latest closed by the range's
end, else the latest running one; a closed campaign's figures are those frozen at its closing.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count
from django.urls import reverse

from dashboard.aggregates import bounds
from dashboard.charts import ChartSpec
from dashboard.figures import Figure, Filters, Row, Section, Table, percent
from systems_inventory import permissions as system_permissions
from systems_inventory import statistics
from systems_inventory.models import Campaign, CampaignState, CaseState
from systems_inventory.selectors import cases_visible_to


def campaign_for(filters: Filters) -> Campaign | None:
    """The latest campaign closed by the range's end (what a bulletin reports), else the latest running one."""
    end = bounds(filters.date_from, filters.date_to)[1]
    closed = Campaign.objects.filter(state=CampaignState.CLOSED, closed_at__lt=end).order_by("-closed_at", "-pk")
    running = Campaign.objects.filter(state=CampaignState.LAUNCHED, launched_at__lt=end).order_by("-launched_at", "-pk")
    return closed.first() or running.first()


def cases(user, filters: Filters, *, state: str = ""):
    found = cases_visible_to(user)
    if filters.department is not None:
        found = found.filter(system__department=filters.department)
    if state:
        found = found.filter(state=state)
    return found


def campaign_figures(user, filters: Filters) -> tuple[list[Figure], list[Table], dict]:
    campaign = campaign_for(filters)
    if campaign is None or not system_permissions.sees_all(user):
        return [], [], {}
    url = reverse("systems_inventory:campaign_detail", args=[campaign.pk])
    stats = statistics.of(campaign)  # frozen once the campaign closed
    found, done = stats["findings"], stats["progress"]
    figures = [
        Figure("departments_checked", "开展自查的部门", found["departments_checked"], url, unit="个"),
        Figure("departments_with_self_built", "有自建系统的部门", found["departments_with_self_built"], url, unit="个"),
        Figure("self_built_systems", "自建系统", found["self_built_systems"], url, unit="个"),
        Figure("gov_cloud_rate", "政务云部署率", found["gov_cloud"]["rate"], url, unit="%"),
        Figure(
            "connection_rate",
            "接入共享平台率",
            percent(found["connection"]["connected"], found["self_built_systems"]),
            url,
            unit="%",
        ),
        Figure("reports_late", "逾期报送的部门", done["late"], url, unit="个"),
    ]
    table = Table(
        "self_check_progress",
        f"自查进度：{campaign.title}",
        ["状态", "部门数"],
        [Row([c["label"], c["count"]], url) for c in done["counts"]],
        chart=ChartSpec(
            "pie",
            "自查进度",
            [c["label"] for c in done["counts"] if c["count"]],
            [("部门数", [c["count"] for c in done["counts"] if c["count"]])],
        ),
    )
    return figures, [table], {"campaign": campaign.title, "findings": found, "progress": done}


def case_table(user, filters: Filters) -> Table:
    counts = Counter(dict(cases(user, filters).order_by().values_list("state").annotate(n=Count("pk"))))
    rows = [Row([label, counts[value]], filters.drill("cases", state=value)) for value, label in CaseState.choices]
    return Table(
        "shutdown_cases",
        "僵尸系统清理进度",
        ["状态", "系统数"],
        rows,
        chart=ChartSpec(
            "bar",
            "僵尸系统清理进度",
            [r.cells[0] for r in rows if r.cells[1]],
            [("系统数", [r.cells[1] for r in rows if r.cells[1]])],
        ),
    )


def overview(user, filters: Filters, computed: tuple | None = None) -> Section:
    """`computed`: campaign_figures(user, filters), when the caller has them already."""
    figures, tables, _ = computed or campaign_figures(user, filters)
    figures = list(figures)
    suspected = cases(user, filters, state=CaseState.SUSPECTED).count()
    figures.append(
        Figure(
            "zombie_candidates", "疑似僵尸系统", suspected, filters.drill("cases", state=CaseState.SUSPECTED), unit="个"
        )
    )
    return Section("systems", "信息系统", figures, tables)


def detail(user, filters: Filters) -> Section:
    figures, tables, _ = campaign_figures(user, filters)
    return Section("systems", "信息系统", figures, [*tables, case_table(user, filters)])
