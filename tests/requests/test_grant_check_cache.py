"""The grant check's remembered answers (B10): no query for a question answered before, and never an answer
that a committed grant, revocation, expiry, withdrawal, listing, retired item or disabled token has changed."""

import datetime as dt
import re
import uuid

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.test import override_settings

from catalog.services import negative_entry_create, resource_update, resource_withdraw
from requests.models import ApiToken, Grant, GrantCheckStat, GrantState
from requests.services import grant_check_cache
from requests.services.grant_check import _check_sql, flush_grant_check_stats
from requests.services.grants import api_token_disable, api_token_issue, grant_expire, grant_revoke
from tests.conftest import REDIS_URL
from tests.requests.grant_factory import make_grant

URL = "/api/grants/check"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture(autouse=True)
def remembering(settings):
    settings.GRANT_CHECK_ANSWER_CACHE = True
    cache.clear()
    grant_check_cache._memo = None
    yield
    cache.clear()
    grant_check_cache._memo = None


@pytest.fixture
def raw_token(zhengshu):
    return api_token_issue(department=zhengshu, name="市政务数据交换平台")[1]


def check(client, token, items="房屋坐落,建筑面积", consumer="TH-GA"):
    params = {"consumer": consumer, "resource": "220500-ZJ-00001", "items": items}
    response = client.get(URL, params, HTTP_AUTHORIZATION=f"Token {token}")
    return response.status_code, response.json().get("reason"), response.json()


def test_a_question_answered_before_costs_no_query(client, raw_token, housing_grant, django_assert_num_queries):
    first = check(client, raw_token)
    assert first[:2] == (200, "granted")
    with django_assert_num_queries(0):
        again = check(client, raw_token)
    assert again[:2] == (200, "granted")
    assert {k: v for k, v in again[2].items() if k != "checked_at"} == {
        k: v for k, v in first[2].items() if k != "checked_at"
    }
    assert again[2]["checked_at"].endswith("+08:00")  # the time of this call, not the remembered one


def test_without_a_shared_cache_nothing_is_remembered(client, raw_token, housing_grant, settings):
    settings.GRANT_CHECK_ANSWER_CACHE = False
    check(client, raw_token)
    assert grant_check_cache.memo() is None
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert check(client, raw_token)[:2] == (200, "granted")
    assert len(queries) == 2


def _revoke(grant, people):
    grant_revoke(actor=people["zhujian_reviewer"], obj=grant, reason="超范围使用")


def _expire(grant, people):
    grant.valid_to = dt.date(2026, 3, 1)  # the day before the frozen clock's
    grant.save(update_fields=["valid_to"])
    grant_expire(grant=grant)


def _withdraw(grant, people):
    resource_withdraw(actor=people["coordinator"], obj=grant.resource, reason="数据源停用")


def _list(grant, people):
    negative_entry_create(
        actor=people["coordinator"],
        resource=grant.resource,
        legal_basis=people["privacy_law"],
        reason="不对外共享",
        items=grant.resource.items.filter(name="建筑面积"),
    )


def _retire_item(grant, people):
    resource = grant.resource
    kept = [
        {"id": i.pk, **{f: getattr(i, f) for f in ("name", "data_type", "length", "precision", "security_level")}}
        for i in resource.current_items()
        if i.name != "建筑面积"
    ]
    resource_update(actor=people["zhujian_clerk"], obj=resource, data={}, items=kept)


@pytest.mark.parametrize(
    ("write", "reason"),
    [
        (_revoke, "revoked"),
        (_expire, "expired"),
        (_withdraw, "resource_withdrawn"),
        (_list, "negative_list"),
        (_retire_item, "items_not_covered"),
    ],
    ids=["revocation", "expiry", "withdrawal", "negative list", "item retired"],
)
def test_every_write_that_changes_the_answer_is_seen_by_the_next_call(
    client, raw_token, housing_grant, write, reason, zhujian_reviewer, zhujian_clerk, coordinator, privacy_law
):
    assert check(client, raw_token)[:2] == (200, "granted")
    assert check(client, raw_token)[:2] == (200, "granted")  # remembered
    people = {
        "zhujian_reviewer": zhujian_reviewer,
        "zhujian_clerk": zhujian_clerk,
        "coordinator": coordinator,
        "privacy_law": privacy_law,
    }
    write(housing_grant, people)
    status, answered, body = check(client, raw_token)
    assert (status, answered) == (200, reason)
    assert body["allowed"] is False


def test_a_new_grant_is_seen_at_once(client, raw_token, housing_resource, gongan_applicant, zhujian_reviewer):
    assert check(client, raw_token, items="房屋坐落")[:2] == (200, "no_grant")
    make_grant(
        resource=housing_resource, applicant=gongan_applicant, decided_by=zhujian_reviewer, item_names=["房屋坐落"]
    )
    assert check(client, raw_token, items="房屋坐落")[:2] == (200, "granted")


def test_a_disabled_token_is_refused_at_once(client, housing_grant, zhengshu, coordinator):
    token, raw = api_token_issue(department=zhengshu, name="前置机")
    assert check(client, raw)[0] == 200
    api_token_disable(actor=coordinator, obj=token)
    assert check(client, raw)[0] == 401


def test_the_stamp_moves_in_the_writer_s_transaction_and_again_on_commit(
    housing_grant, zhujian_reviewer, django_capture_on_commit_callbacks
):
    before = grant_check_cache.stamp_or_start(None)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="超范围使用")
            inside = cache.get(grant_check_cache.STAMP_KEY)
            assert inside > before  # at once: an unreachable cache fails the write
    assert cache.get(grant_check_cache.STAMP_KEY) > inside  # and after the commit: no answer read before it stays


def test_a_write_rolled_back_for_an_unreachable_cache_changes_nothing(housing_grant, zhujian_reviewer, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(grant_check_cache, "_move", unreachable)
    with pytest.raises(ConnectionError):
        grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="超范围使用")
    assert Grant.objects.get(pk=housing_grant.pk).state == GrantState.ACTIVE


def test_remembered_calls_are_counted_exactly_even_across_a_stamp_move(client, raw_token, housing_grant, coordinator):
    for _ in range(3):
        check(client, raw_token)
    grant_check_cache.invalidate()  # an answer remembered, then its stamp moved: its counted call is taken back
    for _ in range(2):
        check(client, raw_token)
    flush_grant_check_stats()
    assert dict(GrantCheckStat.objects.values_list("outcome", "calls")) == {"granted": 5}


def test_answers_are_bounded_per_process(client, raw_token, housing_grant, settings):
    settings.GRANT_CHECK_ANSWER_CACHE_SIZE = 2
    for items in ("房屋坐落", "建筑面积", "房屋坐落,建筑面积"):
        check(client, raw_token, items=items)
    assert len(grant_check_cache.memo().answers) == 2


def test_every_table_the_check_reads_moves_the_stamp_when_written():
    """A model added to the check's statement without a receiver would let remembered answers go stale."""
    tables = set(re.findall(r'"([a-z_0-9]+)"', _check_sql(1))) | {ApiToken._meta.db_table}  # token_by_hash's
    by_table = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    assert tables <= set(by_table), tables - set(by_table)
    assert len(tables) >= 8
    for table in sorted(tables):
        model = by_table[table]
        signals = [m2m_changed] if model._meta.auto_created else [post_save, post_delete]
        for signal in signals:
            before = grant_check_cache.stamp_or_start(None)
            signal.send(sender=model, instance=None, action="post_add", created=False)
            assert cache.get(grant_check_cache.STAMP_KEY) > before, (table, signal)


@pytest.mark.integration
def test_on_redis_a_remembered_answer_costs_one_round_trip(client, raw_token, housing_grant, monkeypatch):
    import redis

    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/7",
            "KEY_PREFIX": f"govshare-test-memo-{uuid.uuid4().hex[:8]}",
        }
    }
    with override_settings(CACHES=redis_cache):
        try:
            assert check(client, raw_token)[:2] == (200, "granted")
            trips = []  # every command or pipeline sent to the server, and what it began with
            original = redis.connection.Connection.send_packed_command
            monkeypatch.setattr(
                redis.connection.Connection,
                "send_packed_command",
                lambda self, command, *a, **k: trips.append(command) or original(self, command, *a, **k),
            )
            assert check(client, raw_token)[:2] == (200, "granted")
            assert len(trips) == 1, trips
            assert b"EVALSHA" in (trips[0] if isinstance(trips[0], bytes) else b"".join(trips[0]))  # one command
        finally:
            monkeypatch.undo()
            cache.clear()
