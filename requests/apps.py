from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "requests"
    label = "share_requests"
    verbose_name = "共享申请"

    def ready(self) -> None:
        from notifications.events import register

        register("grant_expiring", "共享授权即将到期")
        register("grant_expired", "共享授权已到期")
        register("grant_revoked", "共享授权已撤销")
