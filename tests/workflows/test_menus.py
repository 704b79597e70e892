"""Side menus kept per user and page (workflows.menus): never another user's or role's, never after a change of
the facts they read has committed, and drawn as before."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse

from organizations.roles import Role
from tests.requests.helpers import client_for
from workflows import menus

pytestmark = pytest.mark.django_db
PAGE = "share_requests:index"  # 我的申请: every role with a department opens it
ALL = f'href="{reverse("share_requests:all")}"'  # 全部申请: the bureau's and auditors', not a reviewer's
OVERDUE = f'href="{reverse("share_requests:overdue")}"'  # 逾期协调


@pytest.fixture(autouse=True)
def kept(settings):
    settings.MENU_CACHE = True
    cache.clear()
    yield
    cache.clear()


def page(user) -> str:
    return client_for(user).get(reverse(PAGE)).content.decode()


def menu(user) -> str:
    html = page(user)
    return html.split('<div class="vf-page__menu-primary">')[1].split('<div class="vf-page__menu-secondary">')[0]


def test_a_kept_menu_is_never_another_user_s_or_another_role_s(zhujian_reviewer, coordinator, auditor):
    reviewer_menu = menu(zhujian_reviewer)  # kept first
    assert "待办审核" in reviewer_menu and ALL not in reviewer_menu and OVERDUE not in reviewer_menu
    bureau_menu = menu(coordinator)
    assert ALL in bureau_menu and OVERDUE in bureau_menu
    auditor_menu = menu(auditor)
    assert ALL in auditor_menu and "待办审核" not in auditor_menu
    assert menu(zhujian_reviewer) == reviewer_menu  # after the others were kept: still the reviewer's own
    assert ALL not in menu(zhujian_reviewer)


def test_a_kept_menu_is_used_and_is_the_user_s_own(zhujian_reviewer, coordinator):
    menu(zhujian_reviewer)
    [key] = [k.split(":", 2)[2] for k in cache._cache if ":menus:" in k and ":stamp" not in k]  # the one kept
    assert key.startswith(f"menus:{zhujian_reviewer.pk}:share_requests:index")
    stamp, html = cache.get(key)
    assert "待办审核" in html and ALL not in html  # the reviewer's menu, as drawn
    cache.set(key, (stamp, "<p>kept</p>"), 60)
    assert "<p>kept</p>" in page(zhujian_reviewer)  # drawn from the cache, not again
    assert "<p>kept</p>" not in page(coordinator)


def test_a_new_role_shows_at_once_and_a_removed_one_goes(
    zhujian_reviewer, django_capture_on_commit_callbacks
):  # fmt: skip
    assert ALL not in menu(zhujian_reviewer)
    auditors = Group.objects.get_or_create(name=Role.AUDITOR.value)[0]
    with django_capture_on_commit_callbacks(execute=True):
        zhujian_reviewer.groups.add(auditors)
    assert ALL in menu(zhujian_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        zhujian_reviewer.groups.remove(auditors)
    assert ALL not in menu(zhujian_reviewer)


def test_a_login_does_not_empty_the_kept_menus(zhujian_reviewer, coordinator, django_capture_on_commit_callbacks):
    menu(zhujian_reviewer)
    before = cache.get(menus.STAMP_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        menu(coordinator)  # force_login stamps last_login
    assert cache.get(menus.STAMP_KEY) == before


def test_every_write_a_menu_reads_moves_the_stamp(django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    from organizations.models import Department, Substitution, User

    senders = [
        (signal, model)
        for model in (User, Department, Group, Permission, Substitution)
        for signal in (post_save, post_delete)
    ] + [(m2m_changed, t) for t in (User.groups.through, User.user_permissions.through, Group.permissions.through)]
    for signal, sender in senders:
        cache.set(menus.STAMP_KEY, 1, None)
        with django_capture_on_commit_callbacks(execute=True):
            signal.send(sender=sender, instance=None, action="post_add", created=False)
        assert cache.get(menus.STAMP_KEY) == 2, (signal, sender)


def test_without_a_shared_cache_menus_are_drawn_each_time(zhujian_reviewer, settings):
    settings.MENU_CACHE = False
    assert "待办审核" in menu(zhujian_reviewer)
    assert not [k for k in cache._cache if ":menus:" in k]


def test_an_anonymous_page_keeps_nothing(client):
    client.get(reverse("login"))
    assert not [k for k in cache._cache if ":menus:" in k]
