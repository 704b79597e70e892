"""The catalog's spreadsheets written for people: the import template and the export, in the import's format.

Every cell goes through workflows.spreadsheets (no live formula reaches Excel); the columns are catalog.excel's.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, Any

from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from catalog.choices import BaseLibrary, DataType, Network, SecurityLevel, ShareClass, UpdateFrequency
from catalog.excel import (
    HELP_SHEET,
    ITEM_COLUMNS,
    ITEM_HEADERS,
    ITEM_SHEET,
    RESOURCE_COLUMNS,
    RESOURCE_HEADERS,
    RESOURCE_SHEET,
)
from catalog.models import DataItem, DataResource, LegalBasis
from workflows.spreadsheets import workbook

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def _header_row(ws, columns, write_only: bool):
    if not write_only:
        ws.append([c[0] for c in columns])
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=index)
            cell.font = HEADER_FONT
            if column[2]:
                cell.fill = REQUIRED_FILL
            ws.column_dimensions[cell.column_letter].width = max(12, len(column[0]) * 2 + 4)
        ws.freeze_panes = "A2"
        return
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column[0])
        cell.font = HEADER_FONT
        if column[2]:
            cell.fill = REQUIRED_FILL
        cells.append(cell)
    ws.append(cells)


def build_template() -> bytes:
    """An empty workbook with both sheets, drop-down lists and a sheet of instructions."""
    wb = workbook()
    resources = wb.active
    resources.title = RESOURCE_SHEET
    _header_row(resources, RESOURCE_COLUMNS, write_only=False)
    items = wb.create_sheet(ITEM_SHEET)
    _header_row(items, ITEM_COLUMNS, write_only=False)

    def dropdown(ws, header_list, header, values):
        letter = ws.cell(row=1, column=header_list.index(header) + 1).column_letter
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}20000")
        ws.add_data_validation(validation)

    dropdown(resources, RESOURCE_HEADERS, "共享类型", ShareClass.labels)
    dropdown(resources, RESOURCE_HEADERS, "安全级别", [str(v) for v in SecurityLevel.values])
    dropdown(resources, RESOURCE_HEADERS, "网络环境", Network.labels)
    dropdown(resources, RESOURCE_HEADERS, "更新频率", UpdateFrequency.labels)
    dropdown(resources, RESOURCE_HEADERS, "所属基础库", BaseLibrary.labels)
    dropdown(resources, RESOURCE_HEADERS, "列入国家共享责任清单", ["是", "否"])
    dropdown(resources, RESOURCE_HEADERS, "向社会开放", ["是", "否"])
    dropdown(items, ITEM_HEADERS, "数据类型", list(DataType.values))
    dropdown(items, ITEM_HEADERS, "安全级别", [str(v) for v in SecurityLevel.values])
    # Excel limits a list validation to 255 characters, so the 23 domains are listed in the help sheet only.

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.append(["工作表", "列", "是否必填", "填写说明"])
    for sheet, columns in ((RESOURCE_SHEET, RESOURCE_COLUMNS), (ITEM_SHEET, ITEM_COLUMNS)):
        for header, _attr, required, text in columns:
            help_ws.append([sheet, header, "必填" if required else "", text])
    help_ws.append([])
    help_ws.append(["法律依据目录", "编号", "名称", "条款"])
    for basis in LegalBasis.objects.filter(is_active=True).order_by("code"):
        help_ws.append(["", basis.code, basis.title, basis.article])
    for letter, width in zip("ABCD", (14, 22, 30, 80), strict=True):
        help_ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def resource_row(resource: DataResource) -> list[Any]:
    return [
        resource.code,
        resource.name,
        resource.provider_department.name,
        resource.description,
        resource.get_domain_display(),
        resource.domain_other,
        resource.get_share_class_display(),
        resource.share_conditions,
        resource.legal_basis.code if resource.legal_basis else "",
        resource.legal_basis_text,
        resource.security_level,
        resource.get_network_display(),
        resource.get_update_frequency_display(),
        resource.update_frequency_other,
        "、".join(resource.share_method_labels()),
        resource.get_base_library_display() if resource.base_library else "",
        _yes_no(resource.in_responsibility_list),
        _yes_no(resource.open_to_public),
    ]


def export_workbook(resources: Iterable[DataResource], out: IO[bytes]) -> int:
    """Write `resources` (a queryset) and their items in the import format; returns the resource count."""
    wb = workbook(write_only=True)
    resource_ws = wb.create_sheet(RESOURCE_SHEET)
    item_ws = wb.create_sheet(ITEM_SHEET)
    _header_row(resource_ws, RESOURCE_COLUMNS, write_only=True)
    _header_row(item_ws, ITEM_COLUMNS, write_only=True)
    queryset = resources.select_related("provider_department", "legal_basis").order_by("code")
    count = 0
    for resource in queryset.iterator(chunk_size=2000):
        resource_ws.append(resource_row(resource))
        count += 1
    item_rows = (
        DataItem.objects.filter(resource__in=queryset.values("pk"), retired_at=None)
        .order_by("resource__code", "position", "id")
        .values_list("resource__code", "name", "data_type", "length", "precision", "description", "security_level")
    )
    for row in item_rows.iterator(chunk_size=5000):
        item_ws.append(list(row))
    wb.save(out)
    return count
