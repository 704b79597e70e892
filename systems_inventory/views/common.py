"""What the self-check's pages share: field display, downloads, errors put back on forms."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from systems_inventory.models import InfoSystem
from systems_inventory.services import SelfCheckError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook to download; the view has decided who may have it."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def display(obj, name: str):
    """A field's value as a reader sees it: choice labels, 是/否, the category's name, — for nothing."""
    field = InfoSystem._meta.get_field(name)
    value = getattr(obj, name)
    if getattr(field, "choices", None):
        return getattr(obj, f"get_{name}_display")()
    if isinstance(value, bool):
        return "是" if value else "否"
    if value in (None, ""):
        return "—"
    return value


def field_rows(obj, fields) -> list[tuple[str, object]]:
    return [(InfoSystem._meta.get_field(name).verbose_name, display(obj, name)) for name in fields]


def apply_errors(form, exc: SelfCheckError) -> None:
    """A service's field errors onto the form (unknown fields and whole-report problems above it)."""
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
    if not exc.errors:
        form.add_error(None, exc.message)
