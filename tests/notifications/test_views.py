import pytest
from django.test import Client

from notifications.models import Channel, Notification, NotificationPreference
from notifications.services import notify


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def inbox(zhujian_reviewer, coordinator, zhujian):
    mine = notify(recipients=[zhujian_reviewer], event="test", subject=zhujian, context={"message": "第一条"})
    mine += notify(recipients=[zhujian_reviewer], event="test", subject=zhujian, context={"message": "第二条"})
    theirs = notify(recipients=[coordinator], event="test", subject=zhujian, context={"message": "政数局的消息"})
    return mine, theirs


def test_it_shows_the_unread_count_in_the_bell_on_every_page(inbox, zhujian_reviewer, client_for):
    client = client_for(zhujian_reviewer)
    for url in ["/home/", "/notifications/", "/notifications/preferences/"]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert 'data-testid="notification-bell"' in page.text
        assert 'data-testid="notification-unread-count"' in page.text
        assert page.context["notifications_unread_count"] == 2


def test_it_shows_no_count_when_all_is_read(zhujian_reviewer, client_for):
    page = client_for(zhujian_reviewer).get("/home/")
    assert 'data-testid="notification-bell"' in page.text
    assert 'data-testid="notification-unread-count"' not in page.text


def test_it_lists_only_the_users_own_notifications(inbox, zhujian_reviewer, client_for):
    page = client_for(zhujian_reviewer).get("/notifications/")
    assert page.status_code == 200
    assert "测试消息：第一条" in page.text and "测试消息：第二条" in page.text
    assert "政数局的消息" not in page.text
    assert page.text.count('data-testid="notification"') == 2


def test_it_marks_one_read_and_then_all_read(inbox, zhujian_reviewer, client_for):
    (first, second), _ = inbox
    client = client_for(zhujian_reviewer)
    response = client.post(f"/notifications/{first.pk}/read/", {"next": "/notifications/?unread=1"})
    assert response.status_code == 302 and response.url == "/notifications/?unread=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read and not second.is_read
    page = client.get("/notifications/?unread=1")
    assert "测试消息：第二条" in page.text and "测试消息：第一条" not in page.text

    response = client.post("/notifications/read-all/", follow=True)
    assert "已将 1 条消息标记为已读。" in response.text
    assert not Notification.objects.filter(recipient=zhujian_reviewer, read_at=None).exists()
    assert "没有未读消息" in client.get("/notifications/?unread=1").text


def test_it_marks_read_on_open_and_never_redirects_off_site(inbox, zhujian_reviewer, client_for):
    (first, _), _ = inbox
    client = client_for(zhujian_reviewer)
    page = client.get(f"/notifications/{first.pk}/")
    assert page.status_code == 200
    assert "测试消息：第一条" in page.text
    first.refresh_from_db()
    assert first.is_read
    response = client.post("/notifications/read-all/", {"next": "https://evil.example/"})
    assert response.url == "/notifications/"


def test_it_answers_404_for_another_users_notification(inbox, zhujian_reviewer, coordinator, client_for):
    _, (theirs,) = inbox
    client = client_for(zhujian_reviewer)
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read
    # Mark-all-read touches only the caller's own rows.
    client.post("/notifications/read-all/")
    theirs.refresh_from_db()
    assert not theirs.is_read
    assert client_for(coordinator).get(f"/notifications/{theirs.pk}/").status_code == 200


def test_it_sends_anonymous_users_to_login(inbox):
    (first, _), _ = inbox
    for url in ["/notifications/", f"/notifications/{first.pk}/"]:
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert Client().post(f"/notifications/{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    assert not first.is_read


def test_it_saves_preferences_and_rejects_a_bad_channel(zhujian_reviewer, client_for):
    client = client_for(zhujian_reviewer)
    page = client.get("/notifications/preferences/")
    assert "办理期限提醒" in page.text and "每日消息汇总" not in page.text
    assert "测试消息" not in page.text  # the internal test event is nobody's to choose
    response = client.post(
        "/notifications/preferences/",
        {"event-deadline_reminder": Channel.DIGEST, "event-grant_revoked": Channel.INAPP, "event-test": Channel.DIGEST},
    )
    assert response.status_code == 302
    assert dict(NotificationPreference.objects.filter(user=zhujian_reviewer).values_list("event", "channel")) == {
        "deadline_reminder": Channel.DIGEST,
        "grant_revoked": Channel.INAPP,
    }
    response = client.post("/notifications/preferences/", {"event-grant_revoked": "carrier_pigeon"})
    assert response.status_code == 400
    assert "共享授权已撤销：无效的接收方式。" in response.text
    assert NotificationPreference.objects.get(user=zhujian_reviewer, event="grant_revoked").channel == Channel.INAPP
