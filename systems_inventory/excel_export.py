"""The self-check's spreadsheets out: the register's search result, a report's fill-in template, the statistics.

Every workbook goes through workflows.spreadsheets (no cell becomes a formula). Cells hold what people read:
choice labels, 是/否, the category's name; the import (systems_inventory.excel) reads them back.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from systems_inventory.choices import BuildType, Deployment, FundingSource, InterfaceMethod, UsageFrequency, UsageScope
from systems_inventory.models import SYSTEM_FIELDS, FunctionCategory, InfoSystem, SystemStatus
from workflows.spreadsheets import workbook

CHOICES = {
    "build_type": BuildType,
    "usage_scope": UsageScope,
    "usage_frequency": UsageFrequency,
    "funding_source": FundingSource,
    "deployment": Deployment,
    "interface_method": InterfaceMethod,
}
BOOLEANS = ("is_classified", "connected")
# A report's fill-in sheet (read back by systems_inventory.excel): the number, whether it still runs, why not,
# the register's fields and the catalog resources.
SHEET = "信息系统"
NUMBER, STATUS, REASON, RESOURCES = "系统编号", "运行情况", "不再运行的原因", "产生的目录资源"
IN_USE, RETIRED = "在用", "不再运行"


def label_of(name: str) -> str:
    return str(InfoSystem._meta.get_field(name).verbose_name)


def headers() -> list[str]:
    return [NUMBER, STATUS, REASON, *[label_of(name) for name in SYSTEM_FIELDS], RESOURCES]


def cell(name: str, value: Any) -> Any:
    """A field's value as the spreadsheet shows it (and the import reads it back)."""
    if value is None:
        return ""
    if name in CHOICES:
        return CHOICES[name](value).label if value in CHOICES[name].values else value
    if name in BOOLEANS:
        return "是" if value else "否"
    if isinstance(value, FunctionCategory):
        return value.name
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_systems(systems: QuerySet[InfoSystem], fields: Iterable[str]) -> bytes:
    """The register's rows (a search result), with the columns the user may read."""
    fields = list(fields)
    book = workbook(write_only=True)
    sheet = book.create_sheet("信息系统清单")
    sheet.append(["系统编号", "所属部门", *[label_of(name) for name in fields], "运行状态", "当前版本"])
    for system in systems.iterator(chunk_size=1000):
        sheet.append(
            [
                system.reference,
                system.department.name,
                *[cell(name, getattr(system, name)) for name in fields],
                system.get_status_display(),
                system.version,
            ]
        )
    return _bytes(book)


def snapshot_rows(snapshot: dict[str, Any]) -> list[tuple[str, Any]]:
    """A version's snapshot as a reader sees it: labels, choice labels, 是/否, names."""
    rows: list[tuple[str, Any]] = [("所属部门", snapshot.get("department", {}).get("name", ""))]
    for name in SYSTEM_FIELDS:
        value = snapshot.get(name)
        if name == "category" and isinstance(value, dict):
            value = value.get("name")
        rows.append((label_of(name), cell(name, value) if value not in (None, "") else "—"))
    status = snapshot.get("status")
    rows.append(("运行状态", SystemStatus(status).label if status in SystemStatus.values else "—"))
    if snapshot.get("retired_reason"):
        rows.append(("不再运行的原因", snapshot["retired_reason"]))
    rows.append(("产生的目录资源", "、".join(snapshot.get("resources") or []) or "—"))
    return rows


def export_statistics(stats: dict[str, Any]) -> bytes:
    """Every table of a campaign's statistics page, one sheet each."""
    book = workbook(write_only=True)
    progress, found = stats["progress"], stats["findings"]
    sheet = book.create_sheet("进度")
    sheet.append(["部门编码", "部门", "状态", "逾期", "负责人确认时间", "审核时间"])
    for row in progress["rows"]:
        sheet.append(
            [
                row["code"],
                row["department"],
                row["state_label"],
                "是" if row["is_late"] else "否",
                row["confirmed_at"],
                row["decided_at"],
            ]
        )
    sheet = book.create_sheet("汇总")
    sheet.append(["项目", "数值"])
    for label, value in summary_rows(stats):
        sheet.append([label, value])
    for table in found["breakdowns"]:
        sheet = book.create_sheet(table["title"])
        sheet.append([table["title"], "自建系统数", "占比（%）"])
        for row in table["rows"]:
            sheet.append([row["label"], row["count"], row["percent"] if row["percent"] is not None else ""])
    sheet = book.create_sheet("建设方式")
    sheet.append(["建设方式", "在用系统数"])
    for row in found["by_build_type"]:
        sheet.append([row["label"], row["count"]])
    if stats.get("shutdown"):  # statistics frozen before the shutdown chain existed have none
        sheet = book.create_sheet("僵尸系统清理")
        sheet.append(["关停研判", "系统数"])
        for row in stats["shutdown"]:
            sheet.append([row["label"], row["count"]])
    return _bytes(book)


def summary_rows(stats: dict[str, Any]) -> list[tuple[str, Any]]:
    """The campaign's headline figures, as the page and the export state them."""
    progress, found = stats["progress"], stats["findings"]
    cloud, link = found["gov_cloud"], found["connection"]
    return [
        ("自查部门", progress["total"]),
        ("已通过（完成自查）的部门", found["departments_checked"]),
        ("逾期报送的部门", progress["late"]),
        ("有自建系统的部门", found["departments_with_self_built"]),
        ("声明无自建系统的部门", found["declared_none"]),
        ("自建系统", found["self_built_systems"]),
        ("在用系统（各建设方式）", found["systems_in_use"]),
        ("不再运行的系统", found["retired_systems"]),
        ("自建系统部署于政务云", cloud["on_cloud"]),
        ("非涉密自建系统", cloud["non_classified"]),
        ("政务云部署率（%，非涉密）", cloud["rate"] if cloud["rate"] is not None else "—"),
        ("已接入共享平台的自建系统", link["connected"]),
        ("接入接口数", link["interfaces"]),
        ("接入共享平台的部门", link["departments"]),
    ]


HELP = [
    ("系统编号", "清单中已有的系统已列出编号，请勿修改；新增的系统不填编号。"),
    ("运行情况", "在用（默认）或不再运行；不再运行的须填写原因。清单中的系统都须列出。"),
    ("建设方式", "、".join(BuildType.labels)),
    ("使用范围", "、".join(UsageScope.labels)),
    ("使用频度", "、".join(UsageFrequency.labels)),
    ("经费来源", "、".join(FundingSource.labels)),
    ("部署方式", "、".join(Deployment.labels) + "；非涉密系统未部署在政务云的须说明原因，涉密系统不得部署在政务云"),
    ("接口方式", "、".join(InterfaceMethod.labels)),
    ("涉密系统、已接入共享平台", "是/否；涉密系统不得接入共享平台，已接入的须填写接入接口数"),
    ("日期", "例如 2021-06-30"),
    ("产生的目录资源", "本部门已注册资源的目录编码，用“、”分隔"),
]


def build_template(report, rows: Iterable) -> bytes:
    """The report's fill-in sheet: a row per line it has, or per register system before it was started."""
    book = workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(headers())
    for row in rows:
        sheet.append(_template_row(row))
    guide = book.create_sheet("填写说明")
    guide.append(["栏目", "填写要求"])
    for help_row in HELP:
        guide.append(list(help_row))
    guide.append(
        ["功能类别", "、".join(FunctionCategory.objects.filter(is_active=True).values_list("name", flat=True))]
    )
    guide.append(["报告", f"{report.department.name} · {report.campaign.title}"])
    return _bytes(book)


def _template_row(row) -> list[Any]:
    """A line of the report (or a register system) as a row: number, 运行情况, reason, fields, resources."""
    if isinstance(row, InfoSystem):
        system, retired, reason = row, False, ""
    else:
        system, retired, reason = row.system, row.action == "retire", row.retire_reason
    return [
        system.reference if system is not None else "",
        RETIRED if retired else IN_USE,
        reason,
        *[cell(name, getattr(row, name)) for name in SYSTEM_FIELDS],
        "、".join(resource.code for resource in row.resources.all()),
    ]
