"""Auditor trail ZIP: every PDF, the audit events (CSV and JSON) and a manifest of SHA-256 hashes.

The archive is produced as a stream of chunks: zipfile writes into a sink
that the generator drains after each piece, so memory stays flat however
many records the trail holds.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from pdf_templates.models import Record
from pdf_templates.record_events import ISSUED, stated_record
from pdf_templates.selectors import records_visible_to, sees_subject, subject_of
from pdf_templates.trail.format import CHUNK, EVENT_FIELDS, TRAIL_FORMAT, csv_row, event_row
from workflows.models import AuditEvent
from workflows.spreadsheets import csv_dict_writer


class _Sink:
    """A write-only, non-seekable file for zipfile; drain() hands over what was written."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def record_file_stem(record: Record) -> str:
    return f"records/{record.pk:07d}_{record.number}"


def _of_subjects(records: QuerySet[Record]) -> Q:
    """Rows whose subject is the subject of one of `records`."""
    condition = Q(pk__in=[])
    for subject_type_id in records.order_by().values_list("subject_type", flat=True).distinct():
        condition |= Q(
            subject_type_id=subject_type_id,
            subject_id__in=records.filter(subject_type_id=subject_type_id).order_by().values("subject_id"),
        )
    return condition


def trail_events(records: QuerySet[Record]) -> QuerySet[AuditEvent]:
    """Events about the subjects of `records` and about the records themselves, in chain order."""
    condition = _of_subjects(records) | Q(
        subject_type=ContentType.objects.get_for_model(Record),
        subject_id__in=records.order_by().annotate(key=Cast("pk", CharField())).values("key"),
    )
    return AuditEvent.objects.filter(condition).select_related("subject_type", "actor").order_by("id")


def events_visible_to(user, records: QuerySet[Record]) -> Callable[[AuditEvent], bool]:
    """Which of trail_events(records) `user` may read: an event about a record only if they may open that
    record, and the subjects' other events only where they may open the subject (sees_subject).

    `records` are among those the user may open. A records.issued event is about the subject and names its
    record by number: another record's (the 初审意见书 beside finance's 资金闸口核验单) stays out.
    """
    if user is None:
        return lambda event: True
    hidden = set(
        Record.objects.filter(_of_subjects(records))
        .exclude(pk__in=records_visible_to(user).values("pk"))
        .values_list("number", flat=True)
    )
    subjects = records.order_by().values_list("subject_type_id", "subject_id").distinct()
    open_subjects = {key for key in subjects if sees_subject(user, subject_of(*key))}
    record_type_id = ContentType.objects.get_for_model(Record).pk

    def visible(event: AuditEvent) -> bool:
        if event.subject_type_id == record_type_id:
            return True  # trail_events holds these only for `records`
        if (stated := stated_record(event.action, event.data, event.comment)) and stated.kind == ISSUED:
            return stated.number not in hidden
        return (event.subject_type_id, event.subject_id) in open_subjects

    return visible


def stream_trail_zip(
    records: QuerySet[Record], *, description: dict, events: QuerySet[AuditEvent] | None = None, user=None
) -> Iterator[bytes]:
    """Yield the ZIP in chunks. `description` (who, which filter) goes into the manifest.

    `events`: the audit events to include; by default those of the records and their subjects that `user`
    may read (events_visible_to; all of them without a user).
    """
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    files: list[dict] = []
    entries: list[dict] = []

    def add(name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
        digest, size = hashlib.sha256(), 0
        with archive.open(name, mode="w", force_zip64=True) as dest:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                dest.write(chunk)
                yield sink.drain()
        yield sink.drain()
        files.append({"name": name, "sha256": digest.hexdigest(), "size": size})

    ordered = records.select_related("issuer", "supersedes").order_by("id")
    for record in ordered.iterator(chunk_size=200):
        stem = record_file_stem(record)
        entry = {
            "number": record.number,
            "type": record.type,
            "title": record.title,
            "issuer": record.issuer.name,
            "issued_at": record.issued_at.astimezone(UTC).isoformat(),
            "verification_code": record.verification_code,
            "data_sha256": record.data_sha256,
            "snapshot": f"{stem}.json",
            "supersedes": record.supersedes.number if record.supersedes else None,
            "render_status": record.render_status,
            "signature_status": record.signature_status,
            "pdf": None,
            "pdf_sha256": record.pdf_sha256 or None,
        }
        yield from add(f"{stem}.json", [record.snapshot.encode("utf-8")])
        if record.is_rendered and record.pdf:
            entry["pdf"] = f"{stem}.pdf"
            yield from add(entry["pdf"], _read_file(record))
        entries.append(entry)

    if events is None:
        events, visible = trail_events(records), events_visible_to(user, records)
    else:
        events, visible = events.select_related("subject_type", "actor").order_by("id"), lambda event: True
    yield from add("events.csv", _events_csv(events, visible))
    yield from add("events.json", _events_json(events, visible))
    manifest = {
        "format": TRAIL_FORMAT,
        "generated_at": timezone.now().astimezone(UTC).isoformat(),
        **description,
        "records": entries,
        "files": files,
    }
    yield from add("manifest.json", [json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")])
    archive.close()
    yield sink.drain()


def _read_file(record: Record) -> Iterator[bytes]:
    with record.pdf.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _events_csv(events: QuerySet[AuditEvent], visible: Callable[[AuditEvent], bool]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv_dict_writer(buffer, EVENT_FIELDS)  # a comment "=HYPERLINK(…)" stays text in Excel
    # A BOM so Excel opens the Chinese text as UTF-8.
    buffer.write("\ufeff")
    writer.writeheader()
    for event in filter(visible, events.iterator(chunk_size=1000)):
        writer.writerow(csv_row(event_row(event)))
        if buffer.tell() > CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _events_json(events: QuerySet[AuditEvent], visible: Callable[[AuditEvent], bool]) -> Iterator[bytes]:
    yield b"["
    first = True
    for event in filter(visible, events.iterator(chunk_size=1000)):
        yield (b"" if first else b",") + b"\n" + json.dumps(event_row(event), ensure_ascii=False).encode("utf-8")
        first = False
    yield b"\n]\n"
