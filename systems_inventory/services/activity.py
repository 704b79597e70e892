"""Usage evidence in: one month pushed through the API with the system's own token, or a department's spreadsheet,
all or nothing. The same system, month and source sent again replaces what was there (nothing counted twice).
Also the systems' push tokens (only their hashes are kept)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from requests.services.grants import hash_token
from systems_inventory import activity_excel, permissions, rules
from systems_inventory.activity_excel import Result
from systems_inventory.messages import (
    MSG_ACTIVITY_OTHER_DEPARTMENT,
    MSG_ACTIVITY_SYSTEM_GONE,
    MSG_NOT_OWNING_DEPARTMENT,
    MSG_SHUTDOWN_BUREAU_ONLY,
)
from systems_inventory.models import (
    SENT_SOURCES,
    ActivitySource,
    InfoSystem,
    SystemActivity,
    SystemStatus,
    SystemToken,
)
from systems_inventory.services.common import SelfCheckError
from workflows.audit import record_event, record_events

TOKEN_PREFIX = "gsa_"
FIGURES = ("active_users", "logins", "transactions", "last_activity")


def _upsert(rows: list[SystemActivity], *, today: dt.date) -> None:
    """Write the months, replacing what the same source said of them; a used month's last day defaults to the
    month's end (today for the month under way)."""
    for row in rows:
        if row.last_activity is None and row.has_activity:
            row.last_activity = rules.month_last_day(row.month, today)
    SystemActivity.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["system", "month", "source"],
        update_fields=[*FIGURES, "reported_by", "token", "reported_at"],
    )


def activity_push(*, token: SystemToken, values: dict[str, Any], ip: str | None = None) -> SystemActivity:
    """One month of the token's system, from its monitor (接口推送). `values`: month (the month's first day) and the
    figures; refused with every field's error."""
    today = timezone.localdate()
    with transaction.atomic():
        system = InfoSystem.objects.select_for_update().get(pk=token.system_id)
        if system.status != SystemStatus.IN_USE:
            raise SelfCheckError(MSG_ACTIVITY_SYSTEM_GONE.format(system=system.name))
        activity = SystemActivity(system=system, source=ActivitySource.PUSH, token=token, **values)
        if errors := rules.check_activity(activity, today=today):
            raise SelfCheckError(next(iter(errors.values()))[0], errors)
        replaced = SystemActivity.objects.filter(system=system, month=activity.month, source=activity.source).exists()
        _upsert([activity], today=today)
        SystemToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        record_event(
            subject=system,
            action="systems_inventory.activity_pushed",
            comment=f"{activity.month:%Y-%m} 使用情况（接口推送，令牌 {token.prefix}…）",
            ip=ip,
            data={"month": f"{activity.month:%Y-%m}", "token": token.pk, "replaced": replaced},
        )
    return SystemActivity.objects.get(system=system, month=activity.month, source=activity.source)


def activity_import(
    *, actor, upload: IO[bytes], source: str = ActivitySource.OPERATIONS, ip: str | None = None
) -> Result:
    """A department's spreadsheet of its systems' months (运维上报 or 自报): every row checked, then all written in one
    transaction, or nothing when any row is wrong. The result names every error by sheet, row and column."""
    if source not in SENT_SOURCES or source == ActivitySource.PUSH:
        source = ActivitySource.OPERATIONS
    if not permissions.reports_activity(actor):
        raise SelfCheckError(MSG_NOT_OWNING_DEPARTMENT)
    today = timezone.localdate()
    result = activity_excel.check(upload, department=actor.department, today=today)
    if not result.ok:
        return result
    rows = [row.activity for row in result.rows]
    for row in rows:
        row.source, row.reported_by = source, actor
    with transaction.atomic():
        _upsert(rows, today=today)
        systems = sorted({row.system_id for row in rows})
        record_events(
            model=InfoSystem,
            subject_ids=systems,
            action="systems_inventory.activity_imported",
            actor=actor,
            comment=f"表格报送使用情况（{ActivitySource(source).label}）",
        )
    return result


# --- push tokens ------------------------------------------------------------------------------------


def system_token_issue(*, actor, system: InfoSystem, ip: str | None = None) -> tuple[SystemToken, str]:
    """A new token for the system's monitor; the raw token is returned once and never stored."""
    if not permissions.answers_for(actor, system):
        raise SelfCheckError(MSG_ACTIVITY_OTHER_DEPARTMENT.format(system=system.name))
    if system.status != SystemStatus.IN_USE:
        raise SelfCheckError(MSG_ACTIVITY_SYSTEM_GONE.format(system=system.name))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = SystemToken.objects.create(system=system, prefix=raw[:10], token_hash=hash_token(raw), created_by=actor)
        record_event(
            subject=system,
            action="systems_inventory.token_issued",
            actor=actor,
            comment=f"令牌 {token.prefix}…",
            ip=ip,
            data={"token": token.pk},
        )
    return token, raw


def system_token_disable(*, actor, obj: SystemToken, ip: str | None = None) -> SystemToken:
    with transaction.atomic():
        token = SystemToken.objects.select_for_update().select_related("system").get(pk=obj.pk)
        if not (permissions.answers_for(actor, token.system) or permissions.decides_shutdown(actor)):
            raise SelfCheckError(MSG_SHUTDOWN_BUREAU_ONLY)
        if token.is_active:
            token.is_active = False
            token.save(update_fields=["is_active"])
            record_event(
                subject=token.system,
                action="systems_inventory.token_disabled",
                actor=actor,
                comment=f"令牌 {token.prefix}…",
                ip=ip,
                data={"token": token.pk},
            )
    return token
