"""The catalog's rules, one place for the model, the services, the forms, the API and import.

Each check returns {field: [messages]}; messages are constants so tests can assert on them.
The objects passed in only need the attributes of DataResource / DataItem, so unsaved
instances built from a form, a serializer or a spreadsheet row all go through the same code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from catalog.choices import (
    SHARE_METHOD_FIELDS,
    TYPES_NEEDING_LENGTH,
    TYPES_WITH_PRECISION,
    Domain,
    ShareClass,
    UpdateFrequency,
)
from catalog.limits import MAX_ITEMS_PER_RESOURCE

# 6-digit administrative division code, department abbreviation, 5-digit serial: 220500-GA-00001.
CODE_RE = re.compile(r"^\d{6}-[A-Z0-9]{2,10}-\d{5}$")

MSG_CODE_FORMAT = "目录编码格式应为“6位行政区划代码-部门代码-5位序号”，例如 220500-GA-00001。"
MSG_CODE_DEPARTMENT = "目录编码中的部门代码应为提供部门（{department}）的代码“{expected}”，例如 {example}。"
MSG_CODE_TAKEN = "目录编码已被其他资源使用，请换一个序号（编码最后 5 位）。"
MSG_CONDITIONAL_NEEDS_CONDITIONS = "有条件共享的资源必须填写共享条件。"
MSG_CONDITIONAL_NEEDS_LEGAL_BASIS = "有条件共享的资源必须填写法律法规依据。"
MSG_NONE_NEEDS_LEGAL_BASIS = (
    "不予共享的资源必须引用法律、行政法规或政策文件的具体条款（从法律依据目录中选择含条款的依据）。"
)
MSG_NEEDS_ITEM = "每个资源至少需要一个信息项。"
MSG_TOO_MANY_ITEMS = f"每个资源最多 {MAX_ITEMS_PER_RESOURCE} 个信息项，请删去不需要的信息项，或将资源拆分为多个资源。"
MSG_NEEDS_METHOD = "除不予共享外，至少选择一种共享方式。"
MSG_DOMAIN_OTHER = "数据领域选择“其他”时必须填写具体领域。"
MSG_FREQUENCY_OTHER = "更新频率选择“其他”时必须填写具体周期（例如“每三年”）。"
MSG_ITEM_NEEDS_LENGTH = "字符型和数值型信息项必须填写长度。"
MSG_ITEM_NO_PRECISION = "只有数值型、货币型、双精度型和浮点型信息项可以填写精度。"
MSG_ITEM_LEVEL_TOO_LOW = "信息项的安全级别不能低于所属资源的安全级别。"
MSG_ITEM_NAME_DUPLICATE = "信息项名称“{name}”与前面的信息项重复：同一资源的信息项名称不能相同，请改名或删除其中一项。"

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def has_legal_basis(resource: Any) -> bool:
    return bool(getattr(resource, "legal_basis_id", None) or getattr(resource, "legal_basis", None)) or bool(
        (resource.legal_basis_text or "").strip()
    )


def cites_article(resource: Any) -> bool:
    """A not-shared entry must point at a law/regulation/policy *with its article*."""
    basis = getattr(resource, "legal_basis", None)
    return basis is not None and bool((basis.article or "").strip())


def share_methods_of(resource: Any) -> list[str]:
    return [name for name in SHARE_METHOD_FIELDS if getattr(resource, name, False)]


def department_code_part(department: Any) -> str:
    """The department part of a catalog code: GA for 市公安局, whose department code is TH-GA."""
    return department.code.rsplit("-", 1)[-1]


def check_code(code: str, department: Any | None) -> list[str]:
    """The code's format and, once the provider is known, that its department part names the provider."""
    if not CODE_RE.match(code):
        return [MSG_CODE_FORMAT]
    region, part, serial = code.split("-")
    expected = department_code_part(department) if department is not None else part
    if part != expected:
        example = f"{region}-{expected}-{serial}"
        return [MSG_CODE_DEPARTMENT.format(department=department.name, expected=expected, example=example)]
    return []


def check_resource(resource: Any) -> Errors:
    """The rules on the resource's own fields (not its items)."""
    errors: Errors = {}
    # A registered entry's code is frozen (applications cite it), so it is not re-checked against its provider.
    provider = resource.provider_department if resource.provider_department_id and not resource.version else None
    for message in check_code(resource.code, provider) if resource.code else []:
        _add(errors, "code", message)
    if resource.domain == Domain.OTHER and not (resource.domain_other or "").strip():
        _add(errors, "domain_other", MSG_DOMAIN_OTHER)
    if resource.update_frequency == UpdateFrequency.OTHER and not (resource.update_frequency_other or "").strip():
        _add(errors, "update_frequency_other", MSG_FREQUENCY_OTHER)
    if resource.share_class == ShareClass.CONDITIONAL:
        if not (resource.share_conditions or "").strip():
            _add(errors, "share_conditions", MSG_CONDITIONAL_NEEDS_CONDITIONS)
        if not has_legal_basis(resource):
            _add(errors, "legal_basis", MSG_CONDITIONAL_NEEDS_LEGAL_BASIS)
    if resource.share_class == ShareClass.NONE and not cites_article(resource):
        _add(errors, "legal_basis", MSG_NONE_NEEDS_LEGAL_BASIS)
    if resource.share_class != ShareClass.NONE and not share_methods_of(resource):
        _add(errors, "share_methods", MSG_NEEDS_METHOD)
    return errors


def check_item(item: Any, resource_level: int | None) -> Errors:
    errors: Errors = {}
    if item.data_type in TYPES_NEEDING_LENGTH and not item.length:
        _add(errors, "length", MSG_ITEM_NEEDS_LENGTH)
    if item.precision not in (None, "") and item.data_type not in TYPES_WITH_PRECISION:
        _add(errors, "precision", MSG_ITEM_NO_PRECISION)
    if resource_level and item.security_level and int(item.security_level) < int(resource_level):
        _add(errors, "security_level", MSG_ITEM_LEVEL_TOO_LOW)
    return errors


def duplicate_item_names(names: Iterable[str]) -> dict[int, str]:
    """Index → message for each item named like an earlier one: applications and the grant check name items."""
    seen: set[str] = set()
    duplicates = {}
    for index, name in enumerate(names):
        if name in seen:
            duplicates[index] = MSG_ITEM_NAME_DUPLICATE.format(name=name)
        elif name:
            seen.add(name)
    return duplicates


def check_item_count(count: int) -> Errors:
    if not count:
        return {"items": [MSG_NEEDS_ITEM]}
    if count > MAX_ITEMS_PER_RESOURCE:
        return {"items": [MSG_TOO_MANY_ITEMS]}
    return {}


def check_all(resource: Any, items: list[Any]) -> Errors:
    """Everything a complete entry must satisfy; item errors are keyed items[<index>].<field>."""
    errors = check_resource(resource)
    for field, messages in check_item_count(len(items)).items():
        errors.setdefault(field, []).extend(messages)
    for index, item in enumerate(items):
        for field, messages in check_item(item, resource.security_level).items():
            errors.setdefault(f"items[{index}].{field}", []).extend(messages)
    for index, message in duplicate_item_names(item.name for item in items).items():
        errors.setdefault(f"items[{index}].name", []).append(message)
    return errors
