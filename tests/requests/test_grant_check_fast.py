"""The grant check in the hot path (issue 15, item 8 and B10): bounded queries, atomic rate limits,
wrong tokens throttled per address, call statistics without a database write per call."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.throttling import SimpleRateThrottle

from catalog.services import negative_entry_create
from requests.api import MSG_BAD_TOKEN, MSG_BAD_TOKEN_THROTTLED, Window
from requests.models import ApiToken, GrantCheckStat
from requests.services.grant_check import flush_grant_check_stats
from requests.services.grants import api_token_disable, api_token_issue, grant_revoke
from tests.conftest import REDIS_URL
from tests.races import run_concurrently
from tests.requests.grant_factory import make_grant

URL = "/api/grants/check"
# A cache whose calls take a round trip's time: a read-then-write counter loses updates on it, as on Redis.
SLOW_CACHE = {"default": {"BACKEND": "tests.requests.slow_cache.SlowLocMemCache", "LOCATION": "grant-check-race"}}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def raw_token(zhengshu):
    return api_token_issue(department=zhengshu, name="市政务数据交换平台")[1]


def check(client, token, *, consumer="TH-GA", resource="220500-ZJ-00001", items="房屋坐落,建筑面积", **extra):
    params = {"consumer": consumer, "resource": resource, "items": items}
    return client.get(
        URL, {k: v for k, v in params.items() if v is not None}, HTTP_AUTHORIZATION=f"Token {token}", **extra
    )


# --- at most 2 queries a call, whatever the answer ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_every_answer_costs_at_most_two_queries_and_no_write(
    client, raw_token, housing_grant, housing_resource, gongan_applicant, zhujian_reviewer, coordinator, privacy_law,
    django_assert_max_num_queries, caizheng,
):  # fmt: skip
    make_grant(  # a second grant of the pair, not yet valid: the check weighs both
        resource=housing_resource,
        applicant=gongan_applicant,
        decided_by=zhujian_reviewer,
        item_names=["房屋坐落"],
        valid_from=dt.date(2026, 7, 1),
        valid_to=dt.date(2026, 12, 31),
    )

    def answer(**kwargs):
        with django_assert_max_num_queries(2):  # the token, then everything else
            response = check(client, raw_token, **kwargs)
        return response.status_code, response.json().get("reason")

    assert answer() == (200, "granted")
    assert answer(items=None) == (200, "granted")
    assert answer(items="房屋坐落,产权人身份证号,不存在的项") == (200, "items_not_covered")
    assert answer(consumer="TH-CZ") == (200, "no_grant")
    assert answer(consumer="TH-XX") == (404, None)
    assert answer(resource="999") == (404, None)
    negative_entry_create(
        actor=coordinator,
        resource=housing_resource,
        legal_basis=privacy_law,
        reason="不对外共享",
        items=housing_resource.items.filter(name="建筑面积"),
    )
    assert answer() == (200, "negative_list")
    assert answer(items="房屋坐落") == (200, "granted")
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="超范围使用")
    assert answer(items="房屋坐落") == (200, "not_yet_valid")
    with django_assert_max_num_queries(1):  # a wrong token: its lookup only
        assert check(client, "gs_wrong").status_code == 401
    assert ApiToken.objects.get().last_used_at is None  # no write per call


# --- the rate limit is atomic -------------------------------------------------------------------


def test_every_throttle_of_the_project_counts_atomically():
    """DRF's SimpleRateThrottle reads a history and writes it back: concurrent calls get past its limit.

    No view may use it (or a subclass); the project's throttles count with Window's atomic increment.
    """
    from django.conf import settings

    assert not settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_CLASSES")

    def views(resolver):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern)
            elif isinstance(pattern, URLPattern):
                yield getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)

    throttled = {view: view.throttle_classes for view in views(get_resolver()) if getattr(view, "throttle_classes", [])}
    for view, classes in throttled.items():
        assert not any(issubclass(cls, SimpleRateThrottle) for cls in classes), view


@override_settings(CACHES=SLOW_CACHE)
def test_a_window_lets_exactly_its_limit_through_concurrent_callers():
    window = Window("test_scope", "x", "5/min", now=1_000_000.0)
    outcomes = run_concurrently(*[window.count for _ in range(16)])
    assert sorted(outcomes) == list(range(1, 17))  # each caller its own count: no lost update
    assert sum(count <= window.limit for count in outcomes) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(GRANT_CHECK_RATE="5/min", CACHES=SLOW_CACHE)
def test_concurrent_calls_over_the_limit_let_exactly_the_limit_through(raw_token, housing_grant, frozen):
    def call():
        return check(Client(), raw_token).status_code

    statuses = run_concurrently(*[call for _ in range(12)])
    assert sorted(statuses) == [200] * 5 + [429] * 7


# --- wrong tokens, per address ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
@override_settings(GRANT_CHECK_BAD_TOKEN_RATE="3/min")
def test_wrong_tokens_from_one_address_get_429_after_the_threshold(client, raw_token, housing_grant, frozen):
    attacker = {"REMOTE_ADDR": "10.6.6.6"}
    wrong = [check(client, f"gs_guess{n}", **attacker) for n in range(3)]
    assert [r.status_code for r in wrong] == [401, 401, 401]
    assert wrong[0].json()["detail"] == MSG_BAD_TOKEN
    refused = check(client, "gs_guess4", **attacker)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["detail"] == MSG_BAD_TOKEN_THROTTLED.format(wait=refused["Retry-After"])
    # Even the right token: the address is refused until the window ends.
    assert check(client, raw_token, **attacker).status_code == 429
    assert check(client, raw_token, REMOTE_ADDR="10.1.1.1").status_code == 200  # another address is not
    frozen.shift(61)
    assert check(client, raw_token, **attacker).status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
@override_settings(GRANT_CHECK_BAD_TOKEN_RATE="2/min")
def test_a_disabled_or_malformed_token_counts_as_a_wrong_one(client, raw_token, housing_grant):
    api_token_disable(actor=None, obj=ApiToken.objects.get())
    assert check(client, raw_token).status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION="Token a b").status_code == 401
    assert check(client, "gs_other").status_code == 429


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(GRANT_CHECK_BAD_TOKEN_RATE="4/min", CACHES=SLOW_CACHE)
def test_concurrent_wrong_tokens_answer_at_most_the_threshold_with_401(raw_token, housing_grant, frozen):
    def guess():
        return check(Client(), "gs_guess").status_code

    statuses = run_concurrently(*[guess for _ in range(10)])
    assert statuses.count(401) <= 4 and statuses.count(401) + statuses.count(429) == 10
    assert check(Client(), raw_token).status_code == 429


# --- call statistics ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_the_flush_writes_the_day_s_calls_per_consumer_resource_and_outcome(
    client, raw_token, housing_grant, caizheng, frozen
):
    for _ in range(3):
        check(client, raw_token)
    check(client, raw_token, items="产权人身份证号")
    check(client, raw_token, consumer="TH-CZ")
    check(client, raw_token, consumer="TH-XX")  # 404: no consumer to count it for
    assert not GrantCheckStat.objects.exists()  # counted in the cache, not per call

    def table():
        return {
            (s.day.isoformat(), s.consumer.code, s.resource.code, s.outcome): s.calls
            for s in GrantCheckStat.objects.all()
        }

    today = "2026-03-02"
    expected = {
        (today, "TH-GA", "220500-ZJ-00001", "granted"): 3,
        (today, "TH-GA", "220500-ZJ-00001", "items_not_covered"): 1,
        (today, "TH-CZ", "220500-ZJ-00001", "no_grant"): 1,
    }
    assert flush_grant_check_stats() == 3
    assert table() == expected
    flush_grant_check_stats()
    assert table() == expected  # idempotent: totals, not increments
    assert ApiToken.objects.get().last_used_at is not None

    check(client, raw_token)
    frozen.move_to("2026-03-03 00:00:30 +0800")  # the next day: yesterday's last calls still go in
    check(client, raw_token)
    flush_grant_check_stats()
    expected[(today, "TH-GA", "220500-ZJ-00001", "granted")] = 4
    expected[("2026-03-03", "TH-GA", "220500-ZJ-00001", "granted")] = 1
    assert table() == expected

    cache.clear()  # a cache restart: counting starts again, the table's totals do not go down
    check(client, raw_token)
    flush_grant_check_stats()
    assert table() == expected


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_flush():
    from django.conf import settings

    from requests import tasks

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "requests.tasks.flush_grant_check_stats" in schedule
    assert tasks.flush_grant_check_stats() == 0


@pytest.mark.integration
def test_on_redis_a_counter_is_one_atomic_incr_with_its_expiry():
    """Production's cache: concurrent counts lose nothing, and every counter expires (no key lives for ever)."""
    import uuid

    prefix = f"govshare-test-h15-{uuid.uuid4().hex[:8]}"
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/7",
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=redis_cache):
        window = Window("race", "1", "5/min", now=1_000_000.0)
        try:
            assert sorted(run_concurrently(*[window.count for _ in range(16)])) == list(range(1, 17))
            client = cache._cache.get_client()
            keys = client.keys(f"{prefix}:*")
            assert keys and all(0 < client.ttl(key) <= 65 for key in keys)
        finally:
            client = cache._cache.get_client()
            for key in client.keys(f"{prefix}:*"):
                client.delete(key)


def test_production_keeps_database_connections_and_checks_them_before_reuse():
    import os
    import subprocess
    import sys
    from pathlib import Path

    bare = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DB_CONN_MAX_AGE", "DJANGO_SETTINGS_MODULE"}}
    printed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; d = s.DATABASES['default'];"
         "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"],
        cwd=Path(__file__).resolve().parents[2],
        env={**bare, "DJANGO_SETTINGS_MODULE": "project.settings", "SECRET_KEY": "k" * 60,
             "DATABASE_URL": "postgres://govshare@db:5432/govshare"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.split() == ["60", "True"]
