"""The pages around the features speak Chinese too: error pages, viewflow's menu, the records menu."""

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def auditor_client(auditor):
    client = Client()
    client.force_login(auditor)
    return client


def test_a_missing_page_answers_in_chinese(auditor_client):
    response = auditor_client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "404 页面不存在" in page and "返回首页" in page
    assert "We're sorry" not in page and "Django Material" not in page


def test_the_menus_carry_no_english_or_developer_messages(auditor_client):
    page = auditor_client.get("/records/").content.decode()
    assert "文书列表" in page and "文书核验" in page
    assert "No viewsets found" not in page
    assert "Applications" not in page and "功能" in page


def test_the_account_and_admin_pages_carry_our_site_names(admin_client):
    for url in ("/accounts/password_reset/", "/accounts/password_change/", "/admin/password_change/", "/admin/"):
        page = admin_client.get(url).content.decode()
        assert "govshare 管理后台</title>" in page, url
        assert "govshare 政务数据共享 管理后台" in page, url
        assert "Django" not in page, url
    assert "系统管理" in admin_client.get("/admin/").content.decode()


def test_a_form_posted_without_its_csrf_token_is_refused_in_chinese(db, shenji):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(department=shenji))
    response = client.post("/notifications/preferences/", {"event-deadline_reminder": "inapp"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "403 操作未执行" in page and "刷新后重新填写并提交" in page and "返回首页" in page
    assert "CSRF" not in page and "Forbidden" not in page
    # A login form left open too long: the way back is to log in again.
    stale_login = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert stale_login.status_code == 403
    assert 'href="/accounts/login/?next=/accounts/login/"' in stale_login.content.decode()


def test_a_page_number_beyond_any_inbox_shows_an_empty_page(auditor_client):
    response = auditor_client.get("/share_requests/tasks/?page=99999999999999999999")
    assert response.status_code == 200
    assert response.context["page"].rows == []
