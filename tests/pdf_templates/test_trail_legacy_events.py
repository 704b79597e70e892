"""Events of records written before audit events had `data`: the trail still reads and verifies them."""

import json

from pdf_templates import services
from pdf_templates.record_events import ISSUED, RENDERED, stated_record
from pdf_templates.trail import verify_trail
from tests.pdf_templates.test_views import _read, _subject_trail
from workflows.audit import record_event, verify_chain

HASH = "ab" * 32


def test_new_events_are_read_from_their_data_not_their_comment():
    data = {"number": "通住建共告〔2026〕1号", "data_sha256": HASH}
    assert stated_record("records.issued", data, "（任何文字）") == (ISSUED, "通住建共告〔2026〕1号", HASH)
    # A new event's comment is words for people, never parsed, even when it looks like an old one.
    assert stated_record("records.issued", {}, f"签发通1号《意见》，数据哈希 {HASH}") is None
    assert stated_record("records.rendered", {"number": "通1号"}, "") is None  # no hash stated
    assert stated_record("share_requests.application_decided", data, "") is None


def test_legacy_events_are_read_from_their_comment():
    assert stated_record("record_issued", {}, f"签发通1号《意见》，数据哈希 {HASH}") == (ISSUED, "通1号", HASH)
    assert stated_record("record_rendered", {}, f"生成通1号《意见》PDF，文件哈希 {HASH}（补记）") == (
        RENDERED,
        "通1号",
        HASH,
    )
    assert stated_record("record_issued", {}, "签发通1号") is None


def _write_as_before(monkeypatch):
    """pdf_templates.services writing its events as it did before: old codes, the hash in the comment only."""

    def legacy(*, action, data=None, **kwargs):
        return record_event(action={ISSUED: "record_issued", RENDERED: "record_rendered"}[action], **kwargs)

    monkeypatch.setattr(services, "record_event", legacy)


def test_a_trail_of_legacy_events_verifies_offline_and_online(client, issue, auditor, tmp_path, monkeypatch):
    _write_as_before(monkeypatch)
    record = issue(render=True)
    content = _subject_trail(client, auditor, record)
    rows = json.loads(_read(content, "events.json"))
    assert [(row["action"], row["data"]) for row in rows] == [("record_issued", {}), ("record_rendered", {})]
    path = tmp_path / "legacy.zip"
    path.write_bytes(content)
    report = verify_trail(path, online=True)
    assert report.ok, report.failures
    assert verify_chain() == (2, None)


def test_a_trail_mixing_legacy_and_new_events_verifies(client, issue, auditor, tmp_path, monkeypatch):
    with monkeypatch.context() as patched:
        _write_as_before(patched)
        old = issue(render=True)
    new = issue(render=True)
    content = _subject_trail(client, auditor, new)
    rows = json.loads(_read(content, "events.json"))
    assert [row["action"] for row in rows] == ["record_issued", "record_rendered", "records.issued", "records.rendered"]
    assert rows[2]["data"] == {"number": new.number, "data_sha256": new.data_sha256}
    path = tmp_path / "mixed.zip"
    path.write_bytes(content)
    report = verify_trail(path)
    assert report.ok, report.failures
    assert report.checked_records == 2 and old.number != new.number
