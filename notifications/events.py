"""The registry of event types.

Adding an event is one `register(...)` line (here, or in your app's
`AppConfig.ready()`) plus five templates:

    notifications/inapp/<key>/title.txt   notifications/inapp/<key>/body.txt
    notifications/email/<key>/subject.txt notifications/email/<key>/body.txt
    notifications/email/<key>/body.html

The system check `notifications.E001` names any template that is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from notifications.models import Channel

INAPP_TEMPLATES = ("title.txt", "body.txt")
EMAIL_TEMPLATES = ("subject.txt", "body.txt", "body.html")


@dataclass(frozen=True)
class EventType:
    key: str
    label: str
    default_channel: str = Channel.INAPP_EMAIL
    # Internal events (the digest itself) are not offered on the preferences page.
    user_selectable: bool = True

    def inapp_template(self, name: str) -> str:
        return f"notifications/inapp/{self.key}/{name}"

    def email_template(self, name: str) -> str:
        return f"notifications/email/{self.key}/{name}"

    def template_names(self) -> list[str]:
        if not self.user_selectable:
            return [self.email_template(name) for name in EMAIL_TEMPLATES]
        return [self.inapp_template(n) for n in INAPP_TEMPLATES] + [self.email_template(n) for n in EMAIL_TEMPLATES]


class UnknownEvent(LookupError):
    pass


EVENTS: dict[str, EventType] = {}


def register(key: str, label: str, *, default_channel: str = Channel.INAPP_EMAIL, user_selectable: bool = True):
    event = EventType(key=key, label=label, default_channel=default_channel, user_selectable=user_selectable)
    EVENTS[key] = event
    return event


def get(key: str) -> EventType:
    try:
        return EVENTS[key]
    except KeyError:
        raise UnknownEvent(f"未注册的通知事件类型：{key}") from None


def selectable() -> list[EventType]:
    return [event for event in EVENTS.values() if event.user_selectable]


# Developers' and the demo's welcome notices: nothing a user would choose how to receive.
register("test", "测试消息", user_selectable=False)
register("deadline_reminder", "办理期限提醒")
register("deadline_escalated", "超期提请协调")
DAILY_DIGEST = register("daily_digest", "每日消息汇总", user_selectable=False)
