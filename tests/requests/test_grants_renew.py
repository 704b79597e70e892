"""Renewal: a draft application pre-filled from the grant, for the consumer's applicant."""

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse

from catalog.services import resource_withdraw
from notifications.models import Notification
from requests.models import ApplicationState, ShareApplication
from requests.selectors import pending_application
from requests.services import ApplicationError, application_grant, application_submit
from requests.services.grants import (
    MSG_RENEW_ENDLESS,
    MSG_RENEW_NOT_ALLOWED,
    MSG_RENEW_OPEN,
    MSG_RENEW_RESOURCE_GONE,
    MSG_RENEW_REVOKED,
    MSG_RENEWED,
    GrantError,
    grant_renew,
    grant_revoke,
    grants_sweep,
)
from tests.requests.grant_factory import login, reload
from tests.requests.helpers import full_terms, make_application
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen"), pytest.mark.frozen_at("2026-06-10 10:00 +0800")]


def test_it_prefills_a_draft_from_the_grant(housing_grant, gongan_applicant):
    application = grant_renew(actor=gongan_applicant, obj=housing_grant)

    assert application.state == ApplicationState.DRAFT
    assert application.renews_grant == housing_grant
    assert application.previous_application == housing_grant.application
    assert application.applicant == gongan_applicant
    assert application.applicant_department == housing_grant.consumer_department
    assert application.provider_department == housing_grant.provider_department
    assert application.resource == housing_grant.resource
    assert sorted(application.items.values_list("name", flat=True)) == ["建筑面积", "房屋坐落"]
    assert application.share_method == housing_grant.share_method
    source = housing_grant.application
    assert (application.scenario, application.business_matter, application.purposes) == (
        source.scenario,
        source.business_matter,
        source.purposes,
    )
    assert application.need_legal_basis == source.need_legal_basis
    # The new period starts when the old one ends and is as long (2026-01-01..06-30: 180 days).
    assert application.period_start == dt.date(2026, 7, 1)
    assert application.period_end == dt.date(2026, 7, 1) + dt.timedelta(days=180)
    assert application.applied_before and housing_grant.number in application.earlier_outcome
    assert (
        AuditEvent.objects.filter(action="share_requests.grant_renewal_started", comment=application.reference).count()
        == 1
    )


def test_it_starts_today_when_the_grant_has_expired(housing_grant, gongan_applicant, frozen):
    frozen.move_to("2026-08-03 09:00 +0800")
    grants_sweep()
    application = grant_renew(actor=gongan_applicant, obj=reload(housing_grant))
    assert application.period_start == dt.date(2026, 8, 3)


def test_it_returns_the_draft_already_started(housing_grant, gongan_applicant):
    first = grant_renew(actor=gongan_applicant, obj=housing_grant)
    assert grant_renew(actor=gongan_applicant, obj=housing_grant) == first
    assert ShareApplication.objects.filter(renews_grant=housing_grant).count() == 1


def test_it_refuses_a_second_renewal_while_one_is_open(housing_grant, gongan_applicant, zhujian_reviewer):
    draft = grant_renew(actor=gongan_applicant, obj=housing_grant)
    draft = application_submit(actor=gongan_applicant, obj=draft)
    assert draft.state == ApplicationState.IN_REVIEW
    with pytest.raises(GrantError) as error:
        grant_renew(actor=gongan_applicant, obj=housing_grant)
    assert str(error.value) == MSG_RENEW_OPEN.format(reference=draft.reference)
    # Once the renewal is granted, there is nothing left to renew.
    application_grant(actor=zhujian_reviewer, obj=draft, terms=full_terms(draft))
    assert ShareApplication.objects.get(pk=draft.pk).state == ApplicationState.GRANTED
    with pytest.raises(GrantError) as error:
        grant_renew(actor=gongan_applicant, obj=housing_grant)
    assert str(error.value) == MSG_RENEWED.format(reference=draft.reference)


@pytest.mark.parametrize("who", ["zhujian_reviewer", "gongan_leader", "outsider", "coordinator"])
def test_it_lets_only_the_consumers_applicant_renew(request, housing_grant, who):
    with pytest.raises(GrantError) as error:
        grant_renew(actor=request.getfixturevalue(who), obj=housing_grant)
    assert str(error.value) == MSG_RENEW_NOT_ALLOWED
    assert not ShareApplication.objects.filter(renews_grant=housing_grant).exists()


def test_it_does_not_renew_a_revoked_grant(housing_grant, gongan_applicant, zhujian_reviewer):
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="超范围使用")
    # Both a fresh copy and one loaded before the revocation (checked again under the lock).
    for grant in (reload(housing_grant), housing_grant):
        with pytest.raises(GrantError) as error:
            grant_renew(actor=gongan_applicant, obj=grant)
        assert str(error.value) == MSG_RENEW_REVOKED
    assert not ShareApplication.objects.filter(renews_grant=housing_grant).exists()


def test_a_renewal_started_before_the_revocation_cannot_be_submitted(housing_grant, gongan_applicant, zhujian_reviewer):
    draft = grant_renew(actor=gongan_applicant, obj=housing_grant)
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="申请部门违规转授数据")

    with pytest.raises(ApplicationError) as error:
        application_submit(actor=gongan_applicant, obj=draft)

    assert error.value.message == MSG_RENEW_REVOKED
    assert ShareApplication.objects.get(pk=draft.pk).state == ApplicationState.DRAFT


def test_the_renewal_draft_of_a_revoked_grant_says_so_and_stops_counting_as_pending(
    housing_grant, gongan_applicant, zhujian_reviewer, client
):
    draft = grant_renew(actor=gongan_applicant, obj=housing_grant)
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="申请部门违规转授数据")
    login(client, gongan_applicant)

    page = client.get(reverse("share_requests:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="renewal-revoked"' in page and "提交申请</button>" not in page and "撤回申请" in page
    notice = Notification.objects.filter(recipient=gongan_applicant, event="grant_revoked").get()
    assert f"续期申请草稿{draft.reference}不能再提交，请撤回。" in notice.body
    assert pending_application(gongan_applicant.department, housing_grant.resource) is None
    assert client.get(reverse("share_requests:edit", args=[draft.pk])).status_code == 403  # nothing to edit for


def test_the_reviewer_sees_that_an_earlier_grant_was_revoked(housing_grant, gongan_applicant, zhujian_reviewer, client):
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="申请部门违规转授数据")
    application = make_application(gongan_applicant, housing_grant.resource)

    page = login(client, zhujian_reviewer).get(reverse("share_requests:detail", args=[application.pk])).content.decode()

    history = page[page.index('data-testid="history"') :]
    assert f"{housing_grant.application.reference}</a>" in history
    assert "授权已撤销：申请部门违规转授数据" in history


def test_applied_before_mentions_the_revocation(housing_grant, gongan_applicant, zhujian_reviewer, client):
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="发现申请材料不实")
    login(client, gongan_applicant)

    page = client.get(f"{reverse('share_requests:apply')}?resource={housing_grant.resource.pk}")

    earlier = page.context["form"].initial["earlier_outcome"]
    source = housing_grant.application
    assert earlier == (
        f"{source.reference}：{source.get_state_display()}，授权{housing_grant.number}已撤销，理由：发现申请材料不实"
    )


def test_it_does_not_renew_a_withdrawn_resource(
    housing_grant, housing_resource, gongan_applicant, zhujian_clerk, frozen
):
    frozen.move_to("2026-08-03 09:00 +0800")
    grants_sweep()  # expired first, so the withdrawal leaves it expired (an active one it would revoke)
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason="系统关停")
    with pytest.raises(GrantError) as error:
        grant_renew(actor=gongan_applicant, obj=reload(housing_grant))
    assert str(error.value) == MSG_RENEW_RESOURCE_GONE.format(resource=housing_resource, status="已撤销")


# --- over HTTP -------------------------------------------------------------------------------


def test_it_renews_from_the_grant_page(client, housing_grant, gongan_applicant):
    login(client, gongan_applicant)
    url = reverse("grants:detail", args=[housing_grant.pk])
    assert 'data-testid="renew"' in client.get(url).content.decode()
    response = client.post(reverse("grants:renew", args=[housing_grant.pk]))
    application = ShareApplication.objects.get(renews_grant=housing_grant)
    assert response.status_code == 302
    try:
        assert response["Location"] == reverse("share_requests:edit", args=[application.pk])
    except NoReverseMatch:
        # Until the application editor exists, the grant page names the draft.
        assert response["Location"] == url
        assert f"已生成续期申请草稿 {application.reference}" in client.get(url).content.decode()
    assert application.reference in client.get(url).content.decode()  # listed under 续期申请


def test_it_answers_403_to_the_provider_and_404_to_outsiders(client, housing_grant, zhujian_reviewer, outsider):
    login(client, zhujian_reviewer)
    assert 'data-testid="renew"' not in client.get(reverse("grants:detail", args=[housing_grant.pk])).content.decode()
    assert client.post(reverse("grants:renew", args=[housing_grant.pk])).status_code == 403
    login(client, outsider)
    assert client.post(reverse("grants:renew", args=[housing_grant.pk])).status_code == 404
    assert not ShareApplication.objects.filter(renews_grant=housing_grant).exists()


def test_it_renews_with_an_offered_method_when_the_catalog_dropped_the_granted_one(
    housing_grant, gongan_applicant, zhujian_clerk
):
    from catalog.services import resource_update

    resource = housing_grant.resource
    assert housing_grant.share_method == "query_api"
    items = [
        {"id": i.pk, **{f: getattr(i, f) for f in ("name", "data_type", "length", "precision", "security_level")}}
        for i in resource.current_items()
    ]
    resource_update(actor=zhujian_clerk, obj=resource, data={"query_api": False, "bulk_exchange": True}, items=items)

    application = grant_renew(actor=gongan_applicant, obj=housing_grant)

    assert application.state == ApplicationState.DRAFT and application.share_method == "bulk_exchange"


def test_a_grant_to_the_end_of_the_calendar_says_it_needs_no_renewal(client, housing_grant, gongan_applicant):
    housing_grant.__class__.objects.filter(pk=housing_grant.pk).update(valid_to=dt.date.max)
    login(client, gongan_applicant)

    response = client.post(reverse("grants:renew", args=[housing_grant.pk]), follow=True)

    assert response.status_code == 200
    assert MSG_RENEW_ENDLESS in response.content.decode()
    assert not ShareApplication.objects.filter(renews_grant=housing_grant).exists()


def test_a_renewal_lasts_at_most_the_longest_period_an_application_may_ask_for(
    housing_grant, gongan_applicant, settings
):
    settings.SHARE_MAX_PERIOD_YEARS = 1
    housing_grant.__class__.objects.filter(pk=housing_grant.pk).update(valid_from=dt.date(2020, 1, 1))

    application = grant_renew(actor=gongan_applicant, obj=reload(housing_grant))

    assert (application.period_start, application.period_end) == (dt.date(2026, 7, 1), dt.date(2027, 7, 1))
