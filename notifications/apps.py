from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from notifications import checks, deadlines  # noqa: F401  (system checks; the deadline engine's actions)
