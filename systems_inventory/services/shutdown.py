"""The shutdown chain up to the data's disposal: a department asks to retire its system; the bureau dismisses a
suspicion or proposes shutdown or integration with a stamped 关停通知书; the department objects within the window
or accepts; the bureau decides the objection; with no objection the window's close moves the case on
(services.shutdown_deadlines). Each step: check, lock the case, transition, save, audit, task, notices.

Concurrency: every step locks the case's row first and re-reads its state, so of two people acting at once the
second waits and is refused as stale (MSG_CASE_WRONG_STATE).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
from pdf_templates.models import Record
from systems_inventory import rules
from systems_inventory.flows import ShutdownFlow
from systems_inventory.messages import (
    MSG_CASE_OPEN,
    MSG_KIND_INVALID,
    MSG_OBJECTION_WINDOW_CLOSED,
    MSG_REASON_REQUIRED,
    MSG_SUCCESSOR_INVALID,
    MSG_SUCCESSOR_REQUIRED,
    MSG_SYSTEM_NOT_RUNNING,
)
from systems_inventory.models import (
    OPEN_CASE_STATES,
    AttachmentPurpose,
    CaseOrigin,
    CaseState,
    DataStore,
    InfoSystem,
    Objection,
    ObjectionOutcome,
    ShutdownCase,
    ShutdownKind,
    StoreKind,
    SystemStatus,
)
from systems_inventory.services.common import SelfCheckError, check_text
from systems_inventory.services.shutdown_common import (
    DISPOSITION_KIND,
    OBJECTION_KIND,
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
from systems_inventory.services.shutdown_records import issue_notice
from workflows import deadlines, flowtasks
from workflows.audit import record_event


def _reason(value: str | None, model, field: str, form_field: str = "reason") -> str:
    text = (value or "").strip()
    if not text:
        raise SelfCheckError(MSG_REASON_REQUIRED, {form_field: [MSG_REASON_REQUIRED]})
    check_text(model, field, text, field=form_field)
    return text


def _lock_running(system: InfoSystem) -> InfoSystem:
    """The system's row, locked: in use, and with no open case (one at a time)."""
    system = InfoSystem.objects.select_for_update().select_related("department").get(pk=system.pk)
    if system.status != SystemStatus.IN_USE:
        raise SelfCheckError(MSG_SYSTEM_NOT_RUNNING.format(system=system.name))
    case = ShutdownCase.objects.filter(system=system, state__in=OPEN_CASE_STATES).first()
    if case is not None:
        raise SelfCheckError(MSG_CASE_OPEN.format(reference=case.reference))
    return system


# --- opening a case ------------------------------------------------------------------------------------


def case_request(*, actor, system: InfoSystem, reason: str, ip: str | None = None) -> ShutdownCase:
    """A department asks to retire its own system (申请停用): the bureau decides it as it decides a suspicion."""
    check_department(actor, ShutdownCase(system=system))
    reason = _reason(reason, ShutdownCase, "request_reason")
    with transaction.atomic():
        system = _lock_running(system)
        case = ShutdownCase.objects.create(
            system=system, origin=CaseOrigin.DEPARTMENT, request_reason=reason, requested_by=actor
        )
        record_event(
            subject=case,
            action="systems_inventory.case_requested",
            actor=actor,
            to_state=case.state,
            comment=reason,
            ip=ip,
        )
        tell(who.data_bureau(), case, f"{system.department.name}申请停用“{system.name}”，请研判。理由：{reason}")
    return case


def case_dismiss(*, actor, obj: ShutdownCase, reason: str, ip: str | None = None) -> ShutdownCase:
    """Not a zombie: the system stays in use, and the same evidence does not flag it again (services.scan)."""
    check_decider(actor, obj)
    reason = _reason(reason, ShutdownCase, "decision_reason")
    with transaction.atomic():
        case = lock_case(obj)
        if not rules.awaits_decision(case):
            raise wrong_state(case, "排除")
        case.dismiss()
        case.decision_reason, case.closed_by, case.closed_at = reason, actor, timezone.now()
        case.save(update_fields=["state", "decision_reason", "closed_by", "closed_at", "updated_at"])
        record_event(
            subject=case,
            action="systems_inventory.case_dismissed",
            actor=actor,
            from_state=CaseState.SUSPECTED,
            to_state=case.state,
            comment=reason,
            ip=ip,
            data={"assessment": case.assessment_id},
        )
        if case.origin == CaseOrigin.DEPARTMENT:
            tell_department(case, f"政数局未同意停用“{case.system.name}”，该系统继续使用。意见：{reason}")
    return case


def case_propose(
    *,
    actor,
    obj: ShutdownCase,
    kind: str,
    reason: str,
    successor: InfoSystem | None = None,
    ip: str | None = None,
) -> Record:
    """关停 or 整合: the 关停通知书 states the rules and the evidence; the department's objection window opens."""
    check_decider(actor, obj)
    reason = _reason(reason, ShutdownCase, "proposal_reason")
    with transaction.atomic():
        case = lock_case(obj)
        if not rules.awaits_decision(case):
            raise wrong_state(case, "发出关停通知")
        return _propose(case, actor=actor, kind=kind, reason=reason, successor=successor, ip=ip)


def system_propose(
    *,
    actor,
    system: InfoSystem,
    kind: str,
    reason: str,
    successor: InfoSystem | None = None,
    ip: str | None = None,
) -> Record:
    """The bureau proposes on its own (e.g. integrating duplicates): a case is opened and proposed at once."""
    check_decider(actor, ShutdownCase(system=system))
    reason = _reason(reason, ShutdownCase, "proposal_reason")
    with transaction.atomic():
        system = _lock_running(system)
        case = ShutdownCase.objects.create(system=system, origin=CaseOrigin.BUREAU)
        record_event(subject=case, action="systems_inventory.case_opened", actor=actor, to_state=case.state, ip=ip)
        return _propose(case, actor=actor, kind=kind, reason=reason, successor=successor, ip=ip)


def _check_successor(case: ShutdownCase, kind: str, successor: InfoSystem | None) -> InfoSystem | None:
    if kind not in ShutdownKind.values:
        raise SelfCheckError(MSG_KIND_INVALID, {"kind": [MSG_KIND_INVALID]})
    if kind == ShutdownKind.SHUTDOWN:
        return None
    if successor is None:
        raise SelfCheckError(MSG_SUCCESSOR_REQUIRED, {"successor": [MSG_SUCCESSOR_REQUIRED]})
    successor = InfoSystem.objects.select_related("department").get(pk=successor.pk)
    if successor.pk == case.system_id or successor.status != SystemStatus.IN_USE:
        raise SelfCheckError(MSG_SUCCESSOR_INVALID, {"successor": [MSG_SUCCESSOR_INVALID]})
    return successor


def _propose(case: ShutdownCase, *, actor, kind: str, reason: str, successor, ip: str | None) -> Record:
    case.successor = _check_successor(case, kind, successor)
    now = timezone.now()
    case.propose()
    case.kind, case.proposal_reason, case.proposed_by, case.proposed_at = kind, reason, actor, now
    case.objection_due_at = start_clock(
        case, kind=OBJECTION_KIND, title="关停异议期", start=now, workdays=settings.SYSTEM_OBJECTION_WORKDAYS
    )
    case.save(
        update_fields=[
            "state",
            "kind",
            "successor",
            "proposal_reason",
            "proposed_by",
            "proposed_at",
            "objection_due_at",
            "updated_at",
        ]
    )
    record_event(
        subject=case,
        action="systems_inventory.case_proposed",
        actor=actor,
        from_state=CaseState.SUSPECTED,
        to_state=case.state,
        comment=reason,
        ip=ip,
        data={"kind": kind, "successor": case.successor_id, "assessment": case.assessment_id},
    )
    flowtasks.start(ShutdownFlow, case)
    record = issue_notice(case, actor=actor)
    due = timezone.localtime(case.objection_due_at)
    tell_department(
        case,
        f"政数局发出{record.number}：拟{case.get_kind_display()}“{case.system.name}”。"
        f"如有异议，请于{due:%Y-%m-%d %H:%M}前在案件页面提出；无异议的，期满后进入数据处置。",
    )
    return record


# --- the department's answer and the bureau's decision on an objection ------------------------------------


def start_disposal(
    case: ShutdownCase, *, actor, action: str, comment: str, ip: str | None = None, said: str = ""
) -> None:
    """No objection, or the shutdown upheld: the department's clock for disposing of every data store starts, and
    the system's stores are listed (its database from the register, if none was yet)."""
    from_state = case.state
    case.start_disposal()
    deadlines.cancel_for(case, kind=OBJECTION_KIND)
    case.disposition_due_at = start_clock(
        case,
        kind=DISPOSITION_KIND,
        title="数据处置期限",
        start=timezone.now(),
        workdays=settings.SYSTEM_DISPOSITION_WORKDAYS,
    )
    case.save(update_fields=["state", "disposition_due_at", "updated_at"])
    system = case.system
    if not system.data_stores.exists():
        DataStore.objects.create(
            system=system,
            name=f"{system.database_kind or '业务'}数据库",
            kind=StoreKind.DATABASE,
            location=system.storage_location,
            volume=system.data_volume,
        )
    record_event(
        subject=case, action=action, actor=actor, from_state=from_state, to_state=case.state, comment=comment, ip=ip
    )
    due = timezone.localtime(case.disposition_due_at)
    tell_department(
        case,
        f"{said}“{system.name}”进入数据处置：请于{due:%Y-%m-%d %H:%M}前逐一登记各数据存储的归档或迁移情况（附证明材料），"
        "全部登记后提请政数局核验。数据处置完成并经核验前，系统不会关停。",
    )


def case_accept(*, actor, obj: ShutdownCase, ip: str | None = None) -> ShutdownCase:
    """The department has no objection: disposal starts now, without waiting for the window to close."""
    check_department(actor, obj)
    with transaction.atomic():
        case = lock_case(obj)
        if not rules.in_objection_window(case, timezone.now()):
            raise wrong_state(case, "确认无异议")
        task = task_to_work(actor, case, ShutdownFlow.reply)
        start_disposal(case, actor=actor, action="systems_inventory.case_accepted", comment="部门确认无异议", ip=ip)
        complete(task, actor=actor, case=case, ip=ip)
    return case


def case_object(
    *, actor, obj: ShutdownCase, reasons: str, attachments: Iterable[UploadedFile] = (), ip: str | None = None
) -> Objection:
    """The department objects, within the window, with its reasons and supporting files: the bureau decides."""
    check_department(actor, obj)
    reasons = _reason(reasons, Objection, "reasons", "reasons")
    attachments = list(attachments)
    check_attachments(attachments)
    with transaction.atomic():
        case = lock_case(obj)
        now = timezone.now()
        if rules.window_closed(case, now):
            due = timezone.localtime(case.objection_due_at)
            raise SelfCheckError(MSG_OBJECTION_WINDOW_CLOSED.format(due=f"{due:%Y-%m-%d %H:%M}"), stale=True)
        if not rules.in_objection_window(case, now):
            raise wrong_state(case, "提出异议")
        task = task_to_work(actor, case, ShutdownFlow.reply)
        objection = Objection.objects.create(case=case, reasons=reasons, filed_by=actor)
        store_attachments(case, attachments, actor=actor, purpose=AttachmentPurpose.OBJECTION, objection=objection)
        case.file_objection()
        deadlines.complete_for(case, kind=OBJECTION_KIND)
        case.save(update_fields=["state", "updated_at"])
        record_event(
            subject=case,
            action="systems_inventory.case_objected",
            actor=actor,
            from_state=CaseState.PROPOSED,
            to_state=case.state,
            comment=reasons,
            ip=ip,
            data={"objection": objection.pk, "attachments": len(attachments)},
        )
        complete(task, actor=actor, case=case, ip=ip)
        tell(
            who.data_bureau(), case, f"{case.system.department.name}对“{case.system.name}”的关停通知提出异议，请决定。"
        )
    return objection


def objection_decide(*, actor, obj: ShutdownCase, withdraw: bool, reason: str, ip: str | None = None) -> ShutdownCase:
    """The bureau's decision on the objection, with its reasons: withdraw the shutdown (the system stays in use, and
    the same evidence does not flag it again) or uphold it (disposal starts)."""
    check_decider(actor, obj)
    reason = _reason(reason, Objection, "decision_reason")
    with transaction.atomic():
        case = lock_case(obj)
        if not rules.awaits_objection_decision(case):
            raise wrong_state(case, "决定异议")
        task = task_to_work(actor, case, ShutdownFlow.decide_objection)
        objection = case.objections.select_for_update().get(outcome=ObjectionOutcome.OPEN)
        objection.outcome = ObjectionOutcome.WITHDRAWN if withdraw else ObjectionOutcome.UPHELD
        objection.decided_by, objection.decided_at, objection.decision_reason = actor, timezone.now(), reason
        objection.save(update_fields=["outcome", "decided_by", "decided_at", "decision_reason"])
        if withdraw:
            _withdraw(case, actor=actor, reason=reason, ip=ip)
        else:
            start_disposal(
                case,
                actor=actor,
                action="systems_inventory.shutdown_upheld",
                comment=reason,
                ip=ip,
                said=f"政数局决定维持关停，理由：{reason}。",
            )
        complete(task, actor=actor, case=case, ip=ip)
    return case


def _withdraw(case: ShutdownCase, *, actor, reason: str, ip: str | None) -> None:
    case.withdraw()
    case.decision_reason, case.closed_by, case.closed_at = reason, actor, timezone.now()
    case.save(update_fields=["state", "decision_reason", "closed_by", "closed_at", "updated_at"])
    record_event(
        subject=case,
        action="systems_inventory.shutdown_withdrawn",
        actor=actor,
        from_state=CaseState.OBJECTION,
        to_state=case.state,
        comment=reason,
        ip=ip,
    )
    tell_department(case, f"政数局采纳了异议，撤回对“{case.system.name}”的关停，系统继续使用。理由：{reason}")
