"""The gate API counts wrong and missing tokens per address as the grant check does, in the same budget
(requests.api.WrongTokens): past GRANT_CHECK_BAD_TOKEN_RATE, 429 with Retry-After for that address; a good token
from elsewhere is never slowed by them."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from requests.api import MSG_BAD_TOKEN, MSG_BAD_TOKEN_THROTTLED, MSG_NO_TOKEN
from requests.services import api_token_disable, api_token_issue
from tests.races import run_concurrently

pytestmark = pytest.mark.usefixtures("frozen")

ATTACKER = {"REMOTE_ADDR": "10.6.6.6"}
BUDGET_SYSTEM = {"REMOTE_ADDR": "10.1.1.1"}
UNKNOWN = "/api/gates/projects/XM999999"  # past the token, a 404: the token was accepted


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def raw_token(caizheng):
    return api_token_issue(department=caizheng, name="预算管理一体化系统")[1]


def gate(client, token=None, path=UNKNOWN, **extra):
    if token is not None:
        extra["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client.get(path, **extra)


@pytest.mark.django_db
@override_settings(GRANT_CHECK_BAD_TOKEN_RATE="3/min")
def test_wrong_and_missing_tokens_from_one_address_get_429_after_the_threshold(raw_token, frozen):
    client = Client()
    refused = [gate(client, None, **ATTACKER), gate(client, "gs_guess1", **ATTACKER), gate(client, "x y", **ATTACKER)]
    assert [r.status_code for r in refused] == [401, 401, 401]
    assert [r.json()["detail"] for r in refused[:2]] == [MSG_NO_TOKEN, MSG_BAD_TOKEN]
    assert refused[0]["WWW-Authenticate"] == "Token"

    throttled = gate(client, "gs_guess4", **ATTACKER)
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert throttled.json()["detail"] == MSG_BAD_TOKEN_THROTTLED.format(wait=throttled["Retry-After"])
    assert gate(client, raw_token, **ATTACKER).status_code == 429  # the address, whatever its token
    assert gate(client, raw_token, **BUDGET_SYSTEM).status_code == 404  # another address is not slowed
    frozen.shift(61)
    assert gate(client, raw_token, **ATTACKER).status_code == 404


@pytest.mark.django_db
@override_settings(GRANT_CHECK_BAD_TOKEN_RATE="2/min")
def test_a_disabled_token_counts_as_a_wrong_one(caizheng):
    token, raw = api_token_issue(department=caizheng, name="旧预算系统")
    api_token_disable(actor=None, obj=token)
    client = Client()
    assert [gate(client, raw).status_code for _ in range(3)] == [401, 401, 429]


@pytest.mark.django_db
@override_settings(GRANT_CHECK_BAD_TOKEN_RATE="3/min")
def test_the_gate_and_the_grant_check_share_one_budget(raw_token):
    """Trying the other API buys no more guesses."""
    client = Client()
    for n in range(2):
        assert client.get("/api/grants/check", HTTP_AUTHORIZATION=f"Token gs_{n}", **ATTACKER).status_code == 401
    assert gate(client, "gs_2", **ATTACKER).status_code == 401
    assert gate(client, "gs_3", **ATTACKER).status_code == 429
    assert client.get("/api/grants/check", HTTP_AUTHORIZATION="Token gs_4", **ATTACKER).status_code == 429


@pytest.mark.django_db
@override_settings(GRANT_CHECK_BAD_TOKEN_RATE="2/min")
def test_a_good_token_is_not_slowed_by_others_bad_ones_nor_counted(raw_token, good_standing):
    client, attacker = Client(), Client()
    for n in range(10):
        gate(attacker, f"gs_guess{n}", **ATTACKER)
    om = f"/api/gates/systems/{good_standing.reference}/om?year=2027"
    answers = [gate(client, raw_token, path=om, **BUDGET_SYSTEM) for _ in range(5)]  # over the wrong-token limit
    assert [r.status_code for r in answers] == [200] * 5
    assert answers[0].json()["subject"] and "sha256" in answers[0].json()
    assert gate(client, "gs_typo", **BUDGET_SYSTEM).status_code == 401  # its own budget is untouched


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(
    GRANT_CHECK_BAD_TOKEN_RATE="4/min",
    CACHES={"default": {"BACKEND": "tests.requests.slow_cache.SlowLocMemCache", "LOCATION": "gate-throttle"}},
)
def test_concurrent_wrong_tokens_answer_at_most_the_threshold_with_401(raw_token):
    def guess():
        return gate(Client(), "gs_guess").status_code

    statuses = run_concurrently(*[guess for _ in range(10)])
    assert statuses.count(401) <= 4 and statuses.count(401) + statuses.count(429) == 10
    assert gate(Client(), raw_token).status_code == 429
