"""Catalog (资源目录) figures: published resources per department and sharing class, registration progress,
the base-library completeness table (seed 003: 人口库 740/1500 = 49%) and the demand list met and unmet.

The catalog is public within the government, so every dashboard reader counts every published resource;
the demand list is the user's own department's unless they see every demand (catalog.selectors).
Resources count by when they were registered (up to the range's end); demands by when they were raised.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse

from catalog.choices import ShareClass
from catalog.models import PUBLISHED_STATES, DataResource, DemandStatus
from catalog.permissions import can_see_completeness
from catalog.selectors import base_library_rates, demands_visible_to, department_completeness
from dashboard.aggregates import bounds
from dashboard.charts import ChartSpec
from dashboard.figures import Figure, Filters, Row, Section, Table


def resources(user, filters: Filters, *, share_class: str = "", provider: str = ""):
    """Published resources registered by the range's end."""
    end = bounds(filters.date_from, filters.date_to)[1]
    found = DataResource.objects.filter(status__in=PUBLISHED_STATES, registered_at__lt=end).select_related(
        "provider_department"
    )
    if filters.department is not None:
        found = found.filter(provider_department=filters.department)
    if provider:
        found = found.filter(provider_department_id=provider)
    if share_class:
        found = found.filter(share_class=share_class)
    return found


def demands(user, filters: Filters, *, status: str = ""):
    start, end = bounds(filters.date_from, filters.date_to)
    found = demands_visible_to(user).filter(created_at__gte=start, created_at__lt=end)
    if filters.department is not None:
        found = found.filter(department=filters.department)
    if status:
        found = found.filter(status=status)
    return found


def by_department(user, filters: Filters) -> Table:
    per: dict = {}
    for r in (
        resources(user, filters)
        .order_by()
        .values("provider_department_id", "provider_department__name", "share_class")
        .annotate(n=Count("pk"))
    ):
        per.setdefault((r["provider_department__name"], r["provider_department_id"]), Counter())[r["share_class"]] = r[
            "n"
        ]
    classes = ShareClass.choices
    rows = [
        Row(
            [name, sum(c.values()), *[c[value] for value, _ in classes]],
            filters.drill("resources", provider=pk),
            highlight=user.department_id == pk,
        )
        for (name, pk), c in sorted(per.items(), key=lambda item: -sum(item[1].values()))
    ]
    return Table(
        "resources_by_department",
        "各部门已编目资源（按共享类型）",
        ["提供部门", "合计", *[label for _, label in classes]],
        rows,
        chart=ChartSpec(
            "hbar",
            "各部门已编目资源",
            [r.cells[0] for r in rows[:15]],
            [(label, [r.cells[2 + i] for r in rows[:15]]) for i, (_, label) in enumerate(classes)],
        ),
    )


def libraries(user) -> Table:
    rates = base_library_rates()
    url = reverse("catalog:completeness") if can_see_completeness(user) else ""
    rows = [
        Row(
            [rate.label, rate.items, rate.expected or "", f"{rate.percent}%" if rate.percent is not None else "—"],
            url,
        )
        for rate in rates
    ]
    return Table(
        "base_libraries",
        "基础库编目完整度",
        ["基础库", "已编目信息项", "应编目", "完整度"],
        rows,
        note="完整度向下取整（740/1500 记 49%）；按当前目录计。",
        chart=ChartSpec(
            "bar",
            "基础库编目完整度（%）",
            [rate.label for rate in rates if rate.expected],
            [("完整度", [rate.percent for rate in rates if rate.expected])],
        ),
    )


def registration(user, filters: Filters) -> Table:
    """Each department's entries by stage (catalog.selectors.department_completeness: as the catalog's own
    completeness page counts them, now)."""
    city = can_see_completeness(user)  # the catalog's completeness page is the bureau's and auditors'
    department = filters.department if city else user.department
    url = reverse("catalog:completeness") if city else ""
    rows = [
        Row(
            [r["department"].name, r["in_progress"], r["registered"], r["mounted"], r["withdrawn"], r["items"]],
            url,
            highlight=user.department_id == r["department"].pk,
        )
        for r in department_completeness()
        if department is None or r["department"].pk == department.pk
    ]
    return Table("registration", "编目进度", ["部门", "编制中", "已注册", "已挂载", "已撤销", "信息项"], rows)


def demand_table(user, filters: Filters) -> Table:
    counts = Counter(dict(demands(user, filters).order_by().values_list("status").annotate(n=Count("pk"))))
    rows = [
        Row([label, counts[value]], filters.drill("demands", status=value)) for value, label in DemandStatus.choices
    ]
    return Table("demands", "数据需求清单", ["状态", "条数"], rows)


def overview(user, filters: Filters) -> Section:
    start = bounds(filters.date_from, filters.date_to)[0]
    totals = resources(user, filters).aggregate(all=Count("pk"), new=Count("pk", filter=Q(registered_at__gte=start)))
    counts = Counter(dict(demands(user, filters).order_by().values_list("status").annotate(n=Count("pk"))))
    figures = [
        Figure("resources", "已编目资源", totals["all"], filters.drill("resources"), unit="个"),
        Figure("resources_new", "期间新注册资源", totals["new"], unit="个"),
        Figure(
            "demands_met",
            "已对接需求",
            counts[DemandStatus.LINKED],
            filters.drill("demands", status=DemandStatus.LINKED),
            unit="条",
        ),
        Figure(
            "demands_open",
            "待对接需求",
            counts[DemandStatus.OPEN],
            filters.drill("demands", status=DemandStatus.OPEN),
            unit="条",
        ),
    ]
    return Section("catalog", "资源目录", figures, [libraries(user)])


def detail(user, filters: Filters) -> Section:
    tables = [by_department(user, filters), registration(user, filters), libraries(user), demand_table(user, filters)]
    return Section("catalog", "资源目录", (), tables)
