"""The data's disposal and the end of the chain: the department lists the system's data stores and records for
each what became of its data (archived or migrated, with evidence), then asks the bureau to verify; the bureau
verifies or rejects each one, and confirms the shutdown only when every store's disposition is verified. The
confirmation issues the 关停确认书, retires the system in the register (shut down, or integrated into its
successor) and ends its catalog resources: re-pointed to the successor, or withdrawn through the catalog's own
withdrawal, which revokes their grants, refuses their pending applications and tells their consumers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from catalog.models import PUBLISHED_STATES
from catalog.services import CatalogError, resource_withdraw
from notifications import recipients as who
from pdf_templates.models import Record
from requests.models import Grant, GrantState
from systems_inventory import rules
from systems_inventory.flows import ShutdownFlow
from systems_inventory.messages import (
    MSG_DISPOSITION_DECIDED,
    MSG_DISPOSITION_NOT_IN_CASE,
    MSG_NO_STORES,
    MSG_REJECT_NEEDS_REASON,
    MSG_RESOURCE_WITHDRAWAL_FAILED,
    MSG_STORE_DISPOSED,
    MSG_STORE_NAME_REQUIRED,
    MSG_STORE_NOT_OF_SYSTEM,
    MSG_STORES_UNDISPOSED,
    MSG_STORES_UNVERIFIED,
)
from systems_inventory.models import (
    AttachmentPurpose,
    CaseState,
    DataDisposition,
    DataStore,
    DispositionState,
    InfoSystem,
    ShutdownCase,
    SystemStatus,
)
from systems_inventory.services.common import SelfCheckError, check_text, staff_of
from systems_inventory.services.register import new_version
from systems_inventory.services.shutdown_common import (
    DISPOSITION_KIND,
    check_attachments,
    check_decider,
    check_department,
    complete,
    lock_case,
    start_clock,
    store_attachments,
    task_to_work,
    tell,
    tell_department,
    wrong_state,
)
from systems_inventory.services.shutdown_records import issue_confirmation
from workflows import deadlines
from workflows.audit import record_event
from workflows.textlimits import CITED_REASON, composed

DISPOSITION_FIELDS = (
    "method",
    "row_count",
    "archive_location",
    "archive_format",
    "manifest_sha256",
    "retention",
    "target_system",
    "target_resource",
    "note",
)


def _lock_disposing(actor, obj: ShutdownCase, action: str) -> ShutdownCase:
    check_department(actor, obj)
    case = lock_case(obj)
    if not rules.is_disposing(case):
        raise wrong_state(case, action)
    return case


def store_add(
    *, actor, obj: ShutdownCase, name: str, kind: str, location: str = "", volume: str = "", ip: str | None = None
) -> DataStore:
    """Another place the system keeps data (files, a backup): it must be disposed of too."""
    name = (name or "").strip()
    if not name:
        raise SelfCheckError(MSG_STORE_NAME_REQUIRED, {"name": [MSG_STORE_NAME_REQUIRED]})
    with transaction.atomic():
        case = _lock_disposing(actor, obj, "登记数据存储")
        store = DataStore(
            system=case.system, name=name, kind=kind, location=location or "", volume=volume or "", created_by=actor
        )
        store.full_clean(exclude=["system", "created_by"])
        store.save()
        record_event(
            subject=case,
            action="systems_inventory.store_added",
            actor=actor,
            from_state=case.state,
            to_state=case.state,
            comment=f"{store.name}（{store.get_kind_display()}）",
            ip=ip,
            data={"store": store.pk},
        )
    return store


def disposition_record(
    *,
    actor,
    obj: ShutdownCase,
    store: DataStore,
    values: dict[str, Any],
    attachments: Iterable[UploadedFile] = (),
    ip: str | None = None,
) -> DataDisposition:
    """What became of one store's data: archived (where, format, rows, the manifest's SHA-256, retention) or
    migrated (into which system or catalog resource), with its evidence. Every field error at once."""
    attachments = list(attachments)
    check_department(actor, obj)
    check_attachments(attachments)
    check_text(DataDisposition, "note", values.get("note"), field="note")
    with transaction.atomic():
        case = _lock_disposing(actor, obj, "登记数据处置")
        if store.system_id != case.system_id:
            raise SelfCheckError(MSG_STORE_NOT_OF_SYSTEM)
        if case.dispositions.filter(store=store).exclude(state=DispositionState.REJECTED).exists():
            raise SelfCheckError(MSG_STORE_DISPOSED.format(store=store.name))
        fields = {name: values[name] for name in DISPOSITION_FIELDS if name in values}
        fields["manifest_sha256"] = (fields.get("manifest_sha256") or "").strip().lower()
        disposition = DataDisposition(case=case, store=store, recorded_by=actor, **fields)
        if errors := rules.check_disposition(disposition):
            raise SelfCheckError(next(iter(errors.values()))[0], errors)
        disposition.save()
        store_attachments(case, attachments, actor=actor, purpose=AttachmentPurpose.EVIDENCE, disposition=disposition)
        record_event(
            subject=case,
            action="systems_inventory.disposition_recorded",
            actor=actor,
            from_state=case.state,
            to_state=case.state,
            comment=f"{store.name}：{disposition.get_method_display()} {disposition.row_count} 条",
            ip=ip,
            data={"disposition": disposition.pk, "store": store.pk, "method": disposition.method},
        )
    return disposition


def standing(case: ShutdownCase) -> tuple[list[DataStore], list[DataDisposition]]:
    """The system's stores, and the disposition standing for each that has one (not a rejected one)."""
    stores = list(DataStore.objects.filter(system_id=case.system_id).order_by("pk"))
    dispositions = list(
        case.dispositions.exclude(state=DispositionState.REJECTED)
        .select_related("store", "target_system__department", "target_resource", "verified_by")
        .order_by("store_id")
    )
    return stores, dispositions


def _check_all_disposed(case: ShutdownCase, *, verified: bool) -> list[DataDisposition]:
    """Every store disposed of (and, to confirm, every disposition verified): nothing may be lost."""
    stores, dispositions = standing(case)
    if not stores:
        raise SelfCheckError(MSG_NO_STORES)
    done = {d.store_id for d in dispositions}
    undisposed = [s.name for s in stores if s.pk not in done]
    if undisposed:
        raise SelfCheckError(MSG_STORES_UNDISPOSED.format(count=len(undisposed), stores="、".join(undisposed)))
    unverified = [d.store.name for d in dispositions if d.state != DispositionState.VERIFIED]
    if verified and unverified:
        raise SelfCheckError(MSG_STORES_UNVERIFIED.format(count=len(unverified), stores="、".join(unverified)))
    return dispositions


def dispositions_submit(*, actor, obj: ShutdownCase, ip: str | None = None) -> ShutdownCase:
    """Every store disposed of: the bureau verifies (the department's clock stops)."""
    with transaction.atomic():
        case = _lock_disposing(actor, obj, "提请核验")
        task = task_to_work(actor, case, ShutdownFlow.dispose)
        _check_all_disposed(case, verified=False)
        from_state = case.state
        case.submit_dispositions()
        deadlines.complete_for(case, kind=DISPOSITION_KIND)
        case.save(update_fields=["state", "updated_at"])
        record_event(
            subject=case,
            action="systems_inventory.dispositions_submitted",
            actor=actor,
            from_state=from_state,
            to_state=case.state,
            ip=ip,
        )
        complete(task, actor=actor, case=case, ip=ip)
        tell(who.data_bureau(), case, f"{case.system.department.name}已完成“{case.system.name}”的数据处置，请核验。")
    return case


def _lock_disposition(actor, obj: DataDisposition, action: str) -> tuple[ShutdownCase, DataDisposition]:
    check_decider(actor, obj.case)
    case = lock_case(obj.case)
    if not rules.is_verifiable(case):
        raise wrong_state(case, action)
    disposition = DataDisposition.objects.select_for_update().select_related("store").filter(pk=obj.pk).first()
    if disposition is None or disposition.case_id != case.pk:
        raise SelfCheckError(MSG_DISPOSITION_NOT_IN_CASE)
    if disposition.state != DispositionState.RECORDED:
        raise SelfCheckError(MSG_DISPOSITION_DECIDED, stale=True)
    return case, disposition


def disposition_verify(*, actor, obj: DataDisposition, ip: str | None = None) -> DataDisposition:
    """The bureau checked the disposition against its evidence."""
    with transaction.atomic():
        case, disposition = _lock_disposition(actor, obj, "核验数据处置")
        disposition.verify()
        disposition.verified_by, disposition.verified_at = actor, timezone.now()
        disposition.save(update_fields=["state", "verified_by", "verified_at"])
        record_event(
            subject=case,
            action="systems_inventory.disposition_verified",
            actor=actor,
            from_state=case.state,
            to_state=case.state,
            comment=disposition.store.name,
            ip=ip,
            data={"disposition": disposition.pk},
        )
    return disposition


def disposition_reject(*, actor, obj: DataDisposition, reason: str, ip: str | None = None) -> DataDisposition:
    """The disposition does not hold: the department records that store again (its clock starts afresh)."""
    reason = (reason or "").strip()
    if not reason:
        raise SelfCheckError(MSG_REJECT_NEEDS_REASON, {"reason": [MSG_REJECT_NEEDS_REASON]})
    check_text(DataDisposition, "verification_comment", reason, field="reason")
    with transaction.atomic():
        case, disposition = _lock_disposition(actor, obj, "核验数据处置")
        task = task_to_work(actor, case, ShutdownFlow.verify) if case.state == CaseState.VERIFYING else None
        disposition.reject()
        disposition.verified_by, disposition.verified_at = actor, timezone.now()
        disposition.verification_comment = reason
        disposition.save(update_fields=["state", "verified_by", "verified_at", "verification_comment"])
        from_state = case.state
        if task is not None:
            case.return_dispositions()
            case.disposition_due_at = start_clock(
                case,
                kind=DISPOSITION_KIND,
                title="数据处置期限（核验未通过后）",
                start=timezone.now(),
                workdays=settings.SYSTEM_DISPOSITION_WORKDAYS,
            )
            case.save(update_fields=["state", "disposition_due_at", "updated_at"])
        record_event(
            subject=case,
            action="systems_inventory.disposition_rejected",
            actor=actor,
            from_state=from_state,
            to_state=case.state,
            comment=f"{disposition.store.name}：{reason}",
            ip=ip,
            data={"disposition": disposition.pk},
        )
        if task is not None:
            complete(task, actor=actor, case=case, ip=ip)
        tell_department(case, f"“{disposition.store.name}”的数据处置核验未通过，请重新登记。意见：{reason}")
    return disposition


# --- the confirmation -------------------------------------------------------------------------------------


def case_confirm(*, actor, obj: ShutdownCase, ip: str | None = None) -> Record:
    """关停确认书: only when every store's disposition is verified. Two bureau users confirming at once: the second
    waits on the case's lock and is refused as stale, so one confirmation and one record number."""
    check_decider(actor, obj)
    with transaction.atomic():
        case = lock_case(obj)
        if not rules.awaits_confirmation(case):
            raise wrong_state(case, "确认关停")
        task = task_to_work(actor, case, ShutdownFlow.verify)
        dispositions = _check_all_disposed(case, verified=True)
        system = InfoSystem.objects.select_for_update().select_related("department").get(pk=case.system_id)
        # Before this transaction's first audit event: the resources' grants are locked first (catalog's rule).
        resources = _end_resources(case, system, actor=actor, ip=ip)
        _retire(case, system, actor=actor, ip=ip)
        case.confirm()
        case.closed_by, case.closed_at = actor, timezone.now()
        case.save(update_fields=["state", "closed_by", "closed_at", "updated_at"])
        record_event(
            subject=case,
            action="systems_inventory.case_confirmed",
            actor=actor,
            from_state=CaseState.VERIFYING,
            to_state=case.state,
            ip=ip,
            data={"dispositions": [d.pk for d in dispositions], "successor": case.successor_id},
        )
        complete(task, actor=actor, case=case, ip=ip)
        record = issue_confirmation(case, dispositions, resources, actor=actor)
        said = f"政数局签发{record.number}，确认“{system.name}”已{case.get_state_display().removeprefix('已')}。"
        tell_department(case, said)
        if case.successor and case.successor.department_id != system.department_id:
            tell(staff_of(case.successor.department), case, f"{said}其目录资源由本部门“{case.successor.name}”承接。")
    return record


def _retire(case: ShutdownCase, system: InfoSystem, *, actor, ip: str | None) -> None:
    """The register keeps the system, read-only: shut down, or integrated into its successor (a new version)."""
    from_state, successor = system.status, case.successor
    if successor is not None:  # an integration names it (services.shutdown checks)
        system.integrate()
        system.integrated_into = successor
        summary = f"整合至“{successor.name}”（{case.reference}）"
    else:
        system.shut_down()
        summary = f"关停（{case.reference}）"
    version = new_version(system, actor=actor, report=None, summary=summary, changes=["运行状态"])
    system.save(update_fields=["status", "integrated_into", "version", "updated_at"])
    record_event(
        subject=system,
        action="systems_inventory.system_shut_down",
        actor=actor,
        from_state=from_state,
        to_state=system.status,
        comment=summary,
        ip=ip,
        data={"case": case.pk, "version": version.number},
    )


def _end_resources(case: ShutdownCase, system: InfoSystem, *, actor, ip: str | None) -> list[str]:
    """Each published catalog resource of the system: re-pointed to the successor, kept when another system in use
    produces it too, or withdrawn (the catalog then revokes its grants and tells the consumers). In words."""
    resources = list(system.resources.filter(status__in=PUBLISHED_STATES).order_by("code"))
    list(Grant.objects.select_for_update().filter(resource__in=resources, state=GrantState.ACTIVE).values_list("pk"))
    if case.successor is not None:
        return _repoint(case, case.successor, resources, actor=actor, ip=ip) if resources else []
    others = set(
        InfoSystem.resources.through.objects.filter(dataresource__in=resources, infosystem__status=SystemStatus.IN_USE)
        .exclude(infosystem=system)
        .values_list("dataresource_id", flat=True)
    )
    reason = composed(
        "信息系统“{name}”经政数局确认关停（{case}），其产生的目录资源随之撤销",
        CITED_REASON,
        name=system.name,
        case=case.reference,
    )
    said = []
    for resource in resources:
        if resource.pk in others:
            said.append(f"{resource.code}“{resource.name}”仍由其他在用系统产生，予以保留")
            continue
        try:
            resource_withdraw(actor=actor, obj=resource, reason=reason, ip=ip)
        except CatalogError as exc:
            raise SelfCheckError(MSG_RESOURCE_WITHDRAWAL_FAILED.format(resource=resource.code, reason=exc)) from exc
        said.append(f"{resource.code}“{resource.name}”已撤销，其有效共享授权随之撤销，使用部门已获通知")
    return said


def _repoint(case: ShutdownCase, successor: InfoSystem, resources: list, *, actor, ip: str | None) -> list[str]:
    successor = InfoSystem.objects.select_for_update().select_related("department").get(pk=successor.pk)
    successor.resources.add(*resources)
    codes = "、".join(r.code for r in resources)
    version = new_version(
        successor,
        actor=actor,
        report=None,
        summary=f"承接“{case.system.name}”的目录资源 {codes}（{case.reference}）",
        changes=["产生的目录资源"],
    )
    successor.save(update_fields=["version", "updated_at"])
    record_event(
        subject=successor,
        action="systems_inventory.resources_repointed",
        actor=actor,
        from_state=successor.status,
        to_state=successor.status,
        comment=codes,
        ip=ip,
        data={"from": case.system_id, "case": case.pk, "version": version.number},
    )
    return [f"{r.code}“{r.name}”转由“{successor.name}”（{successor.reference}）承接" for r in resources]
