"""The lists behind the figures: each takes the same selector and filters as the figure it explains, so
it shows exactly what the figure counts, and nothing the user may not see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from dashboard.figures import catalog, projects, sharing, systems


@dataclass(frozen=True)
class DrillList:
    title: str
    columns: tuple[str, ...]
    params: tuple[str, ...]  # the query parameters it narrows by, beyond the filters
    rows: Callable[..., Any]  # (user, filters, **params) -> queryset
    cells: Callable[[Any], list]
    link: Callable[[Any], str] = lambda obj: obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""


def _date(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


LISTS: dict[str, DrillList] = {
    "applications": DrillList(
        "共享申请",
        ("编号", "申请部门", "提供部门", "资源", "状态", "提交日期"),
        ("state", "flag", "provider"),
        sharing.applications,
        lambda a: [
            a.reference,
            a.applicant_department.name,
            a.provider_department.name,
            a.resource.name,
            a.get_state_display(),
            _date(a.submitted_at),
        ],
    ),
    "resources": DrillList(
        "已编目资源",
        ("资源代码", "资源名称", "提供部门", "共享类型", "注册日期"),
        ("share_class", "provider"),
        catalog.resources,
        lambda r: [r.code, r.name, r.provider_department.name, r.get_share_class_display(), _date(r.registered_at)],
        lambda r: reverse("catalog:resource_detail", args=[r.pk]),
    ),
    "demands": DrillList(
        "数据需求",
        ("需求部门", "数据名称", "办理事项", "状态"),
        ("status",),
        catalog.demands,
        lambda d: [d.department.name, d.data_name, d.business_matter, d.get_status_display()],
        lambda d: "",
    ),
    "cases": DrillList(
        "僵尸系统清理",
        ("部门", "系统", "状态"),
        ("state",),
        systems.cases,
        lambda c: [c.system.department.name, c.system.name, c.get_state_display()],
        lambda c: reverse("systems_inventory:case_detail", args=[c.pk]),
    ),
    "projects": DrillList(
        "闸口核验的建设项目",
        ("建设部门", "项目", "状态", "建设预算（万元）"),
        ("blocked", "rule"),
        projects.projects,
        lambda p: [p.department.name, p.name, p.get_state_display(), p.construction_budget],
    ),
    "om_blocked": DrillList(
        "运维经费被拦截的系统",
        ("部门", "系统"),
        (),
        projects.om_systems,
        lambda s: [s.department.name, s.name],
    ),
}
