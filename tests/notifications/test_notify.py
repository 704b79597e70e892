import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from notifications import events, recipients
from notifications.models import Channel, Notification, OutboundEmail
from notifications.services import NOT_A_CHANNEL, NotificationError, notify, preference_set
from organizations.models import Substitution
from organizations.roles import Role
from tests.factories import UserFactory


def test_it_writes_an_inbox_row_and_an_outbox_row_sent_after_commit(
    zhujian_reviewer, zhujian, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            [notification] = notify(
                recipients=[zhujian_reviewer], event="test", subject=zhujian, context={"message": "请处理"}
            )
            email = OutboundEmail.objects.get()
            # Inside the transaction nothing has gone to the broker yet.
            assert email.status == OutboundEmail.Status.PENDING
            assert mail.outbox == []
    assert len(callbacks) == 1
    assert notification.recipient == zhujian_reviewer
    assert notification.subject == zhujian
    assert notification.title == "测试消息：请处理"
    assert "关于“市住建局”" in notification.body
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.notification == notification
    assert email.attempts == 1
    [sent] = mail.outbox
    assert sent.to == [zhujian_reviewer.email]
    assert sent.subject == "[govshare] 测试消息：请处理"
    assert sent.extra_headers["X-Govshare-Outbox-Id"] == str(email.pk)
    assert "李审核，您好" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and "关于“市住建局”" in html


def test_it_leaves_nothing_behind_when_the_decision_rolls_back(zhujian_reviewer, zhujian):
    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        notify(recipients=[zhujian_reviewer], event="test", subject=zhujian)
        assert Notification.objects.count() == 1
        raise Refused

    assert Notification.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


def test_it_rejects_an_unregistered_event(zhujian_reviewer):
    with pytest.raises(events.UnknownEvent):
        notify(recipients=[zhujian_reviewer], event="no_such_event", subject=None)
    assert Notification.objects.count() == 0


def test_it_sends_an_absent_principals_notice_to_the_substitute_once(zhujian_reviewer, zhujian_colleague, zhujian):
    today = timezone.localdate()
    Substitution.objects.create(
        principal=zhujian_reviewer,
        substitute=zhujian_colleague,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=3),
    )
    notifications = notify(recipients=[zhujian_reviewer], event="test", subject=zhujian)
    by_user = {n.recipient: n for n in notifications}
    assert set(by_user) == {zhujian_reviewer, zhujian_colleague}
    assert by_user[zhujian_colleague].on_behalf_of == zhujian_reviewer
    assert "代 李审核 接收" in by_user[zhujian_colleague].body
    assert by_user[zhujian_reviewer].on_behalf_of is None
    # Named directly as well: one notice, not two.
    assert len(notify(recipients=[zhujian_reviewer, zhujian_colleague], event="test", subject=zhujian)) == 2


def test_it_ignores_an_expired_substitution_and_inactive_users(zhujian_reviewer, zhujian_colleague, zhujian):
    today = timezone.localdate()
    Substitution.objects.create(
        principal=zhujian_reviewer,
        substitute=zhujian_colleague,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today - dt.timedelta(days=1),
    )
    gone = UserFactory(department=zhujian, is_active=False)
    notifications = notify(recipients=[zhujian_reviewer, gone], event="test", subject=zhujian)
    assert [n.recipient for n in notifications] == [zhujian_reviewer]


@pytest.mark.usefixtures("selectable_test_event")
def test_it_follows_each_users_channel_preference(zhujian_reviewer, zhujian_colleague, coordinator, zhujian):
    preference_set(user=zhujian_reviewer, event="test", channel=Channel.INAPP)
    preference_set(user=zhujian_colleague, event="test", channel=Channel.DIGEST)
    notify(recipients=[zhujian_reviewer, zhujian_colleague, coordinator], event="test", subject=zhujian)
    assert Notification.objects.count() == 3
    assert list(OutboundEmail.objects.values_list("recipient__username", flat=True)) == ["zs_coordinator"]


def test_it_keeps_in_app_only_for_a_user_without_an_email_address(zhujian, zhujian_reviewer):
    zhujian_reviewer.email = ""
    zhujian_reviewer.save()
    notify(recipients=[zhujian_reviewer], event="test", subject=zhujian)
    assert Notification.objects.count() == 1
    assert OutboundEmail.objects.count() == 0


def test_it_refuses_an_unknown_channel(zhujian_reviewer):
    with pytest.raises(NotificationError, match=NOT_A_CHANNEL):
        preference_set(user=zhujian_reviewer, event="test", channel="sms")
    with pytest.raises(NotificationError, match=NOT_A_CHANNEL):
        preference_set(user=zhujian_reviewer, event="daily_digest", channel=Channel.INAPP)


def test_it_resolves_recipients_by_role_within_a_department(
    zhujian_reviewer, zhujian_colleague, coordinator, gongan_applicant, zhujian, gongan
):
    UserFactory(department=gongan, roles=[Role.PROVIDER_REVIEWER])
    UserFactory(department=zhujian, roles=[Role.PROVIDER_REVIEWER], is_active=False)
    assert list(recipients.by_role(Role.PROVIDER_REVIEWER, zhujian)) == [zhujian_reviewer, zhujian_colleague]
    assert list(recipients.by_role(Role.APPLICANT, zhujian)) == []
    assert list(recipients.data_bureau()) == [coordinator]


def test_it_renders_every_registered_event_in_chinese(zhujian_reviewer, zhujian):
    """Each event's five templates exist (system check) and render for a real recipient."""
    call_command("check", "--fail-level", "ERROR")
    for event in events.selectable():
        deadline = type("D", (), {"title": "提供方答复期限", "due_at": timezone.now()})()
        [notification] = notify(
            recipients=[zhujian_reviewer], event=event.key, subject=zhujian, context={"deadline": deadline}
        )
        assert notification.title
        assert "{" not in notification.title + notification.body
    assert OutboundEmail.objects.count() == len(events.selectable())


def test_it_flags_an_event_without_templates():
    from notifications.checks import check_event_templates

    events.register("made_up_event", "虚构事件")
    try:
        errors = check_event_templates(None)
    finally:
        del events.EVENTS["made_up_event"]
    assert {e.id for e in errors} == {"notifications.E001"}
    assert len(errors) == 5


@pytest.mark.usefixtures("selectable_test_event")
def test_it_reads_substitutes_and_every_channel_in_one_query(
    zhujian_reviewer, zhujian_colleague, coordinator, zhujian, django_assert_num_queries
):
    """Each user's own preference holds, whether named directly or standing in; defaults apply without one."""
    today = timezone.localdate()
    substitute = UserFactory(department=zhujian)
    idle = UserFactory(department=zhujian, is_active=False)
    for stand_in in (substitute, idle):
        Substitution.objects.create(principal=zhujian_reviewer, substitute=stand_in, starts_on=today, ends_on=today)
    preference_set(user=zhujian_reviewer, event="test", channel=Channel.INAPP)
    preference_set(user=substitute, event="test", channel=Channel.INAPP_EMAIL)
    preference_set(user=zhujian_colleague, event="test", channel=Channel.DIGEST)
    preference_set(user=coordinator, event="share_application_task", channel=Channel.INAPP)  # another event's
    # One SELECT, one INSERT of the notices, one of the emails.
    with django_assert_num_queries(3):
        notifications = notify(
            recipients=[zhujian_reviewer, zhujian_colleague, coordinator], event="test", subject=zhujian
        )
    assert [(n.recipient, n.on_behalf_of) for n in notifications] == [
        (zhujian_reviewer, None),
        (zhujian_colleague, None),
        (coordinator, None),
        (substitute, zhujian_reviewer),
    ]
    # Each email points at its own recipient's notice, whose id came back from the one INSERT.
    by_pk = {n.pk: n for n in notifications}
    emails = {e.recipient: by_pk[e.notification_id].recipient for e in OutboundEmail.objects.all()}
    assert emails == {coordinator: coordinator, substitute: substitute}


def test_it_sends_a_substitute_for_two_recipients_one_notice_for_the_latest_substitution(
    zhujian_reviewer, zhujian_colleague, zhujian
):
    today = timezone.localdate()
    substitute = UserFactory(department=zhujian)
    Substitution.objects.create(
        principal=zhujian_reviewer, substitute=substitute, starts_on=today - dt.timedelta(days=5), ends_on=today
    )
    Substitution.objects.create(
        principal=zhujian_colleague, substitute=substitute, starts_on=today - dt.timedelta(days=1), ends_on=today
    )
    notifications = notify(recipients=[zhujian_reviewer, zhujian_colleague], event="test", subject=zhujian)
    assert [(n.recipient, n.on_behalf_of) for n in notifications] == [
        (zhujian_reviewer, None),
        (zhujian_colleague, None),
        (substitute, zhujian_colleague),
    ]


@pytest.mark.usefixtures("selectable_test_event")
def test_it_tells_a_recipient_who_also_stands_in_for_another_only_directly(
    zhujian_reviewer, zhujian_colleague, zhujian
):
    today = timezone.localdate()
    Substitution.objects.create(
        principal=zhujian_reviewer, substitute=zhujian_colleague, starts_on=today, ends_on=today
    )
    preference_set(user=zhujian_colleague, event="test", channel=Channel.INAPP)
    notifications = notify(recipients=[zhujian_reviewer, zhujian_colleague], event="test", subject=zhujian)
    assert [(n.recipient, n.on_behalf_of) for n in notifications] == [
        (zhujian_reviewer, None),
        (zhujian_colleague, None),
    ]
    assert list(OutboundEmail.objects.values_list("recipient", flat=True)) == [zhujian_reviewer.pk]
