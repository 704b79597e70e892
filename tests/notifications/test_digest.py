import datetime as dt

import pytest
import time_machine
from django.core import mail

from notifications.models import Channel, Notification, OutboundEmail
from notifications.services import (
    digests_create,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    preference_set,
)
from notifications.tasks import send_daily_digests
from tests.factories import UserFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class FakeDeadline:
    title = "提供方答复期限"
    due_at = dt.datetime(2026, 10, 9, 23, 59, tzinfo=SHANGHAI)


@pytest.mark.usefixtures("selectable_test_event")
def test_it_sends_one_digest_per_user_listing_unread_grouped_by_event(
    zhujian_reviewer, zhujian_colleague, coordinator, zhujian, django_capture_on_commit_callbacks
):
    no_preference = UserFactory(department=zhujian)  # no digest preference: no digest
    preference_set(user=zhujian_reviewer, event="test", channel=Channel.DIGEST)
    preference_set(user=zhujian_reviewer, event="deadline_reminder", channel=Channel.DIGEST)
    preference_set(user=zhujian_colleague, event="deadline_reminder", channel=Channel.DIGEST)
    preference_set(user=coordinator, event="test", channel=Channel.DIGEST)
    everyone = [zhujian_reviewer, zhujian_colleague, coordinator, no_preference]

    with time_machine.travel(dt.datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI), tick=False):
        for n in range(3):
            notify(recipients=everyone, event="test", subject=zhujian, context={"message": f"消息{n}"})
        notify(
            recipients=[zhujian_reviewer],
            event="deadline_reminder",
            subject=zhujian,
            context={"deadline": FakeDeadline},
        )
        # A notice already read is not listed; the coordinator has read everything.
        first = Notification.objects.get(recipient=zhujian_reviewer, title="测试消息：消息0")
        notification_mark_read(actor=zhujian_reviewer, notification=first)
        notifications_mark_all_read(actor=coordinator)
    # Only those with in-app + email got the individual emails.
    assert OutboundEmail.objects.filter(recipient=no_preference).count() == 3
    assert OutboundEmail.objects.filter(recipient__in=[zhujian_reviewer, coordinator]).count() == 0
    assert OutboundEmail.objects.filter(recipient=zhujian_colleague).count() == 3  # test stays in-app + email
    OutboundEmail.objects.all().delete()

    with time_machine.travel(dt.datetime(2026, 9, 29, 8, 0, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_daily_digests() == 1
        assert send_daily_digests() == 0  # beat fires twice by mistake: still one a day

    # The colleague chose a digest for reminders but has no unread reminder: nothing to send.
    [digest] = OutboundEmail.objects.all()
    assert digest.recipient == zhujian_reviewer
    assert digest.dedupe_key == f"digest:{zhujian_reviewer.pk}:2026-09-29"
    assert digest.subject_line == "[govshare] 每日消息汇总（2026年9月29日）：3 条未读"
    body = digest.body_text
    assert "【办理期限提醒】1 条" in body
    assert "【测试消息】2 条" in body
    assert "测试消息：消息1" in body and "测试消息：消息2" in body
    assert "消息0" not in body
    assert body.index("【办理期限提醒】") < body.index("办理期限提醒：提供方答复期限") < body.index("【测试消息】")
    assert "http://127.0.0.1:8000/notifications/" in body
    assert "<h3>测试消息（2 条）</h3>" in digest.body_html
    [sent] = mail.outbox
    assert sent.to == [zhujian_reviewer.email]

    # The next day, still unread: a new digest.
    with time_machine.travel(dt.datetime(2026, 9, 30, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert [e.recipient for e in digests_create()] == [zhujian_reviewer]
    # Once everything is read, no more digests.
    for user in everyone:
        notifications_mark_all_read(actor=user)
    with time_machine.travel(dt.datetime(2026, 10, 1, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert digests_create() == []
