"""Structured event data in the hash chain, and old action codes read through the alias table."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory

from tests.workflows.test_audit import _tamper
from workflows import labels
from workflows.admin import ActionListFilter, AuditEventAdmin
from workflows.audit import event_payload, record_event, verify_chain
from workflows.hashing import chain_hash
from workflows.models import AuditEvent


def test_an_event_without_data_hashes_as_events_did_before_data_existed(gongan, gongan_applicant):
    event = record_event(subject=gongan, action="test.plain", actor=gongan_applicant, comment="同意")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.data == {}
    before = {  # the payload of the events written before `data` existed: the same nine fields
        "actor": gongan_applicant.pk,
        "action": "test.plain",
        "subject_type": "organizations.department",
        "subject_id": str(gongan.pk),
        "from_state": "",
        "to_state": "",
        "comment": "同意",
        "ip": None,
        "created_at": stored.created_at.astimezone(dt.UTC).isoformat(),
    }
    assert event_payload(stored) == before
    assert stored.hash == chain_hash(stored.prev_hash, before)


def test_data_is_stored_as_hashed_and_covered_by_the_hash(gongan):
    event = record_event(subject=gongan, action="test.with_data", data={"number": "通1号", "on": dt.date(2026, 3, 5)})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.data == {"number": "通1号", "on": "2026-03-05"}  # dates become strings, as hashed
    assert event_payload(stored)["data"] == stored.data
    assert verify_chain() == (1, None)

    _tamper(
        "UPDATE workflows_auditevent SET data = %s WHERE id = %s", ['{"number": "通2号", "on": "2026-03-05"}', event.pk]
    )
    assert verify_chain()[1].event_id == event.pk


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("record_issued", "records.issued"),
        ("task_taken", "workflows.task_taken"),
        ("grant_revoked", "share_requests.grant_revoked"),
        ("application_decided", "share_requests.application_decided"),
        ("api_token_issued", "share_requests.api_token_issued"),
    ],
)
def test_an_old_code_reads_as_its_namespaced_code(old, new):
    assert labels.canonical_action(old) == new
    assert labels.canonical_action(new) == new
    assert labels.action_label(old) == labels.action_label(new) != new  # registered words, for both


def test_a_code_without_alias_or_label_reads_as_it_is():
    assert labels.canonical_action("catalog.resource_registered") == "catalog.resource_registered"
    assert labels.action_label("test.unknown") == "test.unknown"


def test_filtering_by_the_new_code_finds_old_and_new_events_and_the_chain_verifies(gongan, gongan_applicant):
    old = record_event(subject=gongan, action="task_taken", actor=gongan_applicant, comment="提供方审核")
    new = record_event(subject=gongan, action="workflows.task_taken", actor=gongan_applicant, comment="提供方审核")
    record_event(subject=gongan, action="workflows.task_released", actor=gongan_applicant)

    found = AuditEvent.objects.filter(labels.action_filter("workflows.task_taken"))
    assert list(found) == [old, new]
    assert list(AuditEvent.objects.filter(labels.action_filter("task_taken"))) == [old, new]
    [old_read, new_read] = labels.labelled(found)
    assert old_read.action_label == new_read.action_label == "认领任务"
    assert AuditEvent.objects.get(pk=old.pk).action == "task_taken"  # never rewritten
    assert verify_chain() == (3, None)


def test_the_admin_offers_one_choice_per_action_and_its_filter_finds_both(gongan, gongan_applicant):
    old = record_event(subject=gongan, action="record_issued", actor=gongan_applicant)
    new = record_event(subject=gongan, action="records.issued", actor=gongan_applicant)
    record_event(subject=gongan, action="substitution.created", actor=gongan_applicant)
    model_admin = AuditEventAdmin(AuditEvent, admin.site)
    request = RequestFactory().get("/admin/workflows/auditevent/", {"action": "records.issued"})

    choices = ActionListFilter(request, {"action": ["records.issued"]}, AuditEvent, model_admin)
    assert choices.lookups(request, model_admin) == [
        ("records.issued", "签发文书"),
        ("substitution.created", "指定代理人"),
    ]
    assert list(choices.queryset(request, AuditEvent.objects.order_by("id"))) == [old, new]
