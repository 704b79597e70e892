"""Who sees which grant page, and the API token page. (Catalog withdrawal: test_grants_withdrawal.py.)"""

import hashlib

import pytest
from django.urls import reverse

from requests.models import ApiToken
from requests.services.grants import api_token_issue
from tests.requests.grant_factory import login
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def listed(client, scope=None) -> str:
    response = client.get(reverse("grants:index"), {"scope": scope} if scope else {})
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_held_grants_for_the_consumer_and_given_ones_for_the_provider(
    client, housing_grant, gongan_applicant, zhujian_reviewer
):
    number = housing_grant.number
    login(client, gongan_applicant)
    assert number in listed(client) and number in listed(client, "held")
    assert "2026-01-01 至 2026-06-30（剩 120 天）" in listed(client)  # frozen on 2026-03-02
    assert number not in listed(client, "given")
    assert client.get(reverse("grants:index"), {"scope": "all"}).status_code == 404
    login(client, zhujian_reviewer)
    assert number in listed(client, "given") and number not in listed(client, "held")


@pytest.mark.parametrize("who", ["coordinator", "auditor"])
def test_it_lists_every_grant_for_the_bureau_and_auditors(request, client, housing_grant, who):
    login(client, request.getfixturevalue(who))
    page = listed(client)  # "all" is their default
    assert housing_grant.number in page and "全部授权" in page


def test_it_filters_by_state(client, housing_grant, coordinator):
    login(client, coordinator)
    assert housing_grant.number in client.get(reverse("grants:index"), {"state": "active"}).content.decode()
    assert housing_grant.number not in client.get(reverse("grants:index"), {"state": "revoked"}).content.decode()


def test_it_hides_grants_from_other_departments(client, housing_grant, outsider):
    login(client, outsider)
    assert housing_grant.number not in listed(client, "held") + listed(client, "given")
    assert client.get(reverse("grants:detail", args=[housing_grant.pk])).status_code == 404


@pytest.mark.parametrize("who", ["gongan_applicant", "zhujian_reviewer", "coordinator", "auditor"])
def test_it_shows_the_grant_to_its_parties_the_bureau_and_auditors(request, client, housing_grant, who):
    login(client, request.getfixturevalue(who))
    page = client.get(reverse("grants:detail", args=[housing_grant.pk])).content.decode()
    for text in (
        housing_grant.number,
        "房屋坐落",
        "建筑面积",
        "信息查询接口",
        "仅用于户籍迁入业务办理中的住所核验",
        "不得向第三方转授或提供",
        "2026年1月1日 至 2026年6月30日",
        "审核意见书",
    ):
        assert text in page
    assert "产权人身份证号" not in page  # not granted
    assert ('data-testid="revoke"' in page) == (who in ("zhujian_reviewer", "coordinator"))
    assert ('data-testid="renew"' in page) == (who == "gongan_applicant")


def test_it_sends_anonymous_users_to_log_in(client, housing_grant):
    response = client.get(reverse("grants:detail", args=[housing_grant.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/grants/check").status_code == 401


def test_it_shows_the_menu_entries_a_user_may_open(client, coordinator, gongan_applicant):
    login(client, coordinator)
    page = listed(client)
    assert "接口令牌" in page
    login(client, gongan_applicant)
    assert "接口令牌" not in listed(client)


def test_it_lets_the_bureau_issue_a_token_shown_once_and_disable_it(client, coordinator, zhengshu):
    login(client, coordinator)
    response = client.post(
        reverse("grants:tokens"), {"name": "市政务数据交换平台", "department": zhengshu.pk}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert AuditEvent.objects.get(action="share_requests.api_token_issued").ip == "10.1.2.3"
    raw = response.context["issued"][1]
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    assert raw in response.content.decode()
    assert raw not in client.get(reverse("grants:tokens")).content.decode()  # only that once
    response = client.post(reverse("grants:token_disable", args=[token.pk]))
    assert response.status_code == 302
    assert ApiToken.objects.get().is_active is False


def test_it_rejects_a_token_without_a_name(client, coordinator, zhengshu):
    login(client, coordinator)
    response = client.post(reverse("grants:tokens"), {"name": "", "department": zhengshu.pk})
    assert response.status_code == 400 and "请填写使用令牌的系统名称。" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "zhujian_reviewer", "gongan_applicant"])
def test_it_hides_the_token_pages_from_everyone_else(request, client, who, zhengshu):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("grants:tokens")).status_code == 404
    assert client.post(reverse("grants:tokens"), {"name": "x", "department": zhengshu.pk}).status_code == 404
    assert not ApiToken.objects.exists()
    token, _ = api_token_issue(department=zhengshu, name="市政务数据交换平台")
    assert client.post(reverse("grants:token_disable", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get().is_active


def test_it_marks_a_grant_not_yet_in_force_and_links_its_application(client, housing_grant, gongan_applicant):
    import datetime as dt

    housing_grant.__class__.objects.filter(pk=housing_grant.pk).update(valid_from=dt.date(2026, 4, 1))
    login(client, gongan_applicant)

    assert "（4月1日起生效）" in listed(client)
    page = client.get(reverse("grants:detail", args=[housing_grant.pk])).content.decode()
    assert f'href="{reverse("share_requests:detail", args=[housing_grant.application_id])}"' in page
    assert ">尚未生效</span>" in page and "（2026-04-01起生效）" in page  # not "有效（不在有效期内）"
