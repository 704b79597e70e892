"""GET /api/grants/check: the exchange platform's question, with per-system tokens and rate limits."""

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from catalog.services import negative_entry_create
from requests.api import MSG_BAD_TOKEN, MSG_NO_TOKEN, MSG_THROTTLED
from requests.models import ApiToken
from requests.services.grant_check import flush_grant_check_stats
from requests.services.grants import api_token_disable, api_token_issue, grant_revoke, grants_sweep
from tests.conftest import REDIS_URL
from tests.requests.grant_factory import login, make_grant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

URL = "/api/grants/check"
ALL_ITEMS = "房屋坐落,建筑面积,产权人身份证号"


@pytest.fixture(autouse=True)
def fresh_throttle():
    # The rate limit lives in the cache; a token id reused by a later test must start at zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(zhengshu):
    """The exchange platform's token, issued the way an operator does it."""
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", department="TH-ZS", name="市政务数据交换平台", stdout=out, stderr=err)
    return out.getvalue().strip()


def check(client, token, *, consumer="TH-GA", resource="220500-ZJ-00001", items="房屋坐落,建筑面积"):
    params = {"consumer": consumer, "resource": resource, "items": items}
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return client.get(URL, {k: v for k, v in params.items() if v is not None}, **headers)


def test_it_stores_only_the_hash_of_an_issued_token(token, zhengshu):
    stored = ApiToken.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.department == zhengshu and stored.name == "市政务数据交换平台"
    assert token.startswith(stored.prefix) and token not in (stored.token_hash, stored.prefix)
    assert len(token) > 40


def test_it_refuses_before_any_grant(client, token, housing_resource, gongan):
    body = check(client, token).json()
    assert body["allowed"] is False and body["reason"] == "no_grant"
    assert body["grant_number"] is None and body["valid_until"] is None
    assert body["items_not_covered"] == ["房屋坐落", "建筑面积"]


def test_it_allows_what_a_grant_covers(client, token, housing_grant):
    response = check(client, token)
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is True and body["reason"] == "granted"
    assert body["grant_number"] == housing_grant.number == "通住建共〔2026〕1号"
    assert body["valid_until"] == "2026-06-30" and body["valid_from"] == "2026-01-01"
    assert body["items_not_covered"] == [] and body["share_method"] == "query_api"
    assert (body["consumer"], body["resource"], body["items"]) == ("TH-GA", "220500-ZJ-00001", ["房屋坐落", "建筑面积"])
    # Full-width commas and blanks, as people type them, mean the same.
    assert check(client, token, items=" 房屋坐落 ，建筑面积,").json()["allowed"] is True
    # No items: is there a grant in force at all?
    assert check(client, token, items=None).json()["allowed"] is True


def test_it_names_the_items_not_granted(client, token, housing_grant):
    body = check(client, token, items=ALL_ITEMS + ",不存在的项").json()
    assert body["allowed"] is False and body["reason"] == "items_not_covered"
    assert body["items_not_covered"] == ["产权人身份证号", "不存在的项"]
    assert body["unknown_items"] == ["不存在的项"]
    assert body["grant_number"] == housing_grant.number


def test_it_refuses_another_consumer(client, token, housing_grant, caizheng):
    body = check(client, token, consumer="TH-CZ").json()
    assert body["allowed"] is False and body["reason"] == "no_grant"


def test_it_refuses_after_expiry_even_before_the_sweep(client, token, housing_grant, frozen):
    frozen.move_to("2026-06-30 23:00 +0800")
    assert check(client, token).json()["allowed"] is True  # the last valid day
    frozen.move_to("2026-07-01 00:30 +0800")
    body = check(client, token).json()
    assert body["allowed"] is False and body["reason"] == "expired"
    assert body["grant_state"] == "active" and body["valid_until"] == "2026-06-30"
    grants_sweep()
    body = check(client, token).json()
    assert (body["allowed"], body["reason"], body["grant_state"]) == (False, "expired", "expired")


def test_it_refuses_after_revocation(client, token, housing_grant, zhujian_reviewer):
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="超范围使用")
    body = check(client, token).json()
    assert (body["allowed"], body["reason"], body["grant_state"]) == (False, "revoked", "revoked")


def test_it_refuses_before_the_grant_starts(
    client, token, housing_resource, gongan_applicant, zhujian_reviewer, zhujian_leader
):
    make_grant(
        resource=housing_resource,
        applicant=gongan_applicant,
        decided_by=zhujian_reviewer,
        countersigned_by=zhujian_leader,
        valid_from=dt.date(2026, 4, 1),
        valid_to=dt.date(2026, 12, 31),
    )
    assert check(client, token).json()["reason"] == "not_yet_valid"


def test_it_uses_the_renewed_grant_once_the_old_one_lapses(
    client, token, housing_grant, housing_resource, gongan_applicant, zhujian_reviewer, frozen
):
    renewal = make_grant(
        resource=housing_resource,
        applicant=gongan_applicant,
        decided_by=zhujian_reviewer,
        item_names=["房屋坐落"],
        valid_from=dt.date(2026, 7, 1),
        valid_to=dt.date(2026, 12, 31),
    )
    frozen.move_to("2026-07-02 10:00 +0800")
    body = check(client, token, items="房屋坐落").json()
    assert body["allowed"] is True and body["grant_number"] == renewal.number
    assert check(client, token).json()["items_not_covered"] == ["建筑面积"]


def test_it_answers_any_department_s_token_about_any_consumer(client, housing_grant, gongan):
    # A token identifies the calling system, not the consumer: the platform checks for everyone.
    _, raw = api_token_issue(department=gongan, name="公安局前置机")
    assert check(client, raw).json()["allowed"] is True
    assert check(client, raw, consumer="TH-ZJ").json()["allowed"] is False


def test_it_answers_401_without_a_valid_token(client, token, housing_grant):
    missing = check(client, None)
    assert missing.status_code == 401 and missing["WWW-Authenticate"] == "Token"
    assert missing.json()["detail"] == MSG_NO_TOKEN
    assert check(client, "gs_not-a-token").status_code == 401
    assert check(client, "gs_not-a-token").json()["detail"] == MSG_BAD_TOKEN
    assert client.get(URL, {"consumer": "TH-GA"}, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    api_token_disable(actor=None, obj=ApiToken.objects.get())
    assert check(client, token).status_code == 401


def test_it_does_not_take_a_logged_in_session_for_a_token(client, token, housing_grant, coordinator):
    login(client, coordinator)
    assert check(client, None).status_code == 401


def test_it_stamps_last_used_from_the_flush_not_per_call(client, token, housing_grant):
    assert ApiToken.objects.get().last_used_at is None
    check(client, token)
    assert ApiToken.objects.get().last_used_at is None  # no database write per call
    flush_grant_check_stats()
    assert ApiToken.objects.get().last_used_at is not None


def test_it_rejects_bad_parameters(client, token, housing_grant):
    missing = check(client, token, consumer=None, resource=None)
    assert missing.status_code == 400 and set(missing.json()) == {"consumer", "resource"}
    unknown = check(client, token, consumer="TH-XX")
    assert unknown.status_code == 404 and "TH-XX" in unknown.json()["detail"]
    assert check(client, token, resource="999").status_code == 404


@override_settings(GRANT_CHECK_RATE="3/min")
def test_it_throttles_per_token(client, token, housing_grant, gongan, frozen):
    assert [check(client, token).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = check(client, token)
    assert refused.json()["detail"] == MSG_THROTTLED.format(wait=refused["Retry-After"])
    _, other = api_token_issue(department=gongan, name="公安局前置机")
    assert check(client, other).status_code == 200  # each system has its own budget
    frozen.shift(61)
    assert check(client, token).status_code == 200


@pytest.mark.integration
@override_settings(
    GRANT_CHECK_RATE="2/min",
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/7",
            "KEY_PREFIX": "govshare-test-grants",
        }
    },
)
def test_it_counts_in_redis_so_every_web_process_shares_the_limit(client, token, housing_grant):
    cache.clear()
    try:
        assert [check(client, token).status_code for _ in range(3)] == [200, 200, 429]
        history = [key for key in cache._cache.get_client().keys("govshare-test-grants:*")]
        assert any(b"throttle_grant_check_" in key for key in history)
    finally:
        cache.clear()


def test_it_is_in_the_openapi_schema(client):
    schema = json.loads(client.get("/api/schema/").content)
    operation = schema["paths"]["/api/grants/check"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"consumer", "resource", "items"}
    assert "GrantCheck" in schema["components"]["schemas"]


def test_it_refuses_items_listed_on_the_negative_list_after_the_grant(
    client, token, housing_grant, coordinator, privacy_law
):

    resource = housing_grant.resource
    entry = negative_entry_create(
        actor=coordinator,
        resource=resource,
        legal_basis=privacy_law,
        reason="产权人身份证号不对外共享",
        items=resource.items.filter(name="建筑面积"),
    )

    body = check(client, token).json()
    assert body["allowed"] is False and body["reason"] == "negative_list"
    assert body["items_not_covered"] == ["建筑面积"]
    assert body["grant_number"] == housing_grant.number
    assert check(client, token, items="房屋坐落").json()["allowed"] is True  # the other item stays granted

    entry.items.clear()  # now the entry lists the whole resource
    body = check(client, token, items="房屋坐落").json()
    assert (body["allowed"], body["reason"], body["items_not_covered"]) == (False, "negative_list", ["房屋坐落"])
    entry.is_active = False
    entry.save()
    assert check(client, token).json()["allowed"] is True
