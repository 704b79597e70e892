"""Say a thing once, and only offer what is allowed: one message per notice, grant methods no broader than asked,
no empty rows in a decision."""

import pytest
from django.urls import reverse

from requests import rules
from requests import services as svc
from requests.forms import GrantForm
from requests.services import ApplicationError, application_grant
from tests.requests.helpers import client_for, full_terms, make_application

pytestmark = pytest.mark.usefixtures("frozen")


def _level2(resource):
    return list(resource.items.filter(security_level__lte=2))


# ---------------------------------------------------------------- one notice, shown once


def test_the_pending_application_warning_is_shown_once_above_the_form(gongan_applicant, housing_resource):
    pending = make_application(gongan_applicant, housing_resource, submit=False)
    client = client_for(gongan_applicant)
    page = client.get(f"{reverse('share_requests:apply')}?resource={housing_resource.pk}").content.decode()
    warning = svc.MSG_PENDING_APPLICATION.format(reference=pending.reference, state="草稿")
    assert page.count(warning) == 1
    snackbar = page.split("<vf-snackbar")[1].split("</vf-snackbar>")[0]
    assert snackbar.split(">", 1)[1].strip() == ""  # the toast that covered the attachment field is empty
    assert page.index('data-testid="messages"') < page.index('enctype="multipart/form-data"')  # above the form


def test_every_kind_of_page_shows_a_message_once(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource, submit=False)
    client = client_for(gongan_applicant)
    response = client.post(reverse("share_requests:action", args=[application.pk, "submit"]), follow=True)
    assert response.content.decode().count("申请已提交，当前状态：") == 1  # a domain page
    response = client.post(reverse("home:substitution_cancel", args=[999]), follow=True)
    assert response.content.decode().count("该代理已不存在") == 1  # a page of the engine (workflows)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert response.content.decode().count('data-testid="message"') == 1  # the notifications app


# ---------------------------------------------------------------- grant methods: only the allowed ones


def test_the_rule_allows_the_offered_methods_no_broader_than_asked(gongan_applicant, housing_resource):
    # 住建局's 房屋登记信息 offers 信息查询接口 and 批量库表交换.
    asks_query = make_application(gongan_applicant, housing_resource, share_method="query_api")
    asks_bulk = make_application(gongan_applicant, housing_resource, share_method="bulk_exchange", submit=False)
    assert rules.grantable_methods(asks_query) == ["query_api"]
    assert rules.grantable_methods(asks_bulk) == ["query_api", "bulk_exchange"]
    assert rules.is_broader("file_download", "query_api") and not rules.is_broader("file_download", "bulk_exchange")


def test_the_grant_form_offers_only_the_methods_the_rule_allows(gongan_applicant, housing_resource):
    asks_query = make_application(gongan_applicant, housing_resource, share_method="query_api")
    assert [value for value, _ in GrantForm(application=asks_query).fields["share_method"].choices] == ["query_api"]
    # Posted anyway (an old page, a crafted request), the broader one is refused by the form before the service.
    posted = GrantForm(
        {"share_method": "bulk_exchange", "period_start": "2026-03-02", "period_end": "2026-12-31"},
        application=asks_query,
    )
    assert not posted.is_valid() and "share_method" in posted.errors


def test_the_service_still_refuses_a_broader_method(gongan_applicant, housing_resource, zhujian_reviewer):
    asks_query = make_application(gongan_applicant, housing_resource, items=_level2(housing_resource))
    with pytest.raises(ApplicationError) as exc:
        application_grant(
            actor=zhujian_reviewer, obj=asks_query, terms=full_terms(asks_query, share_method="bulk_exchange")
        )
    assert exc.value.errors == {"share_method": [svc.MSG_METHOD_BROADER.format(requested="信息查询接口")]}


def test_the_reviewer_is_offered_only_the_allowed_methods_on_the_page(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    asks_query = make_application(gongan_applicant, housing_resource, share_method="query_api")
    asks_bulk = make_application(gongan_applicant, housing_resource, share_method="bulk_exchange")
    client = client_for(zhujian_reviewer)
    for application, offered in ((asks_query, ["query_api"]), (asks_bulk, ["query_api", "bulk_exchange"])):
        client.post(reverse("share_requests:action", args=[application.pk, "take"]))
        response = client.get(reverse("share_requests:detail", args=[application.pk]))
        field = response.context["grant_form"]["share_method"]
        assert [value for value, _ in field.field.choices] == offered
        assert ("批量库表交换" in str(field)) == ("bulk_exchange" in offered)


# ---------------------------------------------------------------- a decision's rows: none empty


def test_a_full_grant_shows_no_row_of_items_not_granted(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource, items=_level2(housing_resource))
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))
    page = client_for(gongan_applicant).get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    assert 'data-testid="granted-items"' in page
    assert "未授权信息项" not in page and 'data-testid="not-granted-items"' not in page


def test_a_counter_offer_names_the_items_withheld(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource, items=_level2(housing_resource))
    granted = [item for item in application.items.all() if item.name == "房屋坐落"]
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application, items=granted))
    page = client_for(gongan_applicant).get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    withheld = page.split('data-testid="not-granted-items">')[1].split("<")[0]
    assert withheld == "建筑面积"
