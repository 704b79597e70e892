"""verify_trail against forged trails: what it catches offline, and what only --online can."""

import hashlib
import importlib
import io
import json
import zipfile

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText

from pdf_templates.models import Record, RecordType
from pdf_templates.services import render_record
from pdf_templates.trail import EVENT_FIELDS, csv_row, record_file_stem, verify_trail
from tests.pdf_templates.test_views import _download, _login, _read, _replace_manifest, _rewritten, _subject_trail
from workflows.audit import record_event
from workflows.hashing import chain_hash
from workflows.models import AuditEvent
from workflows.spreadsheets import csv_dict_writer


def _events_files(rows: list[dict]) -> dict[str, bytes]:
    """events.json and events.csv as the trail writes them, for `rows`."""
    buffer = io.StringIO()
    writer = csv_dict_writer(buffer, EVENT_FIELDS)
    writer.writeheader()
    writer.writerows(csv_row(row) for row in rows)
    return {
        "events.json": json.dumps(rows, ensure_ascii=False).encode("utf-8"),
        "events.csv": ("\ufeff" + buffer.getvalue()).encode("utf-8"),
    }


def _without_events(content: bytes, path, drop) -> None:
    """The trail with the events `drop(row)` picks removed from events.json and events.csv, manifest recomputed."""
    files = _events_files([row for row in json.loads(_read(content, "events.json")) if not drop(row)])
    _rewritten(content, path, lambda name, data: files.get(name, data))


def _with_subject_hash(pdf: bytes, data_hash: str) -> bytes:
    """The PDF with its /Subject metadata (the data hash it states) rewritten by an incremental update."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata({"/Subject": f"data-sha256:{data_hash}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_forged_snapshot_fails_even_with_its_issuing_event_removed(client, issue, auditor, tmp_path):
    record = issue(render=True)
    content = _subject_trail(client, auditor, record)
    stem = record_file_stem(record)
    snapshot = json.loads(_read(content, f"{stem}.json"))
    snapshot["data"]["granted_items"].append("身份证件号码")
    forged = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    forged_hash = hashlib.sha256(forged).hexdigest()
    forged_pdf = _with_subject_hash(_read(content, f"{stem}.pdf"), forged_hash)
    assert forged_hash in PdfReader(io.BytesIO(forged_pdf)).metadata["/Subject"]

    step = tmp_path / "step.zip"
    _rewritten(content, step, lambda name, data: {f"{stem}.json": forged, f"{stem}.pdf": forged_pdf}.get(name, data))
    forgery = tmp_path / "forgery.zip"
    _without_events(step.read_bytes(), forgery, lambda row: row["action"] == "records.issued")
    with zipfile.ZipFile(forgery) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["records"][0]["data_sha256"] = forged_hash
    _replace_manifest(forgery, manifest)

    report = verify_trail(forgery)
    assert f"{record.number}：轨迹中没有该文书的签发事件（事件被删除）" in report.failures
    with pytest.raises(CommandError):
        call_command("verify_trail", str(forgery))


def test_a_trail_with_every_event_removed_fails(client, issue, auditor, tmp_path):
    record = issue(render=True)
    emptied = tmp_path / "emptied.zip"
    _without_events(_subject_trail(client, auditor, record), emptied, lambda row: True)
    report = verify_trail(emptied)
    assert f"{record.number}：轨迹中没有该文书的签发事件（事件被删除）" in report.failures


def test_a_trail_without_its_event_files_fails(client, issue, auditor, tmp_path):
    record = issue(render=True)
    content = _subject_trail(client, auditor, record)
    source = zipfile.ZipFile(io.BytesIO(content))
    manifest = json.loads(source.read("manifest.json"))
    manifest["files"] = [item for item in manifest["files"] if not item["name"].startswith("events.")]
    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(stripped, "w") as target:
        for name in source.namelist():
            if not name.startswith("events.") and name != "manifest.json":
                target.writestr(name, source.read(name))
        target.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
    assert "缺少 events.json：轨迹必须带有审计事件" in verify_trail(stripped).failures


def test_an_event_removed_from_a_gap_passes_offline_and_fails_online(client, issue, auditor, gongan, tmp_path):
    record = issue(render=True)
    with transaction.atomic():
        noted = record_event(subject=gongan, action="application_escalated", comment="逾期提请协调")
    content = _subject_trail(client, auditor, record)
    intact, dropped = tmp_path / "intact.zip", tmp_path / "dropped.zip"
    _rewritten(content, intact, lambda name, data: data)
    _without_events(content, dropped, lambda row: row["id"] == noted.pk)

    assert verify_trail(intact, online=True).ok, verify_trail(intact, online=True).failures
    assert verify_trail(dropped).ok  # offline, a gap is a gap
    online = verify_trail(dropped, online=True)
    assert online.failures == [f"审计事件 #{noted.pk}（超期提请协调）：数据库中有，轨迹中没有（被删除）"]
    with pytest.raises(CommandError):
        call_command("verify_trail", str(dropped), "--online")


def test_online_catches_an_event_and_a_snapshot_recomputed_consistently(client, issue, auditor, tmp_path):
    record = issue(RecordType.REFUSAL_NOTICE)  # pending: no PDF states the data hash
    content = _subject_trail(client, auditor, record)
    stem = record_file_stem(record)
    snapshot = json.loads(_read(content, f"{stem}.json"))
    snapshot["data"]["reason"] = "（篡改）"
    forged = json.dumps(snapshot, ensure_ascii=False).encode()
    forged_hash = hashlib.sha256(forged).hexdigest()

    rows = json.loads(_read(content, "events.json"))
    for row in rows:  # each event's hash recomputed over the forged comment and data
        row["comment"] = row["comment"].replace(record.data_sha256, forged_hash)
        row["data"] = {key: forged_hash if value == record.data_sha256 else value for key, value in row["data"].items()}
        payload = {key: row[key] for key in ("action", "subject_type", "from_state", "to_state", "comment", "ip")}
        payload |= {"actor": row["actor_id"], "subject_id": str(row["subject_id"]), "created_at": row["created_at"]}
        payload |= {"data": row["data"]} if row["data"] else {}
        row["hash"] = chain_hash(row["prev_hash"], payload)
    files = {f"{stem}.json": forged, **_events_files(rows)}

    def forge(name, data):
        return files.get(name, data)

    forgery = tmp_path / "forgery.zip"
    _rewritten(content, forgery, forge)
    with zipfile.ZipFile(forgery) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["records"][0]["data_sha256"] = forged_hash
    _replace_manifest(forgery, manifest)

    assert verify_trail(forgery).ok  # consistent in itself
    failures = verify_trail(forgery, online=True).failures
    assert f"{record.number}：数据哈希与数据库中的文书不符（快照被修改）" in failures
    assert any(failure.endswith("与数据库中的同号事件不符（被修改）") for failure in failures), failures


def _manifest_edit(change):
    def edit(data):
        manifest = json.loads(data)
        change(manifest)
        return json.dumps(manifest).encode()

    return edit


def _first_event_edit(change):
    def edit(data):
        rows = json.loads(data)
        change(rows[0])
        return json.dumps(rows).encode()

    return edit


@pytest.mark.parametrize(
    "name, edit, failure",
    [
        ("manifest.json", lambda data: b"{", "manifest.json：不是有效的 JSON（文件被修改）"),
        (
            "manifest.json",
            _manifest_edit(lambda manifest: manifest["records"][0].pop("data_sha256")),
            "manifest.json：文书清单第 1 条缺少字段 data_sha256（文件被修改）",
        ),
        (
            "events.json",
            _first_event_edit(lambda row: row.pop("ip")),
            "events.json：审计事件第 1 条缺少字段 ip（文件被修改）",
        ),
        (
            "events.json",
            _first_event_edit(lambda row: row.pop("actor_id")),
            "events.json：审计事件第 1 条缺少字段 actor_id（文件被修改）",
        ),
        (
            "events.json",
            _first_event_edit(lambda row: row.update(id="abc")),
            'events.json：审计事件第 1 条的 id 类型不对："abc"（文件被修改）',
        ),
        ("events.json", lambda data: b"{}", "events.json：审计事件应为列表（文件被修改）"),
    ],
)
def test_a_malformed_trail_fails_with_a_message_not_a_traceback(
    client, issue, auditor, tmp_path, capsys, name, edit, failure
):
    content = _subject_trail(client, auditor, issue(render=True))
    source = zipfile.ZipFile(io.BytesIO(content))
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            target.writestr(member, edit(data) if member == name else data)

    with pytest.raises(CommandError, match="文书轨迹核验不通过"):
        call_command("verify_trail", str(broken))
    assert f"不通过：{failure}" in capsys.readouterr().err


def _with_annotation(pdf: bytes) -> bytes:
    """A visible change saved as a PDF editor saves it: a FreeText annotation in an incremental update."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    note = FreeText(text="以上信息项全部同意共享", rect=(50, 50, 550, 120))
    writer.add_annotation(page_number=0, annotation=note)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_annotated_pdf_fails_against_its_rendered_event_with_the_manifest_rewritten(
    client, issue, auditor, tmp_path
):
    record = issue(render=True)
    content = _subject_trail(client, auditor, record)
    pdf_name = f"{record_file_stem(record)}.pdf"
    edited = tmp_path / "edited.zip"
    _rewritten(content, edited, lambda name, data: _with_annotation(data) if name == pdf_name else data)

    report = verify_trail(edited)
    assert report.failures == [f"{record.number}：PDF 与生成事件记载的文件哈希不符（PDF 被修改）"]

    dropped = tmp_path / "dropped.zip"
    _without_events(edited.read_bytes(), dropped, lambda row: row["action"] == "records.rendered")
    assert f"{record.number}：轨迹中没有该文书的 PDF 生成事件（事件被删除）" in verify_trail(dropped).failures


def test_a_manifest_claiming_an_older_or_unknown_format_does_not_skip_the_checks(client, issue, auditor, tmp_path):
    record = issue(render=True)
    content = _subject_trail(client, auditor, record)
    pdf_name = f"{record_file_stem(record)}.pdf"
    edited = tmp_path / "edited.zip"
    _rewritten(content, edited, lambda name, data: _with_annotation(data) if name == pdf_name else data)
    with zipfile.ZipFile(edited) as archive:
        manifest = json.loads(archive.read("manifest.json"))

    _replace_manifest(edited, {**manifest, "format": "govshare-trail/2"})  # its PDF's event is still in it
    assert f"{record.number}：PDF 与生成事件记载的文件哈希不符（PDF 被修改）" in verify_trail(edited).failures
    _replace_manifest(edited, {**manifest, "format": "govshare-trail/9"})
    assert verify_trail(edited).failures == ["manifest.json：未知的轨迹格式 'govshare-trail/9'（文件被修改）"]


def test_online_fails_a_trail_claiming_a_downloader_who_could_not_have_downloaded_it(
    client, issue, auditor, tmp_path, django_user_model
):
    record = issue(render=True)
    content = _subject_trail(client, auditor, record)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    claimed = tmp_path / "claimed.zip"
    _rewritten(content, claimed, lambda name, data: data)
    django_user_model.objects.create(username="outsider_x")  # a user, but of no department

    for username, failure in (
        ("nobody_xyz", "manifest.json：下载人“nobody_xyz”不是本系统用户（清单被修改）"),
        ("outsider_x", "manifest.json：下载人“outsider_x”无权下载该对象的轨迹，不可能是其下载的（清单被修改）"),
    ):
        _replace_manifest(claimed, {**manifest, "generated_by": username})
        assert failure in verify_trail(claimed, online=True).failures


def test_rendering_writes_one_rendered_event_stating_the_pdf_hash(issue):
    record = issue()
    assert not AuditEvent.objects.filter(action="records.rendered").exists()
    render_record(record_id=record.pk)
    render_record(record_id=record.pk)  # a retried task: already rendered, nothing more
    record.refresh_from_db()
    [event] = AuditEvent.objects.filter(action="records.rendered")
    assert event.subject == record
    assert event.comment == f"生成{record.number}《{record.title}》PDF，文件哈希 {record.pdf_sha256}"
    assert event.data == {"number": record.number, "pdf_sha256": record.pdf_sha256}


def test_the_migration_adds_the_event_of_a_pdf_rendered_before_it_once(issue):
    record = issue()
    record.pdf_sha256, record.render_status = "ab" * 32, Record.RenderStatus.RENDERED
    record.save(update_fields=["pdf_sha256", "render_status"])  # as rendered by an earlier version
    migration = importlib.import_module("pdf_templates.migrations.0003_record_rendered_events")

    migration.add_rendered_events(django_apps, None)
    migration.add_rendered_events(django_apps, None)

    [event] = AuditEvent.objects.filter(action="record_rendered")
    assert event.subject == record and f"{record.number}《{record.title}》PDF，文件哈希 {'ab' * 32}" in event.comment


def test_finance_downloads_the_events_of_its_record_only(client, issue, zhengshu, finance_officer, gongan, tmp_path):
    """finance opens the 资金闸口核验单 addressed to it, not the 初审意见书 on the same subject, nor the subject."""
    gate = issue(RecordType.FUNDING_GATE_SHEET, issuer=zhengshu, addressee="市财政局", render=True)
    review = issue(RecordType.FIRST_REVIEW_OPINION, issuer=zhengshu, addressee="", render=True)
    with transaction.atomic():
        record_event(subject=gongan, action="application_escalated", comment="逾期提请协调")
    _login(client, finance_officer)
    assert client.get(reverse("records:detail", args=[review.pk])).status_code == 404
    content = _download(
        client, f"{reverse('records:trail')}?subject_type={gate.subject_type_id}&subject_id={gate.subject_id}"
    )

    rows = json.loads(_read(content, "events.json"))
    assert [(row["action"], row["subject_type"]) for row in rows] == [
        ("records.issued", "organizations.department"),
        ("records.rendered", "pdf_templates.record"),
    ]
    assert all(gate.number in row["comment"] for row in rows)
    everything = b"".join(_read(content, name) for name in ("events.json", "events.csv", "manifest.json"))
    assert review.number.encode() not in everything and review.data_sha256.encode() not in everything
    path = tmp_path / "finance.zip"
    path.write_bytes(content)
    assert verify_trail(path, online=True).ok, verify_trail(path, online=True).failures


def test_the_auditor_downloads_every_event_of_the_subject(client, issue, zhengshu, auditor, gongan, tmp_path):
    gate = issue(RecordType.FUNDING_GATE_SHEET, issuer=zhengshu, addressee="市财政局", render=True)
    review = issue(RecordType.FIRST_REVIEW_OPINION, issuer=zhengshu, addressee="", render=True)
    with transaction.atomic():
        noted = record_event(subject=gongan, action="application_escalated", comment="逾期提请协调")
    content = _subject_trail(client, auditor, gate)
    rows = json.loads(_read(content, "events.json"))
    assert noted.pk in {row["id"] for row in rows}
    assert sum(review.number in row["comment"] for row in rows) == 2
