"""Login throttling (issue 15, item 5): django-axes locks a user name and address pair out after the configured
number of wrong passwords, on the site's login and the admin's, with a Chinese page and an audit event."""

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client

from organizations.login_throttle import locked_out_message
from tests.factories import DEFAULT_PASSWORD, UserFactory
from workflows.models import AuditEvent

SITE_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _login(client, path, username, password, address="10.1.1.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client, path, username, times, address="10.1.1.1"):
    for _ in range(times):
        response = _login(client, path, username, "wrong-password", address)
        assert response.status_code in (200, 429)


@pytest.fixture
def staff(db):
    return UserFactory(username="ops_admin", is_staff=True, is_superuser=True)


def test_the_limit_is_five_by_default(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "organizations.login_throttle.LoginThrottleBackend"


@pytest.mark.parametrize("path", [SITE_LOGIN, ADMIN_LOGIN])
def test_the_right_password_is_refused_after_the_limit(client, staff, path, settings):
    # Below the limit, the right password still works.
    _fail(client, path, staff.username, settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, path, staff.username, DEFAULT_PASSWORD).status_code == 302
    client.logout()
    # A success starts the count again; at the limit, the pair is locked, the right password included.
    _fail(Client(), path, staff.username, settings.AXES_FAILURE_LIMIT)
    fresh = Client()
    response = _login(fresh, path, staff.username, DEFAULT_PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert locked_out_message() in body and "登录失败次数过多" in body
    assert "_auth_user_id" not in fresh.session


@pytest.mark.parametrize("limit", [2, 3])
def test_the_limit_is_configurable(client, staff, settings, limit):
    settings.AXES_FAILURE_LIMIT = limit
    _fail(client, SITE_LOGIN, staff.username, limit)
    assert _login(client, SITE_LOGIN, staff.username, DEFAULT_PASSWORD).status_code == 429


def test_the_lockout_is_per_user_and_address(client, staff, settings):
    other = UserFactory(username="zj_someone")
    _fail(client, SITE_LOGIN, staff.username, settings.AXES_FAILURE_LIMIT, address="10.1.1.1")
    # Same user from another address, another user from the same address: both still log in.
    assert _login(Client(), SITE_LOGIN, staff.username, DEFAULT_PASSWORD, address="10.2.2.2").status_code == 302
    assert _login(Client(), SITE_LOGIN, other.username, DEFAULT_PASSWORD, address="10.1.1.1").status_code == 302
    assert _login(Client(), SITE_LOGIN, staff.username, DEFAULT_PASSWORD, address="10.1.1.1").status_code == 429


def test_the_lockout_is_audited_once_with_the_user_as_subject(client, staff, settings):
    _fail(client, ADMIN_LOGIN, staff.username, settings.AXES_FAILURE_LIMIT + 3)
    events = AuditEvent.objects.filter(action="organizations.login_locked_out")
    assert events.count() == 1
    event = events.get()
    assert event.subject_id == str(staff.pk) and event.subject_type.model == "user"
    assert event.ip == "10.1.1.1" and event.data["username"] == staff.username


def test_a_lockout_of_an_unknown_name_is_audited_too(client, settings, db):
    _fail(client, SITE_LOGIN, "nobody-here", settings.AXES_FAILURE_LIMIT)
    event = AuditEvent.objects.get(action="organizations.login_locked_out")
    assert event.subject_type.model == "accessattempt" and event.data["username"] == "nobody-here"


def test_the_admin_unlocks(client, staff, settings):
    victim = UserFactory(username="gongan_clerk")
    _fail(Client(), SITE_LOGIN, victim.username, settings.AXES_FAILURE_LIMIT)
    assert _login(Client(), SITE_LOGIN, victim.username, DEFAULT_PASSWORD).status_code == 429
    client.force_login(staff)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and victim.username in listing.content.decode()
    # In Chinese, as the rest of the admin.
    page = listing.content.decode()
    assert "登录失败记录" in page and "登录限制" in page and "失败次数" in page
    for english in ("Access attempts", "access attempts", ">Axes<", "Failed Logins"):
        assert english not in page, english
    attempt = AccessAttempt.objects.get(username=victim.username)
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _login(Client(), SITE_LOGIN, victim.username, DEFAULT_PASSWORD).status_code == 302


def test_the_test_client_still_logs_in(client, staff):
    assert client.login(username=staff.username, password=DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo")
    from organizations.models import Department

    assert not Department.objects.exists()
