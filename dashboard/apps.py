from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    label = "dashboard"
    verbose_name = "数据看板"

    def ready(self) -> None:
        from dashboard import events, home, permissions

        permissions.register_visibility()
        home.register()
        events.register()
