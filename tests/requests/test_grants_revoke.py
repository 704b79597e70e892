"""Revocation: by the provider or the data bureau, with a reason, a revocation notice and the consumer told."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from requests.models import GrantState
from requests.services.grants import (
    MSG_NOT_ACTIVE,
    MSG_REVOKE_NEEDS_REASON,
    MSG_REVOKE_NOT_ALLOWED,
    GrantError,
    grant_revoke,
)
from tests.races import messages, run_concurrently
from tests.requests.grant_factory import login, reload
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def revocations(grant):
    ct = ContentType.objects.get_for_model(grant)
    return Record.objects.filter(type=RecordType.REVOCATION_NOTICE, subject_type=ct, subject_id=str(grant.pk))


def audit(grant, action):
    ct = ContentType.objects.get_for_model(grant)
    return list(AuditEvent.objects.filter(subject_type=ct, subject_id=str(grant.pk), action=action))


def test_it_revokes_with_a_record_an_audit_event_and_a_notice(
    housing_grant, zhujian_reviewer, gongan_applicant, gongan_leader, zhujian_leader
):
    grant = grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason=" 超出授权场景批量调用接口。", ip="10.1.2.3")

    grant = reload(grant)
    assert grant.state == GrantState.REVOKED
    assert (
        grant.revoked_by == zhujian_reviewer and grant.revoked_reason == "超出授权场景批量调用接口"
    )  # the notices add the full stop
    [record] = revocations(grant)
    assert record.number == "通住建共撤〔2026〕1号"
    assert record.issuer == zhujian_reviewer.department
    assert record.addressee == "市公安局"
    assert record.title == "关于撤销市公安局“房屋登记信息”共享授权的通知"
    data = json.loads(record.snapshot)["data"]
    assert data["reason"] == "超出授权场景批量调用接口"
    assert data["effective_on"] == "2026年3月2日"
    assert {"label": "授权信息项", "value": "房屋坐落、建筑面积"} in data["facts"]
    assert set(record.departments.values_list("code", flat=True)) == {"TH-GA", "TH-ZJ"}
    [event] = audit(grant, "share_requests.grant_revoked")
    assert (event.actor, event.from_state, event.to_state, event.ip) == (
        zhujian_reviewer,
        "active",
        "revoked",
        "10.1.2.3",
    )
    for user in (gongan_applicant, gongan_leader):
        [notice] = Notification.objects.filter(recipient=user, event="grant_revoked")
        assert "超出授权场景批量调用接口" in notice.body and record.number in notice.body
    # The provider revoked it itself: its own staff are not notified.
    assert not Notification.objects.filter(recipient=zhujian_leader, event="grant_revoked").exists()


def test_it_lets_the_data_bureau_revoke_and_tells_the_provider(
    housing_grant, coordinator, zhujian_reviewer, gongan_applicant
):
    grant_revoke(actor=coordinator, obj=housing_grant, reason="协调决定：数据安全风险")
    [record] = revocations(housing_grant)
    assert record.number == "通政数共撤〔2026〕1号"
    assert "经政数局协调" in json.loads(record.snapshot)["data"]["body"][0]
    assert Notification.objects.filter(recipient=zhujian_reviewer, event="grant_revoked").exists()
    assert Notification.objects.filter(recipient=gongan_applicant, event="grant_revoked").exists()


def test_it_lets_the_provider_leader_revoke(housing_grant, zhujian_leader):
    assert grant_revoke(actor=zhujian_leader, obj=housing_grant, reason="资源调整").state == GrantState.REVOKED


@pytest.mark.parametrize("who", ["gongan_applicant", "gongan_leader", "outsider", "auditor", "zhujian_clerk"])
def test_it_refuses_anyone_else(request, housing_grant, who):
    with pytest.raises(GrantError) as error:
        grant_revoke(actor=request.getfixturevalue(who), obj=housing_grant, reason="理由")
    assert str(error.value) == MSG_REVOKE_NOT_ALLOWED
    assert reload(housing_grant).state == GrantState.ACTIVE
    assert not revocations(housing_grant).exists()


def test_it_requires_a_reason_and_writes_nothing_without_one(housing_grant, zhujian_reviewer, gongan_applicant):
    with pytest.raises(GrantError) as error:
        grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="  ")
    assert str(error.value) == MSG_REVOKE_NEEDS_REASON
    assert reload(housing_grant).state == GrantState.ACTIVE
    assert not revocations(housing_grant).exists()
    assert audit(housing_grant, "share_requests.grant_revoked") == []
    assert not Notification.objects.filter(event="grant_revoked").exists()


def test_it_revokes_only_once(housing_grant, zhujian_reviewer, coordinator):
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="第一次")
    with pytest.raises(GrantError) as error:
        grant_revoke(actor=coordinator, obj=housing_grant, reason="第二次")
    assert str(error.value) == MSG_NOT_ACTIVE.format(state="已撤销", action="撤销")
    assert revocations(housing_grant).count() == 1


# --- over HTTP -------------------------------------------------------------------------------


def test_it_revokes_through_the_page(client, housing_grant, zhujian_reviewer, gongan_applicant):
    login(client, zhujian_reviewer)
    page = client.get(reverse("grants:detail", args=[housing_grant.pk]))
    assert page.status_code == 200 and "撤销授权" in page.content.decode()
    response = client.post(
        reverse("grants:revoke", args=[housing_grant.pk]), {"reason": "超范围使用"}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302 and response["Location"] == reverse("grants:detail", args=[housing_grant.pk])
    assert reload(housing_grant).state == GrantState.REVOKED
    assert audit(housing_grant, "share_requests.grant_revoked")[0].ip == "10.9.8.7"
    page = client.get(response["Location"]).content.decode()
    assert "超范围使用" in page and "通住建共撤〔2026〕1号" in page


def test_it_shows_the_missing_reason_and_keeps_the_grant(client, housing_grant, zhujian_reviewer):
    login(client, zhujian_reviewer)
    response = client.post(reverse("grants:revoke", args=[housing_grant.pk]), {"reason": ""})
    assert response.status_code == 400
    assert MSG_REVOKE_NEEDS_REASON in response.content.decode()
    assert reload(housing_grant).state == GrantState.ACTIVE


def test_a_second_revocation_says_why_on_the_page(client, housing_grant, zhujian_reviewer):
    login(client, zhujian_reviewer)
    url = reverse("grants:revoke", args=[housing_grant.pk])
    client.post(url, {"reason": "超范围使用"})

    response = client.post(url, {"reason": "超范围使用"}, follow=True)

    assert response.redirect_chain == [(reverse("grants:detail", args=[housing_grant.pk]), 302)]
    assert "该授权当前状态为“已撤销”，不能撤销。" in response.content.decode()
    assert len(audit(housing_grant, "share_requests.grant_revoked")) == 1


def test_the_revoke_url_opened_directly_leads_back_to_the_grant(client, housing_grant, zhujian_reviewer):
    login(client, zhujian_reviewer)
    response = client.get(reverse("grants:revoke", args=[housing_grant.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("grants:detail", args=[housing_grant.pk])
    assert reload(housing_grant).state == GrantState.ACTIVE


def test_it_answers_403_to_the_consumer_and_404_to_outsiders(client, housing_grant, gongan_applicant, outsider):
    login(client, gongan_applicant)
    page = client.get(reverse("grants:detail", args=[housing_grant.pk])).content.decode()
    assert 'data-testid="revoke"' not in page
    assert client.post(reverse("grants:revoke", args=[housing_grant.pk]), {"reason": "x"}).status_code == 403
    login(client, outsider)
    assert client.post(reverse("grants:revoke", args=[housing_grant.pk]), {"reason": "x"}).status_code == 404
    assert reload(housing_grant).state == GrantState.ACTIVE


def test_it_answers_403_to_the_auditor_who_changes_nothing(client, housing_grant, auditor):
    login(client, auditor)
    assert client.get(reverse("grants:detail", args=[housing_grant.pk])).status_code == 200
    assert client.post(reverse("grants:revoke", args=[housing_grant.pk]), {"reason": "x"}).status_code == 403
    assert reload(housing_grant).state == GrantState.ACTIVE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_issues_one_notice_when_provider_and_bureau_revoke_at_once(housing_grant, zhujian_reviewer, coordinator):
    def revoke(actor):
        grant_revoke(actor=actor, obj=housing_grant, reason=f"{actor.username} 撤销")
        return "revoked"

    outcomes = messages(run_concurrently(lambda: revoke(zhujian_reviewer), lambda: revoke(coordinator)), GrantError)
    assert sorted(outcomes) == sorted(["revoked", MSG_NOT_ACTIVE.format(state="已撤销", action="撤销")])
    assert revocations(housing_grant).count() == 1
    assert len(audit(housing_grant, "share_requests.grant_revoked")) == 1
