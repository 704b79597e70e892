"""Auditor trail ZIP: every PDF, the audit events (CSV and JSON) and a manifest of SHA-256 hashes.

The archive is produced as a stream of chunks: zipfile writes into a sink
that the generator drains after each piece, so memory stays flat however
many records the trail holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from pdf_templates.models import Record
from pdf_templates.selectors import records_visible_to, sees_all_records, sees_subject
from pdf_templates.verification import claimed_code, claimed_data_hash
from workflows.audit import event_payload
from workflows.hashing import chain_hash, sha256_hex
from workflows.models import AuditEvent

CHUNK = 64 * 1024
# 3: each rendered record's record_rendered event, stating its PDF's hash, is in the trail.
TRAIL_FORMAT = "govshare-trail/3"
TRAIL_FORMATS = ("govshare-trail/1", "govshare-trail/2", TRAIL_FORMAT)  # what verify_trail reads
EVENT_FIELDS = [
    "id",
    "created_at",
    "actor",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "from_state",
    "to_state",
    "comment",
    "ip",
    "prev_hash",
    "hash",
]


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

    `records` are among those the user may open. A record_issued event is about the subject and names its
    record by number: another record's (the 初审意见书 beside finance's 资金闸口核验单) stays out.
    """
    if user is None or sees_all_records(user):
        return lambda event: True
    hidden = set(
        Record.objects.filter(_of_subjects(records))
        .exclude(pk__in=records_visible_to(user).values("pk"))
        .values_list("number", flat=True)
    )
    subjects = records.order_by().values_list("subject_type_id", "subject_id").distinct()
    open_subjects = {key for key in subjects if sees_subject(user, _subject_of(*key))}
    record_type_id = ContentType.objects.get_for_model(Record).pk

    def visible(event: AuditEvent) -> bool:
        if event.subject_type_id == record_type_id:
            return True  # trail_events holds these only for `records`
        if event.action == "record_issued" and (match := _ISSUED_RE.fullmatch(event.comment)):
            return match["number"] not in hidden
        return (event.subject_type_id, event.subject_id) in open_subjects

    return visible


def _subject_of(subject_type_id: int, subject_id: str):
    model = ContentType.objects.get_for_id(subject_type_id).model_class()
    return model._default_manager.filter(pk=subject_id).first() if model else None


def _event_row(event: AuditEvent) -> dict:
    payload = event_payload(event)
    return {
        "id": event.pk,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "actor": event.actor.username if event.actor else "",
        "actor_id": event.actor_id,  # what the hash covers (workflows.audit.event_payload)
        "action": event.action,
        "subject_type": payload["subject_type"],
        "subject_id": event.subject_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "comment": event.comment,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


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
    writer = csv.DictWriter(buffer, fieldnames=EVENT_FIELDS)
    # A BOM so Excel opens the Chinese text as UTF-8.
    buffer.write("\ufeff")
    writer.writeheader()
    for event in filter(visible, events.iterator(chunk_size=1000)):
        writer.writerow(_event_row(event))
        if buffer.tell() > CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _events_json(events: QuerySet[AuditEvent], visible: Callable[[AuditEvent], bool]) -> Iterator[bytes]:
    yield b"["
    first = True
    for event in filter(visible, events.iterator(chunk_size=1000)):
        yield (b"" if first else b",") + b"\n" + json.dumps(_event_row(event), ensure_ascii=False).encode("utf-8")
        first = False
    yield b"\n]\n"


@dataclass
class TrailReport:
    checked_files: int = 0
    checked_records: int = 0
    signed: int = 0
    checked_events: int = 0
    online: bool = False
    pending: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def verify_trail(path: str | Path, *, online: bool = False) -> TrailReport:
    """Check a trail ZIP: offline, its files, records, signatures and audit events agree with each other;
    with `online`, also with this govshare's database (see README, Records)."""
    report = TrailReport(online=online)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        report.failures.append(f"无法打开 ZIP：{exc}")
        return report
    with archive:
        try:
            _verify_archive(archive, report)
        except zipfile.BadZipFile as exc:  # a member's data damaged, e.g. its CRC
            report.failures.append(f"压缩包已损坏：{exc}")
    return report


# What verify_trail reads from the manifest's records and the events, and of which JSON types.
_TEXT, _OPTIONAL_TEXT = (str,), (str, type(None))
_FILE_FIELDS = {"name": _TEXT, "sha256": _TEXT}
_RECORD_FIELDS = {
    "number": _TEXT,
    "verification_code": _TEXT,
    "data_sha256": _TEXT,
    "snapshot": _TEXT,
    "pdf": _OPTIONAL_TEXT,
    "pdf_sha256": _OPTIONAL_TEXT,
}
_EVENT_TYPES = {
    "id": (int,),
    "created_at": _TEXT,
    "actor": _TEXT,
    "actor_id": (int, type(None)),
    "action": _TEXT,
    "subject_type": _TEXT,
    "subject_id": (str, int),
    "from_state": _TEXT,
    "to_state": _TEXT,
    "comment": _TEXT,
    "ip": _OPTIONAL_TEXT,
    "prev_hash": _TEXT,
    "hash": _TEXT,
}


def _read_json(archive: zipfile.ZipFile, name: str, report: TrailReport):
    try:
        return json.loads(archive.read(name))
    except (ValueError, UnicodeDecodeError):
        report.failures.append(f"{name}：不是有效的 JSON（文件被修改）")
        return None


def _malformed(items, fields: dict[str, tuple], what: str) -> str | None:
    """Why `items` is not a list of objects with `fields` of those types, or None."""
    if not isinstance(items, list):
        return f"{what}应为列表（文件被修改）"
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict):
            return f"{what}第 {index} 条不是对象（文件被修改）"
        for name, types in fields.items():
            if name not in item:
                return f"{what}第 {index} 条缺少字段 {name}（文件被修改）"
            # JSON true/false are Python bools, which are ints too.
            if isinstance(item[name], bool) or not isinstance(item[name], types):
                return (
                    f"{what}第 {index} 条的 {name} 类型不对：{json.dumps(item[name], ensure_ascii=False)}（文件被修改）"
                )
    return None


def _verify_archive(archive: zipfile.ZipFile, report: TrailReport) -> None:
    names = set(archive.namelist())
    if "manifest.json" not in names:
        report.failures.append("缺少 manifest.json")
        return
    manifest = _read_json(archive, "manifest.json", report)
    if manifest is None:
        return
    problem = (
        ("manifest.json：应为对象（文件被修改）" if not isinstance(manifest, dict) else None)
        or _malformed(manifest.get("files", []), _FILE_FIELDS, "manifest.json：文件清单")
        or _malformed(manifest.get("records", []), _RECORD_FIELDS, "manifest.json：文书清单")
    )
    if problem:
        report.failures.append(problem)
        return
    if manifest.get("format") not in TRAIL_FORMATS:
        report.failures.append(f"manifest.json：未知的轨迹格式 {manifest.get('format')!r}（文件被修改）")
        return
    _verify_files(archive, names, manifest, report)
    if "events.json" not in names:
        report.failures.append("缺少 events.json：轨迹必须带有审计事件")
        return
    rows = _read_json(archive, "events.json", report)
    if rows is None:
        return
    old_format = manifest.get("format") == "govshare-trail/1"
    fields = {name: types for name, types in _EVENT_TYPES.items() if not (old_format and name == "actor_id")}
    if problem := _malformed(rows, fields, "events.json：审计事件"):
        report.failures.append(problem)
        return
    _verify_records(archive, names, manifest, rows, report)
    if old_format:
        # Format 1 events lack actor_id, so their hashes cannot be recomputed.
        report.notes.append("旧格式轨迹（govshare-trail/1）的审计事件缺少操作人编号，未核验事件哈希。")
    else:
        _verify_events(rows, report)
    if "events.csv" in names:
        _compare_events_csv(archive.read("events.csv"), rows, report)
    else:
        report.failures.append("缺少 events.csv")
    if report.online:
        from pdf_templates.trail_online import verify_against_database

        verify_against_database(manifest, rows, report)


def _verify_files(archive: zipfile.ZipFile, names: set[str], manifest: dict, report: TrailReport) -> None:
    listed = {item["name"]: item for item in manifest.get("files", [])}
    for name in sorted(names - set(listed) - {"manifest.json"}):
        report.failures.append(f"{name}：不在清单中（被加入的文件）")
    for name, item in listed.items():
        if name not in names:
            report.failures.append(f"{name}：清单中有、压缩包中缺失")
            continue
        digest = hashlib.sha256()
        with archive.open(name) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        report.checked_files += 1
        if digest.hexdigest() != item["sha256"]:
            report.failures.append(f"{name}：SHA-256 与清单不符（文件被修改）")


def _verify_records(
    archive: zipfile.ZipFile, names: set[str], manifest: dict, rows: list[dict], report: TrailReport
) -> None:
    """Each record against its snapshot, its PDF and its 签发 event, which every record must have in the trail:
    the manifest and the snapshot can be rewritten together, the hash-chained event cannot."""
    from pdf_templates.signing import check_signatures

    issued_hashes = _stated_hashes(rows, "record_issued", _ISSUED_RE)
    rendered_hashes = _stated_hashes(rows, "record_rendered", _RENDERED_RE)
    # Trails made before PDFs had their event cannot show offline that a PDF is the one rendered. One that
    # carries a PDF's event anyway is checked against it, whatever format its manifest claims.
    old_format = manifest.get("format") in ("govshare-trail/1", "govshare-trail/2")
    for entry in manifest.get("records", []):
        report.checked_records += 1
        number = entry["number"]
        snapshot_name = entry.get("snapshot")
        data_hash = sha256_hex(archive.read(snapshot_name)) if snapshot_name in names else None
        if data_hash is not None and data_hash != entry["data_sha256"]:
            report.failures.append(f"{number}：数据快照与数据哈希不符")
        if number not in issued_hashes:
            report.failures.append(f"{number}：轨迹中没有该文书的签发事件（事件被删除）")
        elif data_hash is not None and issued_hashes[number] != data_hash:
            report.failures.append(f"{number}：数据快照与签发事件记载的数据哈希不符（快照被修改）")
        pdf_name = entry.get("pdf")
        if not pdf_name:
            report.pending.append(number)
            continue
        if pdf_name not in names:
            continue  # already reported as missing
        pdf = archive.read(pdf_name)
        if sha256_hex(pdf) != entry["pdf_sha256"]:
            report.failures.append(f"{number}：PDF 与签发时的哈希不符（文件被修改）")
        if old_format and number not in rendered_hashes:
            report.notes.append(
                f"{number}：旧格式轨迹不含 PDF 生成事件，PDF 未经审计事件核验（请用 --online 或电子签名核验）。"
            )
        elif number not in rendered_hashes:
            report.failures.append(f"{number}：轨迹中没有该文书的 PDF 生成事件（事件被删除）")
        elif rendered_hashes[number] != sha256_hex(pdf):
            report.failures.append(f"{number}：PDF 与生成事件记载的文件哈希不符（PDF 被修改）")
        if (code := claimed_code(pdf)) != entry["verification_code"]:
            report.failures.append(f"{number}：PDF 是另一件文书（核验码 {code or '无'}），不是本条目的文书")
        elif data_hash is not None and claimed_data_hash(pdf) != data_hash:
            report.failures.append(f"{number}：数据快照与 PDF 所载的数据哈希不符（快照被修改）")
        if entry.get("signature_status") == "signed":
            signature = check_signatures(pdf)
            if not signature.present or not signature.valid:
                report.failures.append(f"{number}：{signature.label}")
            else:
                report.signed += 1


# The comments of pdf_templates.services.issue_record's record_issued event and of render_record's
# record_rendered event (services.rendered_comment; migration 0003 adds a note after the hash).
_ISSUED_RE = re.compile(r"签发(?P<number>.+?)《.*》，数据哈希 (?P<hash>[0-9a-f]{64})", re.S)
_RENDERED_RE = re.compile(r"生成(?P<number>.+?)《.*》PDF，文件哈希 (?P<hash>[0-9a-f]{64})(（.*）)?", re.S)


def _stated_hashes(rows: list[dict], action: str, pattern: re.Pattern[str]) -> dict[str, str]:
    """Record number → the hash its `action` event states."""
    stated = {}
    for row in rows:
        if row["action"] == action and (match := pattern.fullmatch(row["comment"])):
            stated[match["number"]] = match["hash"]
    return stated


def _compare_events_csv(content: bytes, rows: list[dict], report: TrailReport) -> None:
    """events.csv (what auditors open in Excel) must say what events.json, whose hashes are checked, says."""
    try:
        csv_rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        report.failures.append("events.csv：无法读取（文件被修改）")
        return
    if len(csv_rows) != len(rows):
        report.failures.append(f"events.csv：有 {len(csv_rows)} 条事件，events.json 有 {len(rows)} 条（文件被修改）")
        return
    for csv_row, row in zip(csv_rows, rows, strict=True):
        fields = [name for name in EVENT_FIELDS if name in row]  # a format-1 trail's rows lack actor_id
        if any(csv_row.get(name) != ("" if row[name] is None else str(row[name])) for name in fields):
            report.failures.append(f"events.csv：审计事件 #{row.get('id')} 与 events.json 不符（文件被修改）")


def _verify_events(rows: list[dict], report: TrailReport) -> None:
    """Each event's hash covers its content; events next to each other in the chain link up.

    An event edited without recomputing its hash is caught here, offline, and so is one removed from
    between two events that were consecutive in the chain. What a forger recomputes consistently
    (an event's hash, or an event removed from a gap) only the database shows: `verify_trail --online`.
    """
    previous = None
    for row in rows:
        payload = {
            "actor": row["actor_id"],
            "action": row["action"],
            "subject_type": row["subject_type"],
            "subject_id": str(row["subject_id"]),
            "from_state": row["from_state"],
            "to_state": row["to_state"],
            "comment": row["comment"],
            "ip": row["ip"],
            "created_at": row["created_at"],
        }
        report.checked_events += 1
        if previous and row["id"] <= previous["id"]:
            report.failures.append(f"审计事件 #{row['id']}：排在 #{previous['id']} 之后，顺序错乱或重复（文件被修改）")
        if chain_hash(row["prev_hash"], payload) != row["hash"]:
            report.failures.append(f"审计事件 #{row['id']}：内容与其哈希不符（被修改）")
        elif previous and row["id"] == previous["id"] + 1 and row["prev_hash"] != previous["hash"]:
            report.failures.append(f"审计事件 #{row['id']}：与前一事件 #{previous['id']} 的哈希链断开")
        elif previous and row["id"] > previous["id"] + 1 and row["prev_hash"] == previous["hash"]:
            # The chain says they were neighbours: the ids between them were made up.
            report.failures.append(f"审计事件 #{row['id']}：紧接 #{previous['id']} 之后，编号却不相邻（被修改）")
        previous = row
