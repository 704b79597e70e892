"""Catalog spreadsheets: template, export and the check of an import. Nothing here writes to the database.

Two sheets keyed by catalog code, “资源” and “信息项”, hold the labels people see. An import is bounded first
(catalog.import_limits), read as a stream (catalog.xlsx_reader), checked row by row; errors name sheet, row, column.
"""

from __future__ import annotations

from collections import Counter, namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from catalog import rules
from catalog.choices import (
    BaseLibrary,
    DataType,
    Domain,
    Network,
    SecurityLevel,
    ShareClass,
    ShareMethod,
    UpdateFrequency,
)
from catalog.import_limits import import_limits, too_large_message
from catalog.models import MAX_INT, DataItem, DataResource, LegalBasis
from catalog.xlsx_reader import TooLarge, open_workbook
from organizations.models import Department
from workflows.spreadsheets import unquote

RESOURCE_SHEET = "资源"
ITEM_SHEET = "信息项"
HELP_SHEET = "填写说明"

# (header, attribute, required, help)
RESOURCE_COLUMNS = [
    (
        "目录编码",
        "code",
        True,
        "6位行政区划代码-部门代码-5位序号，例如 220500-GA-00001；部门代码取提供部门编码的末段（TH-GA 即 GA）",
    ),
    ("资源名称", "name", True, "例如“居民身份证信息”"),
    ("提供部门", "provider_department", True, "部门名称或部门编码"),
    ("资源摘要", "description", False, ""),
    ("数据领域", "domain", True, "、".join(Domain.labels)),
    ("其他领域", "domain_other", False, "数据领域为“其他”时必填"),
    ("共享类型", "share_class", True, "、".join(ShareClass.labels)),
    ("共享条件", "share_conditions", False, "有条件共享时必填"),
    ("法律依据编号", "legal_basis", False, "法律依据目录中的编号；不予共享必填（且该依据须含条款）"),
    ("依据说明", "legal_basis_text", False, "可另行填写引用的文件和条款；有条件共享须有依据编号或依据说明"),
    ("安全级别", "security_level", True, "1、2、3、4"),
    ("网络环境", "network", True, "、".join(Network.labels)),
    ("更新频率", "update_frequency", True, "、".join(UpdateFrequency.labels)),
    ("其他更新周期", "update_frequency_other", False, "更新频率为“其他”时必填，例如“每三年”"),
    ("共享方式", "share_methods", False, "可多选，用“、”分隔：" + "、".join(ShareMethod.labels) + "；不予共享可不填"),
    ("所属基础库", "base_library", False, "、".join(BaseLibrary.labels) + "；不属于则留空"),
    ("列入国家共享责任清单", "in_responsibility_list", False, "是/否"),
    ("向社会开放", "open_to_public", False, "是/否（共享不等于公开）"),
]
ITEM_COLUMNS = [
    ("目录编码", "code", True, "所属资源的目录编码，须在“资源”表中"),
    ("信息项名称", "name", True, "例如“身份证号”"),
    ("数据类型", "data_type", True, "、".join(f"{c.value} {c.label}" for c in DataType)),
    ("长度", "length", False, "字符型、数值型必填"),
    ("精度", "precision", False, "小数位数，仅数值型、货币型、双精度型、浮点型"),
    ("说明", "description", False, ""),
    ("安全级别", "security_level", False, "1–4，不能低于所属资源；留空则与资源相同"),
]
RESOURCE_HEADERS = [c[0] for c in RESOURCE_COLUMNS]
ITEM_HEADERS = [c[0] for c in ITEM_COLUMNS]

# Which column a rule's field error belongs to.
RESOURCE_FIELD_COLUMN = {c[1]: c[0] for c in RESOURCE_COLUMNS}
ITEM_FIELD_COLUMN = {c[1]: c[0] for c in ITEM_COLUMNS}

MAX_REPORTED_ERRORS = 10_000
MSG_MISSING_SHEET = "缺少工作表“{sheet}”。"
MSG_MISSING_HEADER = "缺少表头“{column}”。"
MSG_REQUIRED = "必填。"
MSG_BAD_CHOICE = "“{value}”不是可选值，可选：{choices}。"
MSG_BAD_INT = "应为不小于 0 的整数。"
MSG_INT_TOO_LARGE = "数值过大，不能超过 {maximum}。"
MSG_TOO_LONG = "不能超过 {n} 个字符。"
MSG_DUPLICATE_IN_FILE = "目录编码与第 {row} 行重复。"
MSG_CODE_EXISTS = rules.MSG_CODE_TAKEN
MSG_UNKNOWN_DEPARTMENT = "找不到部门“{value}”。"
MSG_OTHER_DEPARTMENT = "只能导入本部门（{department}）的资源目录。"
MSG_UNKNOWN_LEGAL_BASIS = "法律依据目录中没有编号“{value}”。"
MSG_ITEM_UNKNOWN_CODE = "目录编码在“资源”表中不存在。"
MSG_NOT_XLSX = "无法读取文件，请上传 .xlsx 格式的表格（可先下载模板）。"
MSG_EMPTY = "表格中没有资源。"

YES = {"是", "Y", "YES", "TRUE", "1", "√"}
NO = {"否", "N", "NO", "FALSE", "0", ""}

ItemRow = namedtuple("ItemRow", "code name data_type length precision description security_level position")


@dataclass
class ImportError_:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    resources_created: int = 0
    items_created: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


Progress = Callable[[int, str], None]


def no_progress(percent: int, message: str) -> None:
    pass


# --- cell parsing ------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # An export re-imported: its text cells were neutralised against formulas (workflows.spreadsheets).
    return unquote(str(value).strip())


def _choice_maps(choices) -> dict[str, str]:
    """Accept the label (what we write) and the stored value, case-insensitively for the latter."""
    mapping = {label: value for value, label in choices.choices}
    mapping.update({str(value).upper(): value for value in choices.values})
    return mapping


DOMAIN_MAP = _choice_maps(Domain)
CLASS_MAP = _choice_maps(ShareClass)
NETWORK_MAP = _choice_maps(Network)
FREQUENCY_MAP = _choice_maps(UpdateFrequency)
LIBRARY_MAP = _choice_maps(BaseLibrary)
METHOD_MAP = _choice_maps(ShareMethod)
TYPE_MAP = {**_choice_maps(DataType), **{f"{c.value} {c.label}": c.value for c in DataType}}
LEVEL_MAP = {**{str(v): v for v in SecurityLevel.values}, **{label: v for v, label in SecurityLevel.choices}}


def _lookup(mapping: dict[str, Any], raw: str) -> Any:
    return mapping.get(raw, mapping.get(raw.upper()))


# --- import ----------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.count = 0

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(ImportError_(sheet, row, column, message).as_dict())


def _header_index(ws, columns, sheet: str, errors: _Collector, rows) -> dict[str, int] | None:
    header = next(rows, None)
    names = [_text(v) for v in (header or [])]
    index = {name: position for position, name in enumerate(names) if name}
    missing = [c[0] for c in columns if c[0] not in index and c[2]]
    for column in missing:
        errors.add(sheet, 1, column, MSG_MISSING_HEADER.format(column=column))
    return None if missing else index


class _Parser:
    """Parses one sheet's rows into values, collecting every cell error."""

    def __init__(self, sheet: str, errors: _Collector, row_number: int):
        self.sheet = sheet
        self.errors = errors
        self.row = row_number
        self.failed_columns: set[str] = set()

    def fail(self, column: str, message: str) -> None:
        self.failed_columns.add(column)
        self.errors.add(self.sheet, self.row, column, message)

    def follow_up(self, column: str, message: str) -> None:
        """A rule's error, unless the cell itself was already reported (an unreadable 长度 is not also 'missing')."""
        if column not in self.failed_columns:
            self.fail(column, message)

    def text(self, cells, index, column: str, required: bool = False, max_length: int | None = None) -> str:
        position = index.get(column)
        value = _text(cells[position]) if position is not None and position < len(cells) else ""
        if required and not value:
            self.fail(column, MSG_REQUIRED)
        if max_length and len(value) > max_length:
            self.fail(column, MSG_TOO_LONG.format(n=max_length))
        return value

    def choice(self, cells, index, column: str, mapping: dict[str, Any], required: bool) -> Any:
        raw = self.text(cells, index, column, required=required)
        if not raw:
            return "" if not required else None
        value = _lookup(mapping, raw)
        if value is None:
            labels = [k for k in mapping if not k.isascii()] or list(mapping)
            self.fail(column, MSG_BAD_CHOICE.format(value=raw, choices="、".join(labels)))
        return value

    def integer(self, cells, index, column: str, maximum: int = MAX_INT) -> int | None:
        raw = self.text(cells, index, column)
        if not raw:
            return None
        try:
            number = int(raw)
            if number < 0:
                raise ValueError
        except ValueError:
            self.fail(column, MSG_BAD_INT)
            return None
        if number > maximum:
            self.fail(column, MSG_INT_TOO_LARGE.format(maximum=maximum))
            return None
        return number

    def boolean(self, cells, index, column: str) -> bool:
        raw = self.text(cells, index, column).upper()
        if raw in YES:
            return True
        if raw not in NO:
            self.fail(column, MSG_BAD_CHOICE.format(value=raw, choices="是、否"))
        return False


def _max_length(field_name: str, model=DataResource) -> int | None:
    return model._meta.get_field(field_name).max_length


@dataclass
class _ResourceLookups:
    """What the resource rows are checked against, loaded once per workbook."""

    job_department: Department | None
    departments: dict[str, Department]  # by name and by code
    bases: dict[str, LegalBasis]  # by code
    seen: dict[str, int] = field(default_factory=dict)  # code → its row, for the duplicate rule

    @classmethod
    def load(cls, job_department: Department | None) -> _ResourceLookups:
        departments = {}
        for department in Department.objects.all():
            departments[department.name] = department
            departments[department.code] = department
        bases = {basis.code: basis for basis in LegalBasis.objects.all()}
        return cls(job_department, departments, bases)


def _read_resources(ws, job_department: Department | None, errors: _Collector) -> list[tuple[int, DataResource]]:
    rows = ws.iter_rows(values_only=True)
    index = _header_index(ws, RESOURCE_COLUMNS, RESOURCE_SHEET, errors, rows)
    if index is None:
        return []
    lookups = _ResourceLookups.load(job_department)
    result: list[tuple[int, DataResource]] = []
    for row_number, cells in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in cells):
            continue
        p = _Parser(RESOURCE_SHEET, errors, row_number)
        result.append((row_number, _read_resource(p, cells, index, lookups)))
    _report_existing_codes(lookups.seen, errors)
    return result


def _read_resource(p: _Parser, cells, index: dict[str, int], lookups: _ResourceLookups) -> DataResource:
    """One row of the resource sheet; its cells are read in column order so that errors come in that order."""
    r = DataResource()
    r.code = _read_code(p, cells, index, lookups.seen)
    r.name = p.text(cells, index, "资源名称", required=True, max_length=_max_length("name"))
    if department := _read_department(p, cells, index, lookups):
        r.provider_department = department
    r.description = p.text(cells, index, "资源摘要", max_length=_max_length("description"))
    r.domain = p.choice(cells, index, "数据领域", DOMAIN_MAP, required=True)
    r.domain_other = p.text(cells, index, "其他领域", max_length=_max_length("domain_other"))
    r.share_class = p.choice(cells, index, "共享类型", CLASS_MAP, required=True)
    r.share_conditions = p.text(cells, index, "共享条件", max_length=_max_length("share_conditions"))
    r.legal_basis = _read_legal_basis(p, cells, index, lookups.bases)
    r.legal_basis_text = p.text(cells, index, "依据说明", max_length=_max_length("legal_basis_text"))
    r.security_level = p.choice(cells, index, "安全级别", LEVEL_MAP, required=True)
    r.network = p.choice(cells, index, "网络环境", NETWORK_MAP, required=True)
    r.update_frequency = p.choice(cells, index, "更新频率", FREQUENCY_MAP, required=True)
    r.update_frequency_other = p.text(cells, index, "其他更新周期", max_length=_max_length("update_frequency_other"))
    for method in _read_methods(p, cells, index):
        setattr(r, method, True)
    r.base_library = p.choice(cells, index, "所属基础库", LIBRARY_MAP, required=False) or ""
    r.in_responsibility_list = p.boolean(cells, index, "列入国家共享责任清单")
    r.open_to_public = p.boolean(cells, index, "向社会开放")
    _check_resource_rules(p, r)
    return r


def _read_code(p: _Parser, cells, index: dict[str, int], seen: dict[str, int]) -> str:
    """目录编码: well formed and not repeated in the file; a new code is remembered in `seen`."""
    code = p.text(cells, index, "目录编码", required=True, max_length=_max_length("code"))
    if code and not rules.CODE_RE.match(code):
        p.fail("目录编码", rules.MSG_CODE_FORMAT)
    elif code in seen:
        p.fail("目录编码", MSG_DUPLICATE_IN_FILE.format(row=seen[code]))
    elif code:
        seen[code] = p.row
    return code


def _read_department(p: _Parser, cells, index: dict[str, int], lookups: _ResourceLookups) -> Department | None:
    """提供部门, by name or code: a known department, and the job's own when the job has one."""
    raw = p.text(cells, index, "提供部门", required=True)
    department = lookups.departments.get(raw)
    if raw and department is None:
        p.fail("提供部门", MSG_UNKNOWN_DEPARTMENT.format(value=raw))
    elif department and lookups.job_department and department.pk != lookups.job_department.pk:
        p.fail("提供部门", MSG_OTHER_DEPARTMENT.format(department=lookups.job_department.name))
    return department


def _read_legal_basis(p: _Parser, cells, index: dict[str, int], bases: dict[str, LegalBasis]) -> LegalBasis | None:
    raw = p.text(cells, index, "法律依据编号")
    basis = bases.get(raw) if raw else None
    if raw and basis is None:
        p.fail("法律依据编号", MSG_UNKNOWN_LEGAL_BASIS.format(value=raw))
    return basis


def _read_methods(p: _Parser, cells, index: dict[str, int]) -> list[str]:
    """共享方式: the method fields to set, from a list separated by 、 or commas."""
    raw = p.text(cells, index, "共享方式")
    methods = []
    for token in filter(None, (t.strip() for t in raw.replace(",", "、").replace("，", "、").split("、"))):
        method = _lookup(METHOD_MAP, token)
        if method is None:
            p.fail("共享方式", MSG_BAD_CHOICE.format(value=token, choices="、".join(ShareMethod.labels)))
        else:
            methods.append(method)
    return methods


def _check_resource_rules(p: _Parser, r: DataResource) -> None:
    """The rules a resource obeys wherever it is edited (catalog.rules), reported against their columns."""
    for field_name, messages in rules.check_resource(r).items():
        for message in messages:
            if message != rules.MSG_CODE_FORMAT:  # reported by _read_code
                p.fail(RESOURCE_FIELD_COLUMN.get(field_name, field_name), message)


def _report_existing_codes(seen: dict[str, int], errors: _Collector) -> None:
    """Codes already in the database, checked in one query per thousand."""
    codes = list(seen)
    for start in range(0, len(codes), 1000):
        for code in DataResource.objects.filter(code__in=codes[start : start + 1000]).values_list("code", flat=True):
            errors.add(RESOURCE_SHEET, seen[code], "目录编码", MSG_CODE_EXISTS)


def _read_items(ws, levels: dict[str, int | None], errors: _Collector, progress: Progress) -> list[ItemRow]:
    rows = ws.iter_rows(values_only=True)
    index = _header_index(ws, ITEM_COLUMNS, ITEM_SHEET, errors, rows)
    if index is None:
        return []
    name_max = _max_length("name", DataItem)
    description_max = _max_length("description", DataItem)
    positions: dict[str, int] = {}
    names: dict[str, list[tuple[int, str]]] = {}  # code → (row, item name), for the duplicate rule
    items: list[ItemRow] = []
    total = ws.max_row or 0
    for row_number, cells in enumerate(rows, start=2):
        if row_number % 5000 == 0:
            progress(15 + int(60 * row_number / max(total, row_number + 1)), f"正在检查信息项（第 {row_number} 行）")
        if not any(v not in (None, "") for v in cells):
            continue
        p = _Parser(ITEM_SHEET, errors, row_number)
        code = p.text(cells, index, "目录编码", required=True)
        if code and code not in levels:
            p.fail("目录编码", MSG_ITEM_UNKNOWN_CODE)
        name = p.text(cells, index, "信息项名称", required=True, max_length=name_max)
        data_type = p.choice(cells, index, "数据类型", TYPE_MAP, required=True)
        length = p.integer(cells, index, "长度")
        precision = p.integer(cells, index, "精度")
        description = p.text(cells, index, "说明", max_length=description_max)
        level = p.choice(cells, index, "安全级别", LEVEL_MAP, required=False) or levels.get(code) or None
        position = positions.get(code, 0) + 1
        positions[code] = position
        names.setdefault(code, []).append((row_number, name))
        item = ItemRow(code, name, data_type, length, precision, description, level, position)
        for field_name, messages in rules.check_item(item, levels.get(code)).items():
            for message in messages:
                p.follow_up(ITEM_FIELD_COLUMN.get(field_name, field_name), message)
        items.append(item)
    for rows in names.values():
        for index, message in rules.duplicate_item_names(name for _, name in rows).items():
            errors.add(ITEM_SHEET, rows[index][0], "信息项名称", message)
    return items


def _read_workbook(wb, department, errors: _Collector, progress: Progress):
    progress(2, "正在检查资源")
    for sheet in (missing := [s for s in (RESOURCE_SHEET, ITEM_SHEET) if s not in wb.sheetnames]):
        errors.add(sheet, None, "", MSG_MISSING_SHEET.format(sheet=sheet))
    if missing:
        return [], []
    resources = _read_resources(wb[RESOURCE_SHEET], department, errors)
    if not resources and not errors.count:
        errors.add(RESOURCE_SHEET, None, "", MSG_EMPTY)
    levels = {r.code: r.security_level for _, r in resources if r.code}
    progress(15, "正在检查信息项")
    return resources, _read_items(wb[ITEM_SHEET], levels, errors, progress)


@dataclass
class CheckedWorkbook:
    """A checked file: its errors, or the resources (unsaved) and item rows to write."""

    result: ImportResult
    resources: list[DataResource] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)


def check_workbook(
    source: IO[bytes] | str, *, department: Department | None, progress: Progress = no_progress
) -> CheckedWorkbook:
    """Read and check the whole file, writing nothing (catalog.services.import_workbook writes it).

    `department` limits rows to that provider department (None: any, for the data bureau).
    """
    errors = _Collector()
    resources, items = [], []
    try:
        wb = open_workbook(source, import_limits())
    except TooLarge as too_large:  # refused from its zip directory, before anything is inflated
        errors.add("", None, "", too_large_message(too_large))
    except Exception:  # openpyxl raises many kinds for a non-xlsx upload
        errors.add("", None, "", MSG_NOT_XLSX)
    else:
        try:
            resources, items = _read_workbook(wb, department, errors, progress)
        except TooLarge as too_large:  # a sheet's dimension, or a row or cell past a limit: the one error
            errors.errors, errors.count = [], 0
            errors.add("", None, "", too_large_message(too_large))
        finally:
            wb.close()
    result = ImportResult()
    item_counts = Counter(item.code for item in items)
    for row_number, resource in resources:
        if resource.code:
            for message in rules.check_item_count(item_counts[resource.code]).get("items", []):
                errors.add(RESOURCE_SHEET, row_number, "目录编码", message)
    if errors.count:
        errors.errors.sort(key=lambda e: (e["sheet"] != RESOURCE_SHEET, e["row"] or 0))
        result.errors, result.error_count = errors.errors, errors.count
        return CheckedWorkbook(result)
    return CheckedWorkbook(result, [resource for _, resource in resources], items)
