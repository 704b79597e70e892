"""Building blocks of the self-check tests: a system's fields, register entries, campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from systems_inventory.models import ActivitySource, Campaign, FunctionCategory, InfoSystem, SystemActivity


def category(code: str = "BUSINESS") -> FunctionCategory:
    """A category of the maintained list (its data migration is gone from a flushed database)."""
    return FunctionCategory.objects.get_or_create(code=code, defaults={"name": f"类别{code}"})[0]


def system_data(**overrides: Any) -> dict[str, Any]:
    """A complete, valid system: a self-built one on the 政务云, connected with two interfaces."""
    data: dict[str, Any] = {
        "name": "不动产登记业务系统",
        "function": "不动产登记受理、审核、登簿和发证",
        "category": category(),
        "build_type": "self_built",
        "usage_scope": "cross_department",
        "usage_frequency": "daily",
        "user_count": 120,
        "approving_authority": "市发改委",
        "approval_number": "通发改审批〔2019〕12号",
        "construction_year": 2019,
        "contractor": "吉林某信息技术有限公司",
        "funding_source": "budget",
        "annual_om_cost": "35.50",
        "deployment": "gov_cloud",
        "is_classified": False,
        "not_on_cloud_reason": "",
        "database_kind": "Oracle",
        "data_volume": "120 GB",
        "storage_location": "市政务云",
        "interface_method": "api",
        "connected": True,
        "interface_count": 2,
        "responsible_person": "孙立",
        "responsible_phone": "0435-3210001",
    }
    data.update(overrides)
    return data


def make_system(department, **overrides: Any) -> InfoSystem:
    """A register entry as an earlier accepted report left it, with its first version (written directly)."""
    from systems_inventory.services.register import new_version

    system = InfoSystem.objects.create(department=department, **system_data(**overrides))
    new_version(system, actor=None, report=None, summary="自查登记", changes=[])
    system.save(update_fields=["version"])
    return system


def make_campaign(creator, **overrides: Any) -> Campaign:
    values: dict[str, Any] = {"title": "2026年信息系统建设自查", "due_workdays": 10, "created_by": creator}
    values.update(overrides)
    return Campaign.objects.create(**values)


def send_to_bureau(report, filler, leader, *, no_self_built: bool = False):
    """The department's part: every register system confirmed (or the declaration), the leader's confirmation."""
    from systems_inventory import services

    if no_self_built:
        services.report_declare(actor=filler, obj=report, no_self_built=True)
    else:
        services.lines_confirm_all(actor=filler, report=report)
    services.report_submit(actor=filler, obj=report)
    return services.report_confirm(actor=leader, obj=report)


def used(system: InfoSystem, day: dt.date, *, source: str = ActivitySource.OPERATIONS, **counts: int) -> SystemActivity:
    """The system's use in `day`'s month as `source` reports it (a few logins by default), last used on `day`."""
    values = {"active_users": 3, "logins": 20, "transactions": 0, **counts}
    activity, _ = SystemActivity.objects.update_or_create(
        system=system, month=day.replace(day=1), source=source, defaults={**values, "last_activity": day}
    )
    return activity
