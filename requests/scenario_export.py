"""The 场景清单 as an Excel workbook: one row per scenario and authorized part (workflows.spreadsheets)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from openpyxl.styles import Font

from requests.models import Scenario
from workflows.spreadsheets import workbook

WIDTHS = [10, 24, 24, 14, 14, 24, 10, 12, 12, 22, 14, 22, 18, 36, 14, 10, 8]
HEADERS = [
    "场景编号",
    "场景名称",
    "办理事项",
    "应用方式",
    "提出部门",
    "使用部门",
    "状态",
    "有效期自",
    "有效期至",
    "场景授权书",
    "提供部门",
    "数据资源",
    "目录编码",
    "信息项",
    "共享方式",
    "答复",
    "纳入授权",
]


def export_scenarios(scenarios: Iterable[Scenario], out: IO[bytes]) -> int:
    """Write the scenarios (with their parts) to `out`; how many scenarios were written."""
    book = workbook()
    sheet = book.active
    sheet.title = "场景清单"
    sheet.append(HEADERS)
    for column in range(1, len(HEADERS) + 1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
    sheet.freeze_panes = "A2"
    count = 0
    for scenario in scenarios:
        count += 1
        head = [
            scenario.reference,
            scenario.name,
            scenario.business_matter,
            "、".join(scenario.purpose_labels()),
            scenario.proposing_department.name,
            "、".join(d.name for d in scenario.consumer_departments.all()),
            scenario.get_state_display(),
            scenario.valid_from,
            scenario.valid_to,
            scenario.record.number if scenario.record_id else "",
        ]
        parts = scenario.parts.select_related("provider_department", "resource").prefetch_related(
            "items", "confirmed_items"
        )
        for part in parts.order_by("position", "pk"):
            items = part.confirmed_items.all() if part.decided_at else part.items.all()
            sheet.append(
                [
                    *head,
                    part.provider_department.name,
                    part.resource.name,
                    part.resource.code,
                    "、".join(item.name for item in items),
                    part.get_share_method_display(),
                    part.get_state_display(),
                    "是" if part.authorized else "否",
                ]
            )
    for column, width in zip("ABCDEFGHIJKLMNOPQ", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    book.save(out)
    return count
