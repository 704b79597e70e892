"""The register's writes: what an accepted report does to each system it lists, and the versions it leaves.

Nothing else changes the register (the shutdown chain of later issues will be the other way). A system's
versions are snapshots as the catalog keeps them (catalog.services.resources): every accepted change makes
one, and the report's line keeps the version it confirmed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from systems_inventory.models import (
    SYSTEM_FIELDS,
    InfoSystem,
    LineAction,
    ReportLine,
    SystemStatus,
    SystemVersion,
)
from workflows.audit import record_event
from workflows.hashing import canonical_json, sha256_hex


def field_values(source) -> dict[str, Any]:
    """The register's fields of a system or a line, as attributes to set (the category by its key)."""
    values = {name: getattr(source, name) for name in SYSTEM_FIELDS if name != "category"}
    values["category_id"] = source.category_id
    return values


def snapshot(system: InfoSystem) -> dict[str, Any]:
    """What a version freezes: every field of the register, the department, the state and the resources, as JSON."""
    data: dict[str, Any] = {}
    for name in SYSTEM_FIELDS:
        value = getattr(system, name)
        if name == "category":
            value = {"id": value.pk, "code": value.code, "name": value.name}
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = value
    department = system.department
    data["department"] = {"id": department.pk, "code": department.code, "name": department.name}
    data["status"] = system.status
    data["retired_reason"] = system.retired_reason
    data["resources"] = sorted(system.resources.values_list("code", flat=True))
    return data


def new_version(system: InfoSystem, *, actor, report, summary: str, changes: list[str]) -> SystemVersion:
    data = snapshot(system)
    system.version += 1
    return SystemVersion.objects.create(
        system=system,
        number=system.version,
        snapshot=data,
        snapshot_hash=sha256_hex(canonical_json(data)),
        changes=changes,
        summary=summary[:200],
        report=report,
        created_by=actor,
    )


def _labels() -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in InfoSystem._meta.get_fields() if hasattr(f, "verbose_name")}


def changed_labels(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    labels = _labels()
    return [labels.get(key, key) for key in after if before.get(key) != after.get(key)]


def apply_line(line: ReportLine, *, actor, report, ip: str | None) -> SystemVersion:
    """Write one accepted line to the register; the version it leaves (a confirmed system's current one)."""
    if line.action == LineAction.ADD:
        return _register(line, actor=actor, report=report, ip=ip)
    assert line.system_id is not None  # every other line confirms, edits or retires a register system
    system = InfoSystem.objects.select_for_update().select_related("department", "category").get(pk=line.system_id)
    if line.action == LineAction.RETIRE:
        return _retire(system, line, actor=actor, report=report, ip=ip)
    current = SystemVersion.objects.filter(system=system, number=system.version).first()
    if line.action == LineAction.CONFIRM and current is not None:
        return current  # confirmed unchanged: the report freezes the version it confirmed
    before = snapshot(system)
    for name, value in field_values(line).items():
        setattr(system, name, value)
    system.save()
    system.resources.set(line.resources.all())
    changes = changed_labels(before, snapshot(system))
    if not changes and current is not None:
        return current  # "edited" back to what the register holds
    summary = "变更：" + "、".join(changes) if changes else "自查确认"
    version = new_version(system, actor=actor, report=report, summary=summary, changes=changes)
    system.save(update_fields=["version", "updated_at"])
    if not changes:
        return version  # the first version of a system registered without one
    record_event(
        subject=system,
        action="systems_inventory.system_changed",
        actor=actor,
        from_state=system.status,
        to_state=system.status,
        comment="、".join(changes),
        ip=ip,
        data={"version": version.number, "report": report.pk},
    )
    return version


def _register(line: ReportLine, *, actor, report, ip: str | None) -> SystemVersion:
    system = InfoSystem(department=report.department, **field_values(line))
    system.save()
    system.resources.set(line.resources.all())
    version = new_version(system, actor=actor, report=report, summary="自查新增登记", changes=[])
    system.save(update_fields=["version", "updated_at"])
    line.system = system
    record_event(
        subject=system,
        action="systems_inventory.system_registered",
        actor=actor,
        to_state=system.status,
        ip=ip,
        data={"version": version.number, "report": report.pk},
    )
    return version


def _retire(system: InfoSystem, line: ReportLine, *, actor, report, ip: str | None) -> SystemVersion:
    system.retire()
    system.retired_reason = line.retire_reason
    system.retired_at = timezone.now()
    version = new_version(
        system, actor=actor, report=report, summary=f"停止运行：{line.retire_reason}", changes=["运行状态"]
    )
    system.save(update_fields=["status", "retired_reason", "retired_at", "version", "updated_at"])
    record_event(
        subject=system,
        action="systems_inventory.system_retired",
        actor=actor,
        from_state=SystemStatus.IN_USE,
        to_state=system.status,
        comment=line.retire_reason,
        ip=ip,
        data={"version": version.number, "report": report.pk},
    )
    return version
