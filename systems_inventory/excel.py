"""A report filled in by spreadsheet: the check of an upload. Nothing here writes to the database.

The sheet “信息系统” has a row per system: a register system by its number (系统编号, pre-filled in the downloaded
template), a new one without. Every register system the department runs must be there, in use (its fields as they
are now) or marked 不再运行 with a reason. The upload is bounded before it is read, as the catalog's is (its
streaming reader, catalog.xlsx_reader, and its messages), and checked row by row with the same rules as the form
(systems_inventory.rules); every error names its sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from catalog.import_limits import too_large_message
from catalog.models import DataResource
from catalog.xlsx_reader import Limits, TooLarge, open_workbook
from systems_inventory import rules
from systems_inventory.excel_export import (
    BOOLEANS,
    CHOICES,
    IN_USE,
    NUMBER,
    REASON,
    RESOURCES,
    RETIRED,
    SHEET,
    STATUS,
    headers,
    label_of,
)
from systems_inventory.messages import MSG_OTHER_DEPARTMENT_SYSTEM, MSG_SYSTEM_NOT_IN_USE
from systems_inventory.models import (
    SYSTEM_FIELDS,
    DepartmentReport,
    FunctionCategory,
    InfoSystem,
    LineAction,
    ReportLine,
    SystemStatus,
)
from systems_inventory.services.register import field_values
from workflows.spreadsheets import unquote

# The columns a row cannot leave empty (the model's required fields, said as 必填 before its own messages).
REQUIRED = tuple(name for name in SYSTEM_FIELDS if not ReportLine._meta.get_field(name).blank)
# A department runs tens of systems; the bounds leave room and refuse anything built to hurt.
MAX_ROWS = 2_000
MAX_COLUMNS = 60
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_REPORTED_ERRORS = 500

MSG_NOT_XLSX = "无法读取文件，请上传 .xlsx 格式的表格（可先下载填报表格）。"
MSG_MISSING_SHEET = "缺少工作表“{sheet}”，请使用下载的填报表格。"
MSG_MISSING_HEADER = "缺少表头“{column}”。"
MSG_REQUIRED = "必填。"
MSG_BAD_CHOICE = "“{value}”不是可选值，可选：{choices}。"
MSG_BAD_NUMBER = "应为不小于 0 的数字。"
MSG_BAD_DATE = "应为日期，例如 2021-06-30。"
MSG_UNKNOWN_SYSTEM = "清单中没有编号“{value}”的信息系统。"
MSG_DUPLICATE_SYSTEM = "系统编号与第 {row} 行重复。"
MSG_MISSING_SYSTEM = "清单中的“{name}”（{number}）未列出：请在表中确认、修改或标记“不再运行”。"
MSG_NEW_CANNOT_RETIRE = "新增的系统不能标记“不再运行”；不填即可。"
MSG_UNKNOWN_CATEGORY = "没有“{value}”这一功能类别，可选：{choices}。"
MSG_UNKNOWN_RESOURCE = "本部门没有已注册的目录资源“{value}”。"
MSG_EMPTY = "表格中没有信息系统；无自建系统的，请在报告页面声明“无自建系统”。"


def limits() -> Limits:
    return Limits(
        max_rows=MAX_ROWS,
        max_columns=MAX_COLUMNS,
        max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES,
        max_compression_ratio=settings.CATALOG_IMPORT_MAX_COMPRESSION_RATIO,
    )


@dataclass
class Row:
    """A checked row: the unsaved line it makes (its `system` set for a register system) and its resources."""

    number: int
    line: ReportLine
    resources: list[DataResource]


@dataclass
class Result:
    rows: list[Row] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, row: int | None, column: str, message: str, sheet: str = SHEET) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"sheet": sheet, "row": row, "column": column, "message": message})


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unquote(str(value).strip())  # an exported cell neutralised against formulas reads back as written


@dataclass
class _Lookups:
    """What rows are checked against, read once per upload."""

    report: DepartmentReport
    systems: dict[str, InfoSystem]  # the department's, by number
    categories: dict[str, FunctionCategory]
    resources: dict[str, DataResource]  # the department's registered ones, by code

    @classmethod
    def load(cls, report: DepartmentReport) -> _Lookups:
        from catalog.models import PUBLISHED_STATES

        return cls(
            report=report,
            systems={s.reference: s for s in InfoSystem.objects.filter(department=report.department)},
            categories={c.name: c for c in FunctionCategory.objects.filter(is_active=True)},
            resources={
                r.code: r
                for r in DataResource.objects.filter(provider_department=report.department, status__in=PUBLISHED_STATES)
            },
        )


class _RowReader:
    """Reads one row's cells into a line, naming each unreadable cell."""

    def __init__(self, cells: tuple, index: dict[str, int], number: int, result: Result, lookups: _Lookups):
        self.cells, self.index, self.number, self.result, self.lookups = cells, index, number, result, lookups
        self.failed: set[str] = set()

    def raw(self, column: str) -> Any:
        position = self.index.get(column)
        return self.cells[position] if position is not None and position < len(self.cells) else None

    def fail(self, column: str, message: str) -> None:
        self.failed.add(column)
        self.result.add(self.number, column, message)

    def value(self, name: str) -> Any:
        column = label_of(name)
        raw = self.raw(column)
        text = cell_text(raw)
        if not text:
            return _empty(name)
        try:
            return self._parse(name, raw, text)
        except ValueError as exc:
            self.fail(column, str(exc))
            return _empty(name)

    def _parse(self, name: str, raw: Any, text: str) -> Any:
        if name in CHOICES:
            choices = CHOICES[name]
            found = {label: value for value, label in choices.choices} | {v: v for v in choices.values}
            if text not in found:
                raise ValueError(MSG_BAD_CHOICE.format(value=text, choices="、".join(choices.labels)))
            return found[text]
        if name in BOOLEANS:
            if text not in ("是", "否"):
                raise ValueError(MSG_BAD_CHOICE.format(value=text, choices="是、否"))
            return text == "是"
        if name == "category":
            if text not in self.lookups.categories:
                choices = "、".join(self.lookups.categories)
                raise ValueError(MSG_UNKNOWN_CATEGORY.format(value=text, choices=choices))
            return self.lookups.categories[text]
        if name in ("approval_date", "connected_since"):
            return cell_date(raw, text)
        if name == "annual_om_cost":
            return cell_number(text)
        if name in ("user_count", "construction_year", "interface_count"):
            number = cell_number(text)
            if number != number.to_integral_value():
                raise ValueError(MSG_BAD_NUMBER)
            return int(number)
        return text


def _empty(name: str) -> Any:
    if name in BOOLEANS:
        return False
    if name == "interface_count":
        return 0
    field = ReportLine._meta.get_field(name)
    return "" if field.get_internal_type() in ("CharField", "TextField") else None


def cell_number(text: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(MSG_BAD_NUMBER) from None
    if number < 0 or not number.is_finite():
        raise ValueError(MSG_BAD_NUMBER)
    return number


def cell_date(raw: Any, text: str) -> dt.date:
    if isinstance(raw, int | float) and 1 <= raw < 2_958_466:  # an Excel serial date
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(raw))
    try:
        return dt.date.fromisoformat(text.replace("/", "-")[:10])
    except ValueError:
        raise ValueError(MSG_BAD_DATE) from None


def check(source: IO[bytes], report: DepartmentReport) -> Result:
    """Every error of the upload, or the rows it makes; reads nothing beyond the bounds."""
    result = Result()
    try:
        workbook = open_workbook(source, limits())
    except TooLarge as exc:
        result.add(None, "", too_large_message(exc), sheet="")
        return result
    except Exception:  # not a zip, not a workbook
        result.add(None, "", MSG_NOT_XLSX, sheet="")
        return result
    try:
        if SHEET not in workbook.sheetnames:
            result.add(None, "", MSG_MISSING_SHEET.format(sheet=SHEET), sheet="")
            return result
        _read(workbook[SHEET].iter_rows(values_only=True), report, result)
    except TooLarge as exc:
        result.rows = []
        result.add(None, "", too_large_message(exc))
    finally:
        workbook.close()
    return result


def _read(rows, report: DepartmentReport, result: Result) -> None:
    header = [cell_text(value) for value in next(rows, None) or ()]
    index = {name: position for position, name in enumerate(header) if name}
    missing = [column for column in headers() if column not in index]
    for column in missing:
        result.add(1, column, MSG_MISSING_HEADER.format(column=column))
    if missing:
        return
    lookups = _Lookups.load(report)
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows, start=2):
        if any(cell_text(value) for value in cells):
            if row := _read_row(_RowReader(cells, index, number, result, lookups), seen):
                result.rows.append(row)
    if not result.rows and result.ok:
        result.add(None, "", MSG_EMPTY)
    for reference, system in lookups.systems.items():
        if system.status == SystemStatus.IN_USE and reference not in seen:
            result.add(None, NUMBER, MSG_MISSING_SYSTEM.format(name=system.name, number=reference))


def _read_row(reader: _RowReader, seen: dict[str, int]) -> Row | None:
    report = reader.lookups.report
    line = ReportLine(report=report, action=LineAction.ADD)
    reference = cell_text(reader.raw(NUMBER)).upper()
    if reference:
        line.system = _register_system(reader, reference, seen)
    for name in SYSTEM_FIELDS:
        setattr(line, name, reader.value(name))
    for name in REQUIRED:
        value = line.category_id if name == "category" else getattr(line, name)
        if label_of(name) not in reader.failed and value in ("", None):
            reader.fail(label_of(name), MSG_REQUIRED)
    status = cell_text(reader.raw(STATUS)) or IN_USE
    if status not in (IN_USE, RETIRED):
        reader.fail(STATUS, MSG_BAD_CHOICE.format(value=status, choices=f"{IN_USE}、{RETIRED}"))
    if status == RETIRED:
        if not reference:
            reader.fail(STATUS, MSG_NEW_CANNOT_RETIRE)
        line.action, line.retire_reason = LineAction.RETIRE, cell_text(reader.raw(REASON))
    resources = _resources(reader)
    if status != RETIRED and line.system is not None:
        unchanged = field_values(line) == field_values(line.system) and set(resources) == set(
            line.system.resources.all()
        )
        line.action = LineAction.CONFIRM if unchanged else LineAction.EDIT
    _check_rules(reader, line)
    return None if reader.failed else Row(reader.number, line, resources)


def _register_system(reader: _RowReader, reference: str, seen: dict[str, int]) -> InfoSystem | None:
    report = reader.lookups.report
    if reference in seen:
        reader.fail(NUMBER, MSG_DUPLICATE_SYSTEM.format(row=seen[reference]))
        return None
    seen[reference] = reader.number
    system = reader.lookups.systems.get(reference)
    if system is None:
        other = _another_departments(reference)
        if other is None:
            reader.fail(NUMBER, MSG_UNKNOWN_SYSTEM.format(value=reference))
        else:
            department = report.department.name
            reader.fail(NUMBER, MSG_OTHER_DEPARTMENT_SYSTEM.format(system=other.name, department=department))
        return None
    if system.status != SystemStatus.IN_USE:
        reader.fail(NUMBER, MSG_SYSTEM_NOT_IN_USE.format(system=system.name))
        return None
    return system


def _another_departments(reference: str) -> InfoSystem | None:
    """The system a number names outside the department (a row copied from another department's sheet)."""
    digits = reference.removeprefix("XT")
    return InfoSystem.objects.filter(pk=int(digits)).first() if digits.isdigit() else None


def _resources(reader: _RowReader) -> list[DataResource]:
    found = []
    for code in cell_text(reader.raw(RESOURCES)).replace(",", "、").replace("，", "、").split("、"):
        code = code.strip()
        if not code:
            continue
        if code not in reader.lookups.resources:
            reader.fail(RESOURCES, MSG_UNKNOWN_RESOURCE.format(value=code))
        else:
            found.append(reader.lookups.resources[code])
    return found


def _check_rules(reader: _RowReader, line: ReportLine) -> None:
    """The model's own checks (lengths, lists) and the self-check's rules, on the columns not already reported."""
    errors: dict[str, list[str]] = {}
    try:
        line.full_clean(exclude=["report", "system", "frozen_version", "review_comment"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name, messages in rules.check_line(line, reader.lookups.report).items():
        errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    columns = {"retire_reason": REASON, "system": NUMBER}
    for name, messages in errors.items():
        column = columns.get(name) or (label_of(name) if name in SYSTEM_FIELDS else "")
        if column in reader.failed:
            continue
        for message in dict.fromkeys(messages):
            reader.fail(column, message)
