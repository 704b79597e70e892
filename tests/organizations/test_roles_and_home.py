from pathlib import Path

import pytest
from django.core.management import call_command

from organizations.demo import PERSONAS
from organizations.models import Department, User
from organizations.roles import Role


def test_it_has_one_group_per_role(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_a_user_knows_their_roles(zhujian_reviewer, coordinator):
    assert zhujian_reviewer.has_role(Role.PROVIDER_REVIEWER)
    assert not zhujian_reviewer.has_role(Role.DATA_BUREAU)
    assert coordinator.role_labels() == ["政数局"]


def test_the_home_page_needs_a_login(client, db):
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_login_page_is_in_chinese(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>登录 - govshare 政务数据共享</title>" in page


def test_the_home_page_shows_department_roles_and_the_roles_panels(client, zhujian_reviewer):
    client.force_login(zhujian_reviewer)
    page = client.get("/", follow=True).content.decode()
    assert '<dd data-testid="department">市住建局</dd>' in page
    assert '<dd data-testid="roles">提供方审核人</dd>' in page
    assert 'data-testid="panel-review"' in page  # each app's panels: tests/requests/test_home_panels.py


def test_the_admin_lists_every_model_of_ours(admin_client):
    from django.apps import apps
    from django.conf import settings
    from django.contrib import admin

    ours = [
        model
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and "site-packages" not in config.path
        and not config.name.startswith("tests")
        for model in config.get_models()
        if not model._meta.auto_created
    ]
    unregistered = [model._meta.label for model in ours if model not in admin.site._registry]
    assert unregistered == []
    for model in ours:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert admin_client.get(url).status_code == 200, url


def test_the_admin_cannot_change_what_only_the_services_may_change(admin_client, admin_user):
    """Each of these changes state a process, a version or the audit trail must record."""
    from django.contrib import admin
    from viewflow.workflow.models import Process, Task

    from catalog.models import DataResource, DemandItem, NegativeListEntry
    from notifications.models import Notification
    from organizations.models import Substitution
    from requests.models import ApiToken, ClassDispute, Decision, Grant, ShareApplication
    from workflows.models import AuditEvent, Deadline

    request = type("Request", (), {"user": admin_user})()  # a superuser: only the admin class can refuse
    for model in (
        DataResource,
        NegativeListEntry,
        ShareApplication,
        Decision,
        Grant,
        ClassDispute,
        ApiToken,
        AuditEvent,
        Deadline,
        Process,
        Task,
        Substitution,
        Notification,
        DemandItem,
    ):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        assert admin_client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/").status_code == 200


def test_the_admin_neither_adds_substitutes_nor_rewrites_notices(admin_client, zhujian_reviewer, zhujian_colleague):
    """Substitutions are audited on 代理授权; a notice is what its recipient was told."""
    from notifications.models import Notification
    from organizations.models import Substitution

    response = admin_client.post(
        "/admin/organizations/substitution/add/",
        {
            "principal": zhujian_reviewer.pk,
            "substitute": zhujian_colleague.pk,
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-06",
            "reason": "出差",
        },
    )
    assert response.status_code == 403
    assert not Substitution.objects.exists()

    notice = Notification.objects.create(recipient=zhujian_reviewer, event="test", title="原标题", body="原正文")
    url = f"/admin/notifications/notification/{notice.pk}/change/"
    assert (
        admin_client.post(url, {"recipient": zhujian_reviewer.pk, "title": "改过", "body": "改过"}).status_code == 403
    )
    assert (
        admin_client.post(f"/admin/notifications/notification/{notice.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    notice.refresh_from_db()
    assert (notice.title, notice.body) == ("原标题", "原正文")


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_gives_one_persona_per_role():
    call_command("load_demo", force=True)
    call_command("load_demo", force=True)
    assert Department.objects.count() == 42
    for name in ("市公安局", "市住房公积金管理中心", "市政数局", "市财政局", "市审计局", "市中级人民法院"):
        assert Department.objects.filter(name=name).exists(), name
    # One persona per role (organizations/demo.py); the share-application demo adds staff of every
    # department as applicants, reviewers and leaders, but nobody else joins finance or audit. The bureau has
    # one more: the self-check demo's dc_coordinator (东昌区政数局), who reviews the 市政数局's own report.
    for username, _family, _given, _code, role in PERSONAS:
        assert User.objects.get(username=username).has_role(role), username
    for role in (Role.FINANCE, Role.AUDITOR):
        assert User.objects.filter(groups__name=role.value).count() == 1, role
    bureau = User.objects.filter(groups__name=Role.DATA_BUREAU.value)
    assert sorted(bureau.values_list("username", flat=True)) == ["dc_coordinator", "zs_coordinator"]
    assert User.objects.get(username="zj_reviewer").check_password("govshare2026")


def test_pages_are_chinese_even_for_an_english_browser(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in page
    assert "Username" not in page


def test_a_user_can_switch_to_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert "Username" in page
