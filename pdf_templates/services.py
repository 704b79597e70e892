"""Issuing and rendering records. Other apps call issue_record() inside their decision's transaction."""

from __future__ import annotations

import base64
import json
import logging
import secrets
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from organizations.models import Department
from pdf_templates.models import Record, RecordType, format_number
from pdf_templates.numbering import take_next_number
from pdf_templates.record_events import ISSUED, RENDERED, issued_data, rendered_data
from workflows.audit import record_event
from workflows.hashing import canonical_json, sha256_hex

logger = logging.getLogger(__name__)

UNKNOWN_TYPE = "未知的文书类型：{type}。"
ISSUER_REQUIRED = "文书必须有发文机关。"
ISSUER_INCOMPLETE = "发文机关“{issuer}”缺少简称或印章文字，无法编制文号和印章。"
DATA_NOT_OBJECT = "文书数据必须是 JSON 对象（dict）。"
SUPERSEDES_OTHER_SUBJECT = "更正文书必须与原文书针对同一对象。"
SUPERSEDES_ALREADY = "原文书{number}已被更正，请更正最新的文书。"


class RecordError(Exception):
    """A record cannot be issued as asked."""


def subject_departments(subject: models.Model) -> list[Department]:
    """Departments that may open records about `subject` (besides the issuer).

    A subject model may define record_departments(); a Department subject is its own.
    """
    if isinstance(subject, Department):
        return [subject]
    hook = getattr(subject, "record_departments", None)
    return [d for d in (hook() if callable(hook) else []) if d is not None]


def addressee_department(addressee: str | Department | None) -> Department | None:
    """The department a record is addressed to (主送机关): given, or named exactly by the addressee text."""
    if isinstance(addressee, Department):
        return addressee
    if not addressee:
        return None
    return Department.objects.filter(name=addressee.strip()).first()


def _new_verification_code() -> str:
    # 80 random bits in base32: unguessable, and readable aloud over the phone.
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def issue_record(
    *,
    type: str,
    subject: models.Model,
    issuer: Department,
    data: dict[str, Any],
    actor,
    title: str | None = None,
    addressee: str | Department | None = None,
    supersedes: Record | None = None,
) -> Record:
    """Write the record and its gapless number in the caller's transaction; render after commit.

    `addressee` (主送机关) is a Department or its name; the addressee department may open the
    record, as the subject's departments may (e.g. 财政局 its 资金闸口核验单).
    `data` is what the document states (see pdf_templates/README in the module
    docstring of rendering templates: body, facts and per-type keys). It is
    snapshotted as canonical JSON together with the header, and hashed.
    """
    if type not in RecordType.values:
        raise RecordError(UNKNOWN_TYPE.format(type=type))
    if issuer is None:
        raise RecordError(ISSUER_REQUIRED)
    if not issuer.short_name or not issuer.seal_text:
        raise RecordError(ISSUER_INCOMPLETE.format(issuer=issuer))
    if not isinstance(data, dict):
        raise RecordError(DATA_NOT_OBJECT)
    addressed_to = addressee_department(addressee)
    if isinstance(addressee, Department):
        addressee = addressee.name
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    # A savepoint only where a RecordError can be raised after a read inside (the supersedes checks), so a
    # caller may catch it and carry on; otherwise a failure here fails the caller's whole transaction anyway.
    with transaction.atomic(savepoint=supersedes is not None):
        if supersedes is not None:
            supersedes = Record.objects.select_for_update().get(pk=supersedes.pk)
            if (supersedes.subject_type_id, supersedes.subject_id) != (subject_type.pk, str(subject.pk)):
                raise RecordError(SUPERSEDES_OTHER_SUBJECT)
            if supersedes.superseded_by.exists():
                raise RecordError(SUPERSEDES_ALREADY.format(number=supersedes.number))
        issued_at = timezone.now()
        year = timezone.localtime(issued_at).year
        sequence = take_next_number(issuer=issuer, type=type, year=year)
        number = format_number(issuer.short_name, Record(type=type).type_code, year, sequence)
        title = title or RecordType(type).label
        content = {
            "type": type,
            "type_label": RecordType(type).label,
            "number": number,
            # The seal text too: the header and seal print what was issued, and the hash covers it.
            "issuer": {"code": issuer.code, "name": issuer.name, "seal_text": issuer.seal_text},
            "subject": {
                "type": f"{subject_type.app_label}.{subject_type.model}",
                "id": str(subject.pk),
                "label": str(subject),
            },
            "title": title,
            "addressee": addressee or "",
            "issued_at": issued_at.isoformat(),
            "issued_by": getattr(actor, "username", None),
            "supersedes": supersedes.number if supersedes else None,
            # Round-trip so the stored data is exactly what was hashed (dates become strings).
            "data": json.loads(canonical_json(data)),
        }
        snapshot = canonical_json(content)
        record = Record.objects.create(
            type=type,
            issuer=issuer,
            subject_type=subject_type,
            subject_id=str(subject.pk),
            year=year,
            sequence=sequence,
            number=number,
            title=title,
            addressee=addressee or "",
            snapshot=snapshot,
            data_sha256=sha256_hex(snapshot),
            verification_code=_new_verification_code(),
            issued_at=issued_at,
            issued_by=actor,
            supersedes=supersedes,
        )
        # A new record: add, not set (no read). The issuer sees its own records anyway.
        record.departments.add(*subject_departments(subject), *([addressed_to] if addressed_to else []))
        record_event(
            subject=subject,
            action=ISSUED,
            actor=actor,
            to_state=type,
            comment=f"签发{number}《{title}》，数据哈希 {record.data_sha256}",
            data=issued_data(number, record.data_sha256),
        )
        transaction.on_commit(lambda: _enqueue_render(record.pk))
    return record


def rendered_comment(record: Record) -> str:
    """What the records.rendered event says to people; programs read its data (rendered_data)."""
    return f"生成{record.number}《{record.title}》PDF，文件哈希 {record.pdf_sha256}"


def _enqueue_render(record_id: int) -> None:
    """A broker outage must not fail the committed decision: the beat sweep renders it later."""
    from pdf_templates.tasks import render_record_task

    try:
        render_record_task.delay(record_id)
    except Exception:
        logger.exception("Could not queue rendering of record %s; render_pending_records will pick it up.", record_id)


def pdf_storage_name(record: Record) -> str:
    """One fixed name per record, so a retried render overwrites instead of adding a file."""
    return f"records/{record.year}/{record.pk}-{record.verification_code}.pdf"


def render_record(*, record_id: int) -> Record:
    """Render, sign and store the PDF of a record. Idempotent: a rendered record is left alone."""
    return render_record_once(record_id=record_id)[0]


def render_record_once(*, record_id: int) -> tuple[Record, bool]:
    """render_record, saying whether this call rendered it (True) or found it rendered already (False),
    for instance by another worker between a sweep's listing and its turn: a sweep counts only its own."""
    from pdf_templates.rendering import render_record_pdf

    try:
        with transaction.atomic():
            # The row lock keeps two workers from rendering the same record at once.
            record = (
                Record.objects.select_for_update(of=("self",)).select_related("issuer", "supersedes").get(pk=record_id)
            )
            if record.is_rendered:
                return record, False
            rendered = render_record_pdf(record)
            name = pdf_storage_name(record)
            if default_storage.exists(name):
                # Left by an attempt whose transaction did not commit.
                default_storage.delete(name)
            stored = default_storage.save(name, ContentFile(rendered.content))
            record.pdf.name = stored
            record.pdf_sha256 = sha256_hex(rendered.content)
            record.signature_status = (
                Record.SignatureStatus.SIGNED if rendered.signed else Record.SignatureStatus.UNSIGNED
            )
            record.signature_field = rendered.signature_field
            record.render_status = Record.RenderStatus.RENDERED
            record.rendered_at = timezone.now()
            record.render_attempts += 1
            record.last_error = ""
            record.save(
                update_fields=[
                    "pdf",
                    "pdf_sha256",
                    "signature_status",
                    "signature_field",
                    "render_status",
                    "rendered_at",
                    "render_attempts",
                    "last_error",
                ]
            )
            # In the PDF's transaction, once (a rendered record returns above): the chain now vouches
            # for the file, so a trail's PDF can be checked offline against this event.
            record_event(
                subject=record,
                action=RENDERED,
                comment=rendered_comment(record),
                data=rendered_data(record.number, record.pdf_sha256),
            )
            return record, True
    except Exception as exc:
        _note_render_failure(record_id, exc)
        raise


def _note_render_failure(record_id: int, exc: Exception) -> None:
    with transaction.atomic():
        record = Record.objects.select_for_update().filter(pk=record_id).first()
        if record is None or record.is_rendered:
            return
        record.render_attempts += 1
        record.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        record.save(update_fields=["render_attempts", "last_error"])


def pending_record_ids() -> list[int]:
    return list(
        Record.objects.filter(render_status=Record.RenderStatus.PENDING).order_by("id").values_list("pk", flat=True)
    )
