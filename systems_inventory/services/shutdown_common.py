"""What every step of the shutdown chain shares: who may act, the case's row lock, its tasks, its clocks, its
attachments and its notices."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from viewflow.workflow.models import Task

from notifications.services import notify
from requests.services.validation import sniff_content_type
from systems_inventory import permissions
from systems_inventory.flows import ShutdownFlow
from systems_inventory.messages import (
    MSG_ATTACHMENT_BAD_TYPE,
    MSG_ATTACHMENT_TOO_LARGE,
    MSG_CASE_WRONG_STATE,
    MSG_NOT_OWNING_DEPARTMENT,
    MSG_NOT_PERMITTED,
    MSG_SELF_SHUTDOWN_DECISION,
    MSG_SHUTDOWN_BUREAU_ONLY,
    MSG_TASK_NOT_YOURS,
)
from systems_inventory.models import ShutdownAttachment, ShutdownCase
from systems_inventory.services.common import SelfCheckError, staff_of
from workflows import deadlines, flowtasks

OBJECTION_KIND = "system_objection_window"
DISPOSITION_KIND = "system_disposition"
EVENT = "system_shutdown"


def check_decider(actor, case: ShutdownCase) -> None:
    """The bureau decides, but not on its own department's system."""
    if not permissions.decides_shutdown(actor):
        raise SelfCheckError(MSG_SHUTDOWN_BUREAU_ONLY)
    if not permissions.decides_case(actor, case):
        raise SelfCheckError(MSG_SELF_SHUTDOWN_DECISION)


def check_department(actor, case: ShutdownCase) -> None:
    """The system's own department answers: its staff who may."""
    if not permissions.answers_for(actor, case.system):
        raise SelfCheckError(MSG_NOT_OWNING_DEPARTMENT)


def wrong_state(case: ShutdownCase, action: str) -> SelfCheckError:
    return SelfCheckError(MSG_CASE_WRONG_STATE.format(state=case.get_state_display(), action=action), stale=True)


def lock_case(case: ShutdownCase) -> ShutdownCase:
    """The case's row, locked until commit, with its system, department and successor (read, not locked)."""
    return (
        ShutdownCase.objects.select_for_update(of=("self",))
        .select_related("system__department", "successor__department", "assessment")
        .get(pk=case.pk)
    )


def open_task(case: ShutdownCase, node=None) -> Task | None:
    return flowtasks.open_task(ShutdownFlow, case, node)


def task_to_work(actor, case: ShutdownCase, node) -> Task:
    """`node`'s open task on the (locked) case, which `actor` may work (its owner, their substitute, or anyone
    who may take it while nobody has)."""
    task = open_task(case, node)
    if task is None:
        raise wrong_state(case, node.task_title)
    if task.owner_id:
        if not node.can_execute(actor, task):
            raise SelfCheckError(MSG_TASK_NOT_YOURS.format(owner=task.owner))
    elif not node.can_assign(actor, task, subject=case):
        raise SelfCheckError(MSG_NOT_PERMITTED)
    return task


def complete(task: Task, *, actor, case: ShutdownCase, ip: str | None = None) -> None:
    """Finish the human task (for `actor`, or the system's own when None); the flow routes on the new state."""
    flowtasks.complete_recorded(task, subject=case, actor=actor, ip=ip)


def start_clock(case: ShutdownCase, *, kind: str, title: str, start: dt.datetime, workdays: int) -> dt.datetime:
    """The department's time for its step, with a reminder before it; what its end does is the kind's action."""
    expiry = (
        "systems_inventory.close_objection_window"
        if kind == OBJECTION_KIND
        else "systems_inventory.disposition_overdue"
    )
    deadline = deadlines.register(
        subject=case,
        kind=kind,
        title=title,
        start=start,
        workdays=workdays,
        remind_before=deadlines.remind_lead(settings.SYSTEM_REMIND_BEFORE_WORKDAYS, workdays),
        on_remind="systems_inventory.remind_case",
        on_expiry=expiry,
    )
    return deadline.due_at


def case_link(case: ShutdownCase) -> str:
    return reverse("systems_inventory:case_detail", args=[case.pk])


def tell(recipients: Iterable, case: ShutdownCase, message: str) -> None:
    notify(recipients=recipients, event=EVENT, subject=case, context={"message": message, "link": case_link(case)})


def tell_department(case: ShutdownCase, message: str) -> None:
    tell(staff_of(case.system.department), case, message)


def check_attachments(uploads: Iterable[UploadedFile]) -> None:
    """Each file a PDF, PNG or JPEG by its content, at most SYSTEM_ATTACHMENT_MAX_BYTES: before anything is written."""
    limit = settings.SYSTEM_ATTACHMENT_MAX_BYTES
    for upload in uploads:
        if (upload.size or 0) > limit:
            message = MSG_ATTACHMENT_TOO_LARGE.format(name=upload.name, limit=f"{limit // 1024 // 1024} MB")
            raise SelfCheckError(message, {"attachments": [message]})
        upload.seek(0)
        if sniff_content_type(upload.read(16)) is None:
            message = MSG_ATTACHMENT_BAD_TYPE.format(name=upload.name)
            raise SelfCheckError(message, {"attachments": [message]})


def store_attachments(
    case: ShutdownCase, uploads: Iterable[UploadedFile], *, actor, purpose: str, **link
) -> list[ShutdownAttachment]:
    """Keep each (checked) file with its SHA-256."""
    stored = []
    for upload in uploads:
        upload.seek(0)
        content_type = sniff_content_type(upload.read(16)) or ""
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        stored.append(
            ShutdownAttachment.objects.create(
                case=case,
                purpose=purpose,
                file=upload,
                original_name=(upload.name or "")[:200],
                content_type=content_type,
                size=upload.size or 0,
                sha256=digest.hexdigest(),
                uploaded_by=actor,
                **link,
            )
        )
    return stored
