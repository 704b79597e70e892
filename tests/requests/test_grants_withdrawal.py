"""A catalog withdrawal ends the resource's grants: revoked, a revocation notice each, the consumer told,
and the check API answers no, in the withdrawal's own transaction."""

import datetime as dt
import json
import threading
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog.models import DataResource, ResourceStatus
from catalog.services import CatalogError, resource_withdraw
from notifications.models import Notification, OutboundEmail
from pdf_templates.models import Record, RecordType
from pdf_templates.services import ISSUER_INCOMPLETE
from requests import services as applications
from requests.models import ApplicationState, Decision, Grant, GrantState, RefusalReason, ShareApplication
from requests.services import ApplicationError, application_grant, application_refuse, decisions
from requests.services.grants import MSG_NOT_ACTIVE, GrantError, api_token_issue, grant_revoke, grants_sweep
from tests.races import messages, run_concurrently
from tests.requests.grant_factory import grant_written_directly, login, make_grant, reload
from tests.requests.helpers import full_terms, make_application
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

REASON = "系统关停，数据迁入省平台"


@pytest.fixture
def finance_grant(housing_resource, outsider, zhujian_reviewer, zhujian_leader):
    """财政局 holds a grant of the same resource."""
    return make_grant(
        resource=housing_resource, applicant=outsider, decided_by=zhujian_reviewer, countersigned_by=zhujian_leader
    )


def revocation_of(grant) -> Record:
    return Record.objects.get(type=RecordType.REVOCATION_NOTICE, subject_type__model="grant", subject_id=str(grant.pk))


def test_it_revokes_every_active_grant_with_a_notice_each(
    housing_grant, finance_grant, housing_resource, zhujian_clerk
):
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON, ip="10.1.2.3")

    for grant, consumer in ((housing_grant, "市公安局"), (finance_grant, "市财政局")):
        grant = reload(grant)
        assert grant.state == GrantState.REVOKED
        assert grant.revoked_by == zhujian_clerk
        assert grant.revoked_reason == f"数据资源已从目录撤销（{REASON}）"
        record = revocation_of(grant)
        assert record.issuer.code == "TH-ZJ" and record.addressee == consumer
        data = json.loads(record.snapshot)["data"]
        assert "因市住建局已将该数据资源从政务数据资源目录中撤销，现决定予以撤销。" in data["body"][0]
        assert data["reason"] == grant.revoked_reason
        [event] = AuditEvent.objects.filter(
            subject_type__model="grant", subject_id=str(grant.pk), action="share_requests.grant_revoked"
        )
        assert (event.actor, event.to_state, event.ip) == (zhujian_clerk, "revoked", "10.1.2.3")
    numbers = {revocation_of(g).number for g in (housing_grant, finance_grant)}
    assert numbers == {"通住建共撤〔2026〕1号", "通住建共撤〔2026〕2号"}


def test_it_tells_the_consumer_once_by_the_revocation(
    housing_grant, housing_resource, zhujian_clerk, gongan_applicant, gongan_leader, zhujian_reviewer, outsider
):
    gongan_applicant.email = "ga@example.gov.cn"
    gongan_applicant.save(update_fields=["email"])
    earlier = list(Notification.objects.values_list("pk", flat=True))  # the grant's own decision told its people
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)

    told = Notification.objects.exclude(pk__in=earlier)
    number = revocation_of(housing_grant).number
    for user in (gongan_applicant, gongan_leader):
        [notice] = told.filter(recipient=user)
        assert notice.event == "grant_revoked"
        assert (
            notice.title
            == f"授权已撤销：{housing_grant.number} 房屋登记信息（{housing_grant.provider_department.name}）"
        )
        assert f"理由：数据资源已从目录撤销（{REASON}）" in notice.body
        assert number in notice.body and "自即日起停止使用相关共享数据" in notice.body
        assert notice.link == reverse("grants:detail", args=[housing_grant.pk])
    [email] = OutboundEmail.objects.filter(to_address=gongan_applicant.email)
    assert REASON in email.body_text and number in email.body_text
    # The provider withdrew it itself; nobody else holds anything.
    assert not told.filter(recipient__in=[zhujian_reviewer, outsider]).exists()


def test_it_tells_the_provider_when_the_bureau_withdraws(
    housing_grant, housing_resource, coordinator, zhujian_reviewer
):
    resource_withdraw(actor=coordinator, obj=housing_resource, reason="数据质量长期不达标")
    record = revocation_of(housing_grant)
    assert record.number == "通政数共撤〔2026〕1号"
    assert "因市政数局已将该数据资源从政务数据资源目录中撤销" in json.loads(record.snapshot)["data"]["body"][0]
    assert Notification.objects.filter(recipient=zhujian_reviewer, event="grant_revoked").exists()


def test_it_leaves_ended_grants_as_they_are(
    housing_resource, gongan_applicant, zhujian_reviewer, zhujian_leader, zhujian_clerk
):
    old = make_grant(
        resource=housing_resource,
        applicant=gongan_applicant,
        decided_by=zhujian_reviewer,
        countersigned_by=zhujian_leader,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 12, 31),
    )
    grants_sweep()
    assert reload(old).state == GrantState.EXPIRED
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
    assert reload(old).state == GrantState.EXPIRED
    assert not Record.objects.filter(type=RecordType.REVOCATION_NOTICE).exists()


def test_it_withdraws_nothing_when_a_grant_cannot_be_revoked(housing_grant, housing_resource, zhujian_clerk, zhujian):
    zhujian.short_name = ""  # no document number can be issued for 住建局
    zhujian.save(update_fields=["short_name"])
    notices = Notification.objects.count()  # the resource's registration told its people
    with pytest.raises(CatalogError) as error:
        resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
    assert str(error.value) == ISSUER_INCOMPLETE.format(issuer=zhujian)
    assert DataResource.objects.get(pk=housing_resource.pk).status == ResourceStatus.REGISTERED
    assert reload(housing_grant).state == GrantState.ACTIVE
    assert not AuditEvent.objects.filter(
        action__in=["catalog.resource_withdrawn", "share_requests.grant_revoked"]
    ).exists()
    assert Notification.objects.count() == notices


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_issues_one_notice_when_a_revocation_and_the_withdrawal_meet(
    housing_grant, housing_resource, zhujian_reviewer, zhujian_clerk
):

    def revoke():
        grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="超范围使用")
        return "revoked"

    def withdraw():
        resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
        return "withdrawn"

    outcomes = messages(run_concurrently(revoke, withdraw), GrantError)
    # Both finish (no deadlock); whichever came second found the grant revoked: the withdrawal
    # leaves it alone, a revocation refuses.
    assert sorted(outcomes) in (
        sorted(["revoked", "withdrawn"]),
        sorted([MSG_NOT_ACTIVE.format(state="已撤销", action="撤销"), "withdrawn"]),
    )
    assert DataResource.objects.get(pk=housing_resource.pk).status == ResourceStatus.WITHDRAWN
    assert reload(housing_grant).state == GrantState.REVOKED
    assert Record.objects.filter(type=RecordType.REVOCATION_NOTICE).count() == 1
    assert AuditEvent.objects.filter(action="share_requests.grant_revoked").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_decision_granting_while_the_resource_is_withdrawn_does_not_deadlock(
    monkeypatch, gongan_applicant, housing_resource, zhujian_reviewer, zhujian_clerk
):
    # The decision holds the audit chain's lock when it inserts its grant (a key-share lock on the
    # resource); the withdrawal holds the resource and then waits for the chain. Its row lock must
    # not block the insert, or each waits for the other.
    application = make_application(
        gongan_applicant, housing_resource, items=list(housing_resource.items.filter(security_level__lte=2))
    )
    decision_holds_chain, withdrawal_started = threading.Event(), threading.Event()
    create_grant = decisions.grant_create_from_decision

    def grant_after_the_withdrawal_locked(**kwargs):
        decision_holds_chain.set()
        withdrawal_started.wait(5)
        time.sleep(0.5)  # the withdrawal now holds the resource row and waits for the chain
        return create_grant(**kwargs)

    monkeypatch.setattr(decisions, "grant_create_from_decision", grant_after_the_withdrawal_locked)

    def withdraw():
        decision_holds_chain.wait(5)
        withdrawal_started.set()
        resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)

    outcomes = run_concurrently(
        lambda: application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application)), withdraw
    )
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]

    assert errors == []
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.GRANTED
    assert DataResource.objects.get(pk=housing_resource.pk).status == ResourceStatus.WITHDRAWN
    # The withdrawal waited for the decision's hold on the resource, then ended its grant too.
    assert Grant.objects.get(application=application).state == GrantState.REVOKED


def test_a_withdrawn_resource_is_not_granted_but_may_be_refused(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_clerk
):
    application = make_application(
        gongan_applicant, housing_resource, items=list(housing_resource.items.filter(security_level__lte=2))
    )
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
    events, records = AuditEvent.objects.count(), Record.objects.count()

    with pytest.raises(ApplicationError) as exc:
        application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    assert exc.value.message == applications.MSG_RESOURCE_WITHDRAWN
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW
    assert not Decision.objects.exists() and not Grant.objects.filter(application=application).exists()
    assert (AuditEvent.objects.count(), Record.objects.count()) == (events, records)

    reason = RefusalReason.objects.get(code="SCOPE_EXCESSIVE")
    application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text="资源已撤销")
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.REFUSED


# --- the check API ---------------------------------------------------------------------------


@pytest.fixture
def token(zhengshu):
    cache.clear()  # the rate limit counts per token id in the cache
    return api_token_issue(department=zhengshu, name="市政务数据交换平台")[1]


def check(client, token, items="房屋坐落,建筑面积") -> dict:
    response = client.get(
        "/api/grants/check",
        {"consumer": "TH-GA", "resource": "220500-ZJ-00001", "items": items},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 200
    return response.json()


def test_the_check_api_refuses_a_withdrawn_resource(client, token, housing_grant, housing_resource, zhujian_clerk):
    assert check(client, token)["allowed"] is True
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
    body = check(client, token)
    assert (body["allowed"], body["reason"]) == (False, "resource_withdrawn")
    assert body["grant_number"] == housing_grant.number and body["grant_state"] == "revoked"
    assert body["items_not_covered"] == ["房屋坐落", "建筑面积"]


def test_the_check_api_refuses_a_grant_left_active_on_a_withdrawn_resource(
    client, token, housing_resource, gongan_applicant, zhujian_reviewer, zhujian_clerk
):
    # A decision racing the withdrawal can commit a grant after the withdrawal revoked the others.
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
    late = grant_written_directly(
        resource=DataResource.objects.get(pk=housing_resource.pk),
        applicant=gongan_applicant,
        decided_by=zhujian_reviewer,
    )
    assert reload(late).state == GrantState.ACTIVE
    body = check(client, token)
    assert (body["allowed"], body["reason"], body["grant_state"]) == (False, "resource_withdrawn", "active")


# --- over HTTP -------------------------------------------------------------------------------


def test_the_withdraw_form_warns_and_the_withdrawal_revokes(
    client, housing_grant, finance_grant, housing_resource, zhujian_clerk, gongan_applicant
):
    detail = reverse("catalog:resource_detail", args=[housing_resource.pk])
    login(client, zhujian_clerk)
    page = client.get(detail).content.decode()
    assert "该资源有 2 项有效的共享授权，撤销资源将同时撤销这些授权，并向使用部门发出撤销通知。" in page
    response = client.post(
        reverse("catalog:resource_action", args=[housing_resource.pk, "withdraw"]), {"reason": REASON}
    )
    assert response.status_code == 302
    assert {reload(g).state for g in (housing_grant, finance_grant)} == {GrantState.REVOKED}

    login(client, gongan_applicant)  # the consumer sees the grant ended and why
    page = client.get(reverse("grants:detail", args=[housing_grant.pk])).content.decode()
    assert "已撤销" in page and REASON in page and revocation_of(housing_grant).number in page


def test_the_withdraw_form_says_nothing_without_active_grants(client, housing_resource, zhujian_clerk):
    login(client, zhujian_clerk)
    page = client.get(reverse("catalog:resource_detail", args=[housing_resource.pk])).content.decode()
    assert "撤销资源" in page and 'data-testid="grants-to-revoke"' not in page
