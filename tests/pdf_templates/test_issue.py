import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from pdf_templates.models import Record, RecordImmutableError, RecordType
from pdf_templates.services import (
    SUPERSEDES_ALREADY,
    SUPERSEDES_OTHER_SUBJECT,
    UNKNOWN_TYPE,
    RecordError,
    issue_record,
)
from workflows.hashing import canonical_json, sha256_hex
from workflows.models import AuditEvent


def test_it_writes_the_record_with_its_snapshot_and_hash(issue, zhujian, gongan, zhujian_reviewer):
    record = issue(data={"decision": "同意", "when": "2026-03-05"})
    assert record.render_status == Record.RenderStatus.PENDING
    assert record.get_render_status_display() == "生成中"
    assert record.issuer == zhujian and record.subject == gongan and record.issued_by == zhujian_reviewer
    assert record.snapshot == canonical_json(json.loads(record.snapshot))
    assert record.data_sha256 == sha256_hex(record.snapshot)
    assert record.content["number"] == record.number
    assert record.data == {"decision": "同意", "when": "2026-03-05"}
    assert len(record.verification_code) == 16
    assert list(record.departments.all()) == [gongan]


def test_it_writes_an_audit_event_on_the_subject(issue, gongan, zhujian_reviewer):
    record = issue()
    event = AuditEvent.objects.get(action="records.issued")
    assert event.subject_type == ContentType.objects.get_for_model(gongan)
    assert event.subject_id == str(gongan.pk)
    assert event.actor == zhujian_reviewer
    assert record.number in event.comment and record.data_sha256 in event.comment
    assert event.data == {"number": record.number, "data_sha256": record.data_sha256}


def test_it_queues_rendering_only_after_commit(
    zhujian, gongan, zhujian_reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("pdf_templates.tasks.render_record_task.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        record = issue_record(
            type=RecordType.REVIEW_OPINION, subject=gongan, issuer=zhujian, data={}, actor=zhujian_reviewer
        )
        assert queued == []
    assert len(callbacks) == 1
    assert queued == [record.pk]


def test_it_keeps_the_record_when_the_broker_is_down(
    zhujian, gongan, zhujian_reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(record_id):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("pdf_templates.tasks.render_record_task.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record = issue_record(
            type=RecordType.REVIEW_OPINION, subject=gongan, issuer=zhujian, data={}, actor=zhujian_reviewer
        )
    assert Record.objects.get(pk=record.pk).render_status == Record.RenderStatus.PENDING


def test_it_never_edits_an_issued_record(issue):
    record = issue()
    record.title = "改过的标题"
    with pytest.raises(RecordImmutableError):
        record.save()
    with pytest.raises(RecordImmutableError):
        record.save(update_fields=["title"])
    with pytest.raises(RecordImmutableError):
        record.delete()


def test_it_issues_a_correction_as_a_new_record_that_supersedes(issue):
    original = issue()
    correction = issue(supersedes=original, data={"decision": "更正后的意见"})
    assert correction.pk != original.pk and correction.number != original.number
    assert correction.content["supersedes"] == original.number
    assert list(original.superseded_by.all()) == [correction]
    with pytest.raises(RecordError, match=SUPERSEDES_ALREADY.format(number=original.number)):
        issue(supersedes=original)


def test_it_refuses_a_correction_about_another_subject(issue, zhengshu):
    original = issue()
    with pytest.raises(RecordError, match=SUPERSEDES_OTHER_SUBJECT):
        issue(supersedes=original, subject=zhengshu)


def test_it_refuses_an_unknown_type(issue):
    with pytest.raises(RecordError, match=UNKNOWN_TYPE.format(type="memo")):
        issue_record(type="memo", subject=None, issuer=None, data={}, actor=None)


def test_it_lets_a_subject_name_the_departments_that_may_see_its_records(zhujian, zhengshu, caizheng, gongan):
    from pdf_templates.services import subject_departments

    class Project:
        def record_departments(self):
            return [zhengshu, caizheng, None]

    assert subject_departments(Project()) == [zhengshu, caizheng]
    assert subject_departments(gongan) == [gongan]
    assert subject_departments(object()) == []
