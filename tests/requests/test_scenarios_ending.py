"""Suspending or revoking a scenario ends its grants in the same transaction: each grant revoked as a single one is
(its audit event and its 撤销通知), each consumer department told once, naming the grants it lost; the notices and
their emails (the outbox) written in that transaction or not at all; the grant check says no at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from notifications.models import Notification, OutboundEmail
from pdf_templates.models import Record, RecordType
from requests.models import Grant, GrantState, ScenarioState
from requests.services.grant_check import grant_check
from requests.services.scenarios import ScenarioError, scenario_revoke, scenario_suspend
from tests.requests.helpers import client_for
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import cite
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def with_automatic_grant(authorized_scenario, minzheng_applicant, population_resource):
    """The scenario's two proactive grants to 民政局, and a third on an application citing it."""
    application = cite(minzheng_applicant, population_resource, authorized_scenario)
    assert application.grant.scenario == authorized_scenario
    return authorized_scenario


def _ended_notices(user):
    return Notification.objects.filter(recipient=user, event="scenario_grants_ended")


@pytest.mark.parametrize(("end", "verb"), [(scenario_suspend, "暂停"), (scenario_revoke, "撤销")])
def test_each_grant_ends_with_its_revocation_notice_and_the_consumer_is_told_which(
    end, verb, with_automatic_grant, coordinator, minzheng, minzheng_applicant, minzheng_leader, population_resource
):
    scenario = with_automatic_grant
    grants = list(Grant.objects.filter(scenario=scenario).order_by("pk"))
    assert len(grants) == 3 and all(grant.state == GrantState.ACTIVE for grant in grants)
    assert grant_check(consumer=minzheng, resource=population_resource, items=["姓名"]).allowed

    end(actor=coordinator, obj=scenario, reason="核查超范围调用", ip="10.0.0.3")

    records = {}
    for grant in Grant.objects.filter(scenario=scenario):
        assert grant.state == GrantState.REVOKED and grant.revoked_by == coordinator
        assert grant.revoked_reason == f"应用场景“低保对象认定”已{verb}：核查超范围调用"
        record = Record.objects.get(type=RecordType.REVOCATION_NOTICE, subject_id=str(grant.pk))
        assert minzheng.name in record.addressee and record.issuer == coordinator.department
        assert f"因应用场景“低保对象认定”（{scenario.reference}）已{verb}，现决定予以撤销。" in record.data["body"][0]
        records[grant.pk] = record
        event = AuditEvent.objects.get(subject_id=str(grant.pk), action="share_requests.grant_revoked")
        assert event.ip == "10.0.0.3" and event.data == {"scenario": scenario.pk}
    assert len(records) == 3
    for person in (minzheng_applicant, minzheng_leader):
        (notice,) = _ended_notices(person)  # one per department, naming every grant it lost
        for grant in grants:
            assert (
                f"“{grant.resource.name}”（{grant.source_reference}，撤销通知{records[grant.pk].number}）"
                in notice.body
            )
        assert OutboundEmail.objects.filter(notification=notice).exists()  # the outbox row, in the transaction
    answer = grant_check(consumer=minzheng, resource=population_resource, items=["姓名"])
    assert not answer.allowed


def test_a_failure_while_ending_leaves_everything_as_it_was(
    with_automatic_grant, coordinator, minzheng, minzheng_applicant, population_resource, monkeypatch
):
    """The notices and their emails are written in the suspension's transaction: it fails, none is left."""
    from requests.services.scenarios import sharing

    issued = []
    real = sharing.issue_revocation_notice

    def failing_on_the_third(grant, actor, *, cause):
        issued.append(grant.pk)
        if len(issued) == 3:
            raise sharing.GrantError("文书编号已用尽")
        return real(grant, actor, cause=cause)

    monkeypatch.setattr(sharing, "issue_revocation_notice", failing_on_the_third)
    with pytest.raises(ScenarioError):
        scenario_suspend(actor=coordinator, obj=with_automatic_grant, reason="核查")
    scenario = type(with_automatic_grant).objects.get(pk=with_automatic_grant.pk)
    assert scenario.state == ScenarioState.AUTHORIZED
    assert set(Grant.objects.filter(scenario=scenario).values_list("state", flat=True)) == {GrantState.ACTIVE}
    assert not Record.objects.filter(type=RecordType.REVOCATION_NOTICE).exists()
    assert not _ended_notices(minzheng_applicant).exists()
    assert not OutboundEmail.objects.filter(event="scenario_grants_ended").exists()
    assert grant_check(consumer=minzheng, resource=population_resource, items=["姓名"]).allowed


def test_over_http_the_bureau_suspends_and_the_consumer_reads_which_grants_ended(
    authorized_scenario, coordinator, minzheng_applicant
):
    url = reverse("scenarios:action", args=[authorized_scenario.pk, "suspend"])
    assert client_for(minzheng_applicant).post(url, {"reason": "核查"}).status_code == 403
    response = client_for(coordinator).post(url, {"reason": "核查超范围调用"}, follow=True)
    assert "已暂停，据此获得的共享授权已终止。" in response.content.decode()
    notice = _ended_notices(minzheng_applicant).get()
    numbers = Record.objects.filter(type=RecordType.REVOCATION_NOTICE).values_list("number", flat=True)
    assert len(numbers) == 2 and all(f"撤销通知{number}" in notice.body for number in numbers)
    page = client_for(minzheng_applicant).get(reverse("notifications:index")).content.decode()
    assert "场景共享授权终止" in page
