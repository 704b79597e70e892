"""verify_trail: whether a trail ZIP's files, records, signatures and audit events agree with each other
(offline) and, with `online`, with this govshare's database (pdf_templates.trail_online)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pdf_templates.record_events import ISSUED, RENDERED, stated_record
from pdf_templates.trail.format import (
    CHUNK,
    EVENT_FIELDS,
    NOT_NEUTRALISED,
    TRAIL_FORMATS,
    WITHOUT_DATA,
    csv_text,
)
from pdf_templates.verification import claimed_code, claimed_data_hash
from workflows.hashing import chain_hash, sha256_hex
from workflows.spreadsheets import neutralise


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
    "data": (dict,),
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
    without_data = manifest.get("format") in WITHOUT_DATA
    fields = {
        name: types
        for name, types in _EVENT_TYPES.items()
        if not (old_format and name == "actor_id") and not (without_data and name == "data")
    }
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
        neutralised = manifest.get("format") not in NOT_NEUTRALISED
        _compare_events_csv(archive.read("events.csv"), rows, report, neutralised=neutralised)
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
    issued_hashes = _stated_hashes(rows, ISSUED)
    rendered_hashes = _stated_hashes(rows, RENDERED)
    # Trails made before PDFs had their event cannot show offline that a PDF is the one rendered. One that
    # carries a PDF's event anyway is checked against it, whatever format its manifest claims.
    old_format = manifest.get("format") in ("govshare-trail/1", "govshare-trail/2")
    for entry in manifest.get("records", []):
        report.checked_records += 1
        data_hash = _verify_snapshot(archive, names, entry, issued_hashes, report)
        pdf_name = entry.get("pdf")
        if not pdf_name:
            report.pending.append(entry["number"])
        elif pdf_name in names:  # a missing one is already reported
            _verify_pdf(archive.read(pdf_name), entry, data_hash, rendered_hashes, old_format, report)


def _verify_snapshot(
    archive: zipfile.ZipFile, names: set[str], entry: dict, issued_hashes: dict[str, str], report: TrailReport
) -> str | None:
    """A record's data snapshot against the manifest and its 签发 event; the snapshot's hash (None if it is
    missing from the archive, which is reported with the files)."""
    number = entry["number"]
    snapshot_name = entry.get("snapshot")
    data_hash = sha256_hex(archive.read(snapshot_name)) if snapshot_name in names else None
    if data_hash is not None and data_hash != entry["data_sha256"]:
        report.failures.append(f"{number}：数据快照与数据哈希不符")
    if number not in issued_hashes:
        report.failures.append(f"{number}：轨迹中没有该文书的签发事件（事件被删除）")
    elif data_hash is not None and issued_hashes[number] != data_hash:
        report.failures.append(f"{number}：数据快照与签发事件记载的数据哈希不符（快照被修改）")
    return data_hash


def _verify_pdf(
    pdf: bytes,
    entry: dict,
    data_hash: str | None,
    rendered_hashes: dict[str, str],
    old_format: bool,
    report: TrailReport,
) -> None:
    """A record's PDF against the manifest, its PDF event, the record it claims to be, and its signature."""
    number = entry["number"]
    pdf_hash = sha256_hex(pdf)
    if pdf_hash != entry["pdf_sha256"]:
        report.failures.append(f"{number}：PDF 与签发时的哈希不符（文件被修改）")
    _verify_rendered_event(number, pdf_hash, rendered_hashes, old_format, report)
    if (code := claimed_code(pdf)) != entry["verification_code"]:
        report.failures.append(f"{number}：PDF 是另一件文书（核验码 {code or '无'}），不是本条目的文书")
    elif data_hash is not None and claimed_data_hash(pdf) != data_hash:
        report.failures.append(f"{number}：数据快照与 PDF 所载的数据哈希不符（快照被修改）")
    if entry.get("signature_status") == "signed":
        _verify_signature(number, pdf, report)


def _verify_rendered_event(
    number: str, pdf_hash: str, rendered_hashes: dict[str, str], old_format: bool, report: TrailReport
) -> None:
    """The PDF against the hash its PDF event states; old formats may lack that event (a note, not a failure)."""
    if old_format and number not in rendered_hashes:
        report.notes.append(
            f"{number}：旧格式轨迹不含 PDF 生成事件，PDF 未经审计事件核验（请用 --online 或电子签名核验）。"
        )
    elif number not in rendered_hashes:
        report.failures.append(f"{number}：轨迹中没有该文书的 PDF 生成事件（事件被删除）")
    elif rendered_hashes[number] != pdf_hash:
        report.failures.append(f"{number}：PDF 与生成事件记载的文件哈希不符（PDF 被修改）")


def _verify_signature(number: str, pdf: bytes, report: TrailReport) -> None:
    from pdf_templates.signing import check_signatures

    signature = check_signatures(pdf)
    if not signature.present or not signature.valid:
        report.failures.append(f"{number}：{signature.label}")
    else:
        report.signed += 1


def _stated_hashes(rows: list[dict], kind: str) -> dict[str, str]:
    """Record number → the hash its `kind` event (ISSUED or RENDERED) states."""
    stated = (stated_record(row["action"], row.get("data"), row["comment"]) for row in rows)
    return {item.number: item.sha256 for item in stated if item is not None and item.kind == kind}


def _compare_events_csv(content: bytes, rows: list[dict], report: TrailReport, *, neutralised: bool) -> None:
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
        fields = [name for name in EVENT_FIELDS if name in row]  # older formats' rows lack actor_id or data
        if any(csv_row.get(name) != _cell(csv_text(name, row[name]), neutralised) for name in fields):
            report.failures.append(f"events.csv：审计事件 #{row.get('id')} 与 events.json 不符（文件被修改）")


def _cell(text: str, neutralised: bool) -> str:
    """How events.csv spells `text`: neutralised against formulas (workflows.spreadsheets) since format 5."""
    return neutralise(text) if neutralised else text


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
        if row.get("data"):  # as workflows.audit.event_payload: covered only when not empty
            payload["data"] = row["data"]
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
