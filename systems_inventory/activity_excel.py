"""Usage evidence by spreadsheet (运维上报, or the department's own 自报): the template and the check of an upload.
Nothing here writes to the database.

The sheet “使用情况” has a row per system and month: the system's number (系统编号, as the register and the template
give it), the month (2026-02), the active users, logins and transactions, and the last day of use. The upload is
bounded before it is read with the catalog's streaming reader (catalog.xlsx_reader), cells are read as the
self-check's import reads them (systems_inventory.excel), rows are checked with the rule the API and the service
use (systems_inventory.rules.check_activity), and every error names its sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings

from catalog.import_limits import too_large_message
from catalog.xlsx_reader import Limits, TooLarge, open_workbook
from organizations.models import Department
from systems_inventory import excel, rules
from systems_inventory.excel import MSG_MISSING_HEADER, MSG_NOT_XLSX, MSG_UNKNOWN_SYSTEM, cell_date, cell_text
from systems_inventory.messages import (
    MSG_ACTIVITY_BAD_MONTH,
    MSG_ACTIVITY_OTHER_DEPARTMENT,
    MSG_ACTIVITY_SYSTEM_GONE,
    MSG_REQUIRED,
)
from systems_inventory.models import InfoSystem, SystemActivity, SystemStatus
from workflows.spreadsheets import workbook

SHEET = "使用情况"
NUMBER, NAME, MONTH, USERS, LOGINS, TRANSACTIONS, LAST = (
    "系统编号",
    "系统名称",
    "月份",
    "活跃用户数",
    "登录次数",
    "业务办理量",
    "最近活动日期",
)
HEADERS = [NUMBER, NAME, MONTH, USERS, LOGINS, TRANSACTIONS, LAST]
COUNTS = {USERS: "active_users", LOGINS: "logins", TRANSACTIONS: "transactions"}
FIELD_COLUMNS = {"month": MONTH, "last_activity": LAST}
# A department's systems for two years, with room; anything built to hurt is refused before it is read.
MAX_ROWS = 5_000
MSG_BAD_COUNT = "应为不小于 0 的整数。"
MSG_DUPLICATE_ROW = "该系统该月份已在第 {row} 行填报。"
MSG_EMPTY = "表格中没有使用情况。"
_MONTH = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2}日?)?")


@dataclass
class Row:
    number: int
    activity: SystemActivity  # unsaved: its system, month and figures


@dataclass
class Result(excel.Result):
    """The self-check import's result (errors by sheet, row and column), with this sheet's rows."""

    rows: list[Row] = field(default_factory=list)  # type: ignore[assignment]


def limits() -> Limits:
    return Limits(
        max_rows=MAX_ROWS,
        max_columns=len(HEADERS) + 10,
        max_uncompressed_bytes=10 * 1024 * 1024,
        max_compression_ratio=settings.CATALOG_IMPORT_MAX_COMPRESSION_RATIO,
    )


def check(source: IO[bytes], *, department: Department, today: dt.date) -> Result:
    """Every error of the upload, or its rows (systems of `department` only)."""
    result = Result()
    try:
        book = open_workbook(source, limits())
    except TooLarge as exc:
        result.add(None, "", too_large_message(exc), sheet="")
        return result
    except Exception:  # not a zip, not a workbook
        result.add(None, "", MSG_NOT_XLSX, sheet="")
        return result
    try:
        if SHEET not in book.sheetnames:
            result.add(None, "", f"缺少工作表“{SHEET}”，请使用下载的模板。", sheet="")
            return result
        _read(book[SHEET].iter_rows(values_only=True), department, today, result)
    except TooLarge as exc:
        result.rows = []
        result.add(None, "", too_large_message(exc), sheet=SHEET)
    finally:
        book.close()
    return result


class _Reader:
    def __init__(self, cells: tuple, index: dict[str, int], number: int, result: Result) -> None:
        self.cells, self.index, self.number, self.result = cells, index, number, result
        self.failed = False

    def raw(self, column: str) -> Any:
        position = self.index[column]
        return self.cells[position] if position < len(self.cells) else None

    def fail(self, column: str, message: str) -> None:
        self.failed = True
        self.result.add(self.number, column, message, sheet=SHEET)


def _read(rows, department: Department, today: dt.date, result: Result) -> None:
    header = [cell_text(value) for value in next(rows, None) or ()]
    index = {name: position for position, name in enumerate(header) if name}
    missing = [column for column in HEADERS if column != NAME and column not in index]
    for column in missing:
        result.add(1, column, MSG_MISSING_HEADER.format(column=column), sheet=SHEET)
    if missing:
        return
    index.setdefault(NAME, len(header))
    systems = {s.reference: s for s in InfoSystem.objects.filter(department=department)}
    seen: dict[tuple[int, dt.date], int] = {}
    for number, cells in enumerate(rows, start=2):
        if any(cell_text(value) for value in cells):
            row = _row(_Reader(cells, index, number, result), systems, department, today, seen)
            if row is not None:
                result.rows.append(row)
    if not result.rows and result.ok:
        result.add(None, "", MSG_EMPTY, sheet=SHEET)


def _row(reader: _Reader, systems, department, today, seen) -> Row | None:
    system = _system(reader, systems, department)
    month = _month(reader)
    activity = SystemActivity(system=system, month=month or today.replace(day=1))
    for column, name in COUNTS.items():
        setattr(activity, name, _count(reader, column))
    last = cell_text(reader.raw(LAST))
    if last:
        try:
            activity.last_activity = cell_date(reader.raw(LAST), last)
        except ValueError as exc:
            reader.fail(LAST, str(exc))
    if month is not None:
        for field, messages in rules.check_activity(activity, today=today).items():
            for message in messages:
                reader.fail(FIELD_COLUMNS[field], message)
    if system is not None and month is not None:
        if (system.pk, month) in seen:
            reader.fail(MONTH, MSG_DUPLICATE_ROW.format(row=seen[(system.pk, month)]))
        seen.setdefault((system.pk, month), reader.number)
    return None if reader.failed else Row(reader.number, activity)


def _system(reader: _Reader, systems: dict[str, InfoSystem], department: Department) -> InfoSystem | None:
    reference = cell_text(reader.raw(NUMBER)).upper()
    if not reference:
        reader.fail(NUMBER, MSG_REQUIRED)
        return None
    system = systems.get(reference)
    if system is None:
        digits = reference.removeprefix("XT")
        other = InfoSystem.objects.filter(pk=int(digits)).first() if digits.isdigit() else None
        if other is None:
            reader.fail(NUMBER, MSG_UNKNOWN_SYSTEM.format(value=reference))
        else:
            reader.fail(NUMBER, MSG_ACTIVITY_OTHER_DEPARTMENT.format(system=other.name))
        return None
    if system.status != SystemStatus.IN_USE:
        reader.fail(NUMBER, MSG_ACTIVITY_SYSTEM_GONE.format(system=system.name))
        return None
    return system


def _month(reader: _Reader) -> dt.date | None:
    raw = reader.raw(MONTH)
    text = cell_text(raw)
    if not text:
        reader.fail(MONTH, MSG_REQUIRED)
        return None
    if isinstance(raw, dt.date | dt.datetime | int | float) and not isinstance(raw, bool):
        try:
            return cell_date(raw, text).replace(day=1)
        except ValueError:
            pass
    match = _MONTH.fullmatch(text)
    if match and 1 <= int(match[2]) <= 12:
        return dt.date(int(match[1]), int(match[2]), 1)
    reader.fail(MONTH, MSG_ACTIVITY_BAD_MONTH)
    return None


def _count(reader: _Reader, column: str) -> int:
    text = cell_text(reader.raw(column))
    if not text:
        return 0
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value < 0 or not value.is_integer() or value > 2**62:
        reader.fail(column, MSG_BAD_COUNT)
        return 0
    return int(value)


def build_template(systems: Iterable[InfoSystem], month: dt.date) -> bytes:
    """A row per system for `month`, to fill in and upload."""
    book = workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(HEADERS)
    for system in systems:
        sheet.append([system.reference, system.name, f"{month:%Y-%m}", "", "", "", ""])
    guide = book.create_sheet("填写说明")
    guide.append(["栏目", "填写要求"])
    for row in (
        (NUMBER, "本部门在用信息系统的编号（已列出），请勿修改"),
        (MONTH, "例如 2026-02；不能填报尚未到来的月份。同一系统同一月份、同一来源再次报送的，以最后一次为准"),
        (USERS, "该月使用过系统的用户数"),
        (LOGINS, "该月登录次数"),
        (TRANSACTIONS, "该月办理的业务笔数（写入数据的操作）"),
        (LAST, "该月最后一次使用的日期，例如 2026-02-27；不填的，有使用即按该月最后一天计"),
    ):
        guide.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
