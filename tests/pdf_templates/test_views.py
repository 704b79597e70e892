import hashlib
import io
import json
import os
import re
import tracemalloc
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from pdf_templates.models import Record, RecordType
from pdf_templates.trail import record_file_stem, stream_trail_zip, verify_trail
from tests.factories import DEFAULT_PASSWORD, UserFactory


def _login(client, user):
    assert client.login(username=user.username, password=DEFAULT_PASSWORD)
    return client


def _upload(client, url, content: bytes, name="record.pdf"):
    return client.post(url, {"file": ContentFile(content, name=name)})


def _tamper(content: bytes) -> bytes:
    """An edit as a PDF editor saves it: a new revision appended to the file."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    writer.root["/PageLabels"] = generic.DictionaryObject()
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _damage(content: bytes) -> bytes:
    """Bytes changed in place, e.g. by a careless tool: the xref table is now wrong."""
    index = content.rfind(b"%%EOF")
    return content[:index] + b"\n% altered\n" + content[index:]


def test_it_shows_the_public_header_without_login(client, issue):
    record = issue(render=True)
    response = client.get(f"/verify/{record.verification_code}")
    assert response.status_code == 200
    body = response.content.decode()
    for expected in (record.number, "审核意见书", "市住建局", record.data_sha256):
        assert expected in body
    # No personal data beyond the header: not the issuing officer, not the data.
    assert "zj_reviewer" not in body and "同意有条件共享" not in body


def test_it_answers_404_for_an_unknown_code_with_a_message_and_the_upload_form(client, db):
    response = client.get("/verify/AAAAAAAAAAAAAAAA")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="unknown-code"' in body and "AAAAAAAAAAAAAAAA" in body and 'type="file"' in body


def test_it_warns_when_the_uploaded_pdf_is_another_record(client, issue):
    shown, other = issue(render=True), issue(RecordType.REFUSAL_NOTICE, render=True)
    body = _upload(client, f"/verify/{shown.verification_code}", other.pdf.read()).content.decode()
    assert 'data-testid="other-record"' in body and other.number in body and shown.number in body
    same = _upload(client, f"/verify/{shown.verification_code}", shown.pdf.read()).content.decode()
    assert 'data-testid="other-record"' not in same


def test_it_says_an_uploaded_pdf_matches(client, issue):
    record = issue(render=True)
    response = _upload(client, f"/verify/{record.verification_code}", record.pdf.read())
    assert 'data-outcome="match"' in response.content.decode()
    assert "未附电子签名" in response.content.decode()


def test_it_says_a_tampered_pdf_was_altered(client, issue):
    record = issue(render=True)
    original = record.pdf.read()
    for tampered in (_tamper(original), _damage(original)):
        body = _upload(client, "/verify/", tampered).content.decode()
        assert 'data-outcome="altered"' in body and record.number in body


def test_it_says_a_foreign_pdf_is_not_ours(client, db):
    from weasyprint import HTML

    response = _upload(client, "/verify/", HTML(string="<p>别处的文件</p>").write_pdf())
    assert 'data-outcome="unknown"' in response.content.decode()
    response = _upload(client, "/verify/", b"not a pdf at all", name="x.txt")
    assert 'data-outcome="unknown"' in response.content.decode()


def test_it_rejects_an_empty_upload_clearly(client, db):
    response = client.post("/verify/", {})
    assert response.status_code == 400
    assert re.search(r'<vf-field-file [^>]*error="[^"]+"', response.content.decode())  # beside the field


def test_it_reports_a_broken_signature_on_a_signed_tampered_pdf(client, issue, signing):
    record = issue(render=True)
    content = bytearray(record.pdf.read())
    # Flip a byte inside the signed page content: the signature no longer covers these bytes.
    position = content.find(b"stream") + 20
    content[position] ^= 0x01
    body = _upload(client, "/verify/", bytes(content)).content.decode()
    assert 'data-outcome="altered"' in body
    assert "电子签名无效" in body


@pytest.mark.parametrize("persona", ["auditor", "coordinator", "zhujian_reviewer", "gongan_applicant"])
def test_it_lets_auditors_bureau_issuer_and_subject_departments_open_a_record(client, issue, request, persona):
    record = issue(render=True)
    _login(client, request.getfixturevalue(persona))
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 200
    pdf = client.get(reverse("records:pdf", args=[record.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert record.number in client.get(reverse("records:index")).content.decode()


def test_it_hides_records_from_everyone_else(client, issue, finance_officer):
    record = issue(render=True)
    _login(client, finance_officer)
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("records:pdf", args=[record.pk])).status_code == 404
    subject_trail = f"{reverse('records:trail')}?subject_type={record.subject_type_id}&subject_id={record.subject_id}"
    assert client.get(subject_trail).status_code == 404
    assert record.number not in client.get(reverse("records:index")).content.decode()


def test_it_sends_anonymous_users_to_login(client, issue):
    record = issue()
    response = client.get(reverse("records:pdf", args=[record.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_a_pending_record_as_being_generated(client, issue, auditor):
    record = issue()
    _login(client, auditor)
    assert "生成中" in client.get(reverse("records:detail", args=[record.pk])).content.decode()
    assert client.get(reverse("records:pdf", args=[record.pk])).status_code == 302


def test_it_filters_the_auditor_list(client, issue, auditor, zhengshu):
    review = issue(render=False)
    refusal = issue(RecordType.REFUSAL_NOTICE)
    other = issue(issuer=zhengshu)
    _login(client, auditor)
    body = client.get(reverse("records:index"), {"type": RecordType.REFUSAL_NOTICE}).content.decode()
    assert refusal.number in body and review.number not in body
    body = client.get(reverse("records:index"), {"issuer": zhengshu.pk}).content.decode()
    assert other.number in body and review.number not in body
    bad = client.get(reverse("records:index"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert "起始日期不能晚于截止日期" in bad.content.decode()
    nothing = client.get(reverse("records:index"), {"date_from": "2999-01-01"}).content.decode()
    assert "没有符合条件的文书。" in nothing


def test_it_applies_the_valid_filters_and_lists_nothing_for_a_reversed_range(client, issue, auditor, zhengshu):
    review = issue()
    refusal = issue(RecordType.REFUSAL_NOTICE)
    _login(client, auditor)
    reversed_range = client.get(reverse("records:index"), {"date_from": "2026-11-22", "date_to": "2026-11-01"})
    body = reversed_range.content.decode()
    assert "起始日期不能晚于截止日期" in body and "没有符合条件的文书。" in body
    assert review.number not in body and refusal.number not in body

    stale_issuer = client.get(reverse("records:index"), {"issuer": 999999, "type": RecordType.REFUSAL_NOTICE})
    body = stale_issuer.content.decode()
    assert "选择一个有效的选项" in body
    assert refusal.number in body and review.number not in body  # the type still applies

    bad_type = client.get(reverse("records:index"), {"type": "no_such_type", "issuer": zhengshu.pk}).content.decode()
    assert "选择一个有效的选项" in bad_type
    assert review.number not in bad_type and "没有符合条件的文书。" in bad_type  # 住建局 issued both


def _download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def test_it_downloads_a_subject_trail_that_verifies_offline(client, issue, auditor, tmp_path):
    records = [issue(render=True), issue(RecordType.REFUSAL_NOTICE, render=True), issue()]
    _login(client, auditor)
    url = f"{reverse('records:trail')}?subject_type={records[0].subject_type_id}&subject_id={records[0].subject_id}"
    content = _download(client, url)
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert {"events.csv", "events.json", "manifest.json"} <= set(names)
    assert sum(name.endswith(".pdf") for name in names) == 2
    assert "records.issued" in archive.read("events.csv").decode("utf-8-sig")
    path = tmp_path / "trail.zip"
    path.write_bytes(content)
    report = verify_trail(path)
    assert report.ok, report.failures
    assert report.pending == [records[2].number]
    call_command("verify_trail", str(path))


def test_it_names_the_tampered_pdf_in_verify_trail(client, issue, auditor, tmp_path):
    record = issue(render=True)
    _login(client, auditor)
    content = _download(client, f"{reverse('records:trail')}?type={RecordType.REVIEW_OPINION}")
    source = zipfile.ZipFile(io.BytesIO(content))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith(".pdf"):
                data = _tamper(data)
            target.writestr(item.filename, data)
    report = verify_trail(tampered)
    assert any(record.number in failure for failure in report.failures)
    with pytest.raises(CommandError):
        call_command("verify_trail", str(tampered))


def _rewritten(content: bytes, path, change, trail_format: str | None = None) -> None:
    """The trail with `change(name, data)` applied to its files and the manifest's hashes recomputed to match."""
    source = zipfile.ZipFile(io.BytesIO(content))
    files = {name: change(name, source.read(name)) for name in source.namelist() if name != "manifest.json"}
    manifest = json.loads(source.read("manifest.json"))
    manifest["format"] = trail_format or manifest["format"]
    for item in manifest["files"]:
        item["sha256"] = hashlib.sha256(files[item["name"]]).hexdigest()
    for entry in manifest["records"]:
        if entry["pdf"]:
            entry["pdf_sha256"] = hashlib.sha256(files[entry["pdf"]]).hexdigest()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in files.items():
            target.writestr(name, data)
        target.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))


def test_verify_trail_catches_an_edited_event_even_with_the_manifest_rewritten(client, issue, auditor, tmp_path):
    record = issue(render=True)
    _login(client, auditor)
    content = _download(
        client, f"{reverse('records:trail')}?subject_type={record.subject_type_id}&subject_id={record.subject_id}"
    )

    def edit_events(name, data):
        if name != "events.json":
            return data
        rows = json.loads(data)
        rows[0]["comment"] = "不予共享（篡改）"
        return json.dumps(rows, ensure_ascii=False).encode("utf-8")

    intact, edited = tmp_path / "intact.zip", tmp_path / "edited.zip"
    _rewritten(content, intact, lambda name, data: data)
    _rewritten(content, edited, edit_events)

    assert verify_trail(intact).ok and verify_trail(intact).checked_events >= 1
    report = verify_trail(edited)
    assert any("内容与其哈希不符" in failure for failure in report.failures), report.failures


def test_verify_trail_still_reads_a_trail_of_the_first_format(client, issue, auditor, tmp_path):
    """Format 1 events carried no actor_id: their hashes are not rechecked, the rest is."""
    record = issue(render=True)
    _login(client, auditor)
    content = _download(
        client, f"{reverse('records:trail')}?subject_type={record.subject_type_id}&subject_id={record.subject_id}"
    )

    def as_format_1(name, data):
        if name != "events.json":
            return data
        rows = [{k: v for k, v in row.items() if k != "actor_id"} for row in json.loads(data)]
        return json.dumps(rows, ensure_ascii=False).encode("utf-8")

    old = tmp_path / "old.zip"
    _rewritten(content, old, as_format_1, trail_format="govshare-trail/1")
    report = verify_trail(old)
    assert report.ok, report.failures
    assert report.checked_events == 0 and report.checked_records == 1


def test_verify_trail_catches_another_records_pdf_in_its_place(client, issue, auditor, tmp_path):
    first, second = issue(render=True), issue(RecordType.REFUSAL_NOTICE, render=True)
    _login(client, auditor)
    content = _download(
        client, f"{reverse('records:trail')}?subject_type={first.subject_type_id}&subject_id={first.subject_id}"
    )
    stems = {record.pk: record_file_stem(record) for record in (first, second)}
    second_pdf = zipfile.ZipFile(io.BytesIO(content)).read(f"{stems[second.pk]}.pdf")

    swapped = tmp_path / "swapped.zip"
    _rewritten(content, swapped, lambda name, data: second_pdf if name == f"{stems[first.pk]}.pdf" else data)

    report = verify_trail(swapped)
    assert any(first.number in failure and "另一件文书" in failure for failure in report.failures), report.failures


def test_it_fails_verify_trail_on_a_broken_signature(issue, signing, tmp_path):
    record = issue(render=True)
    content = b"".join(stream_trail_zip(Record.objects.filter(pk=record.pk), description={}))
    path = tmp_path / "signed.zip"
    path.write_bytes(content)
    assert verify_trail(path).ok and verify_trail(path).signed == 1


def test_it_streams_a_large_trail_with_flat_memory(issue, zhujian, gongan, zhujian_reviewer):
    # 300 rendered records of 200 KB each: 60 MB of PDFs must not be held in memory.
    blob = b"%PDF-1.7\n" + os.urandom(200_000)
    first = issue()
    for _ in range(299):
        issue()
    for record in Record.objects.all():
        record.pdf.save(f"{record.pk}.pdf", ContentFile(blob), save=False)
        record.render_status = Record.RenderStatus.RENDERED
        record.pdf_sha256 = "0" * 64
        record.save(update_fields=["pdf", "render_status", "pdf_sha256"])
    tracemalloc.start()
    total = 0
    for chunk in stream_trail_zip(Record.objects.all(), description={}):
        total += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total > 300 * 200_000 * 0.5
    assert peak < 15 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert first.number


def test_it_lets_a_department_user_without_rights_see_nothing(client, issue, db):
    record = issue(render=True)
    no_department = UserFactory(username="outsider", department=None)
    _login(client, no_department)
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 404
    ct = ContentType.objects.get_for_model(record.subject)
    assert client.get(f"{reverse('records:trail')}?subject_type={ct.pk}&subject_id=x").status_code == 404


def test_the_addressee_department_opens_its_record_and_nothing_else(client, issue, zhengshu, finance_officer):
    """The 资金闸口核验单 is about the project's department and addressed to 财政局: finance opens it."""
    gate = issue(
        RecordType.FUNDING_GATE_SHEET,
        issuer=zhengshu,
        title="医保智能审核系统升级项目资金闸口核验单",
        addressee="市财政局",
        render=True,
    )
    unrelated = issue(render=True)  # a share-application record between 住建局 and 公安局
    _login(client, finance_officer)

    assert client.get(reverse("records:detail", args=[gate.pk])).status_code == 200
    pdf = client.get(reverse("records:pdf", args=[gate.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    listing = client.get(reverse("records:index")).content.decode()
    assert gate.number in listing and unrelated.number not in listing
    assert client.get(reverse("records:detail", args=[unrelated.pk])).status_code == 404
    assert client.get(reverse("records:pdf", args=[unrelated.pk])).status_code == 404


def test_an_addressee_given_as_a_department_is_written_by_its_name(issue, caizheng):
    record = issue(RecordType.FUNDING_GATE_SHEET, addressee=caizheng)
    assert record.addressee == "市财政局" and record.content["addressee"] == "市财政局"
    assert caizheng in record.departments.all()


def _subject_trail(client, auditor, record) -> bytes:
    _login(client, auditor)
    return _download(
        client, f"{reverse('records:trail')}?subject_type={record.subject_type_id}&subject_id={record.subject_id}"
    )


def test_verify_trail_catches_an_edited_snapshot_even_with_the_manifest_rewritten(client, issue, auditor, tmp_path):
    rendered = issue(render=True)
    pending = issue(RecordType.REFUSAL_NOTICE)  # no PDF yet: its issuing event still states the hash
    content = _subject_trail(client, auditor, rendered)
    snapshots = {f"{record_file_stem(record)}.json" for record in (rendered, pending)}

    def edit_snapshots(name, data):
        if name not in snapshots:
            return data
        snapshot = json.loads(data)
        snapshot["data"]["conditions"] = "不限用途（篡改）"
        return json.dumps(snapshot, ensure_ascii=False, sort_keys=True).encode("utf-8")

    edited = tmp_path / "edited.zip"
    _rewritten(content, edited, edit_snapshots)
    with zipfile.ZipFile(edited) as archive:  # the manifest's data hashes rewritten to match, too
        manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["records"]:
        entry["data_sha256"] = hashlib.sha256(
            edit_snapshots(entry["snapshot"], _read(content, entry["snapshot"]))
        ).hexdigest()
    _replace_manifest(edited, manifest)

    report = verify_trail(edited)
    assert not any("数据快照与数据哈希不符" in failure for failure in report.failures)  # the manifest agrees
    assert f"{rendered.number}：数据快照与 PDF 所载的数据哈希不符（快照被修改）" in report.failures
    assert f"{rendered.number}：数据快照与签发事件记载的数据哈希不符（快照被修改）" in report.failures
    assert f"{pending.number}：数据快照与签发事件记载的数据哈希不符（快照被修改）" in report.failures


def test_verify_trail_catches_an_edited_events_csv(client, issue, auditor, tmp_path):
    record = issue(render=True)
    content = _subject_trail(client, auditor, record)

    def edit_csv(name, data):
        if name != "events.csv":
            return data
        return data.decode("utf-8-sig").replace(record.number, "通住建共〔2099〕1号").encode("utf-8-sig")

    edited = tmp_path / "edited.zip"
    _rewritten(content, edited, edit_csv)
    report = verify_trail(edited)
    assert len(report.failures) == 2  # the record's 签发 and PDF 生成 events name it
    for failure in report.failures:
        assert failure.startswith("events.csv：审计事件 #") and "与 events.json 不符" in failure

    dropped = tmp_path / "dropped.zip"
    _rewritten(
        content, dropped, lambda name, data: b"\n".join(data.splitlines()[:-1]) if name == "events.csv" else data
    )
    assert any("events.json 有" in failure for failure in verify_trail(dropped).failures)


def _read(content: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(content)).read(name)


def _replace_manifest(path, manifest: dict) -> None:
    with zipfile.ZipFile(path) as source:
        files = {name: source.read(name) for name in source.namelist() if name != "manifest.json"}
    with zipfile.ZipFile(path, "w") as target:
        for name, data in files.items():
            target.writestr(name, data)
        target.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
