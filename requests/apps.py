from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "requests"
    label = "share_requests"
    verbose_name = "共享申请"

    def ready(self) -> None:
        from notifications.events import register
        from organizations.permissions import register_role_permissions
        from requests import home
        from requests.permissions import ROLE_PERMISSIONS

        home.register()  # its panels on the 工作台

        from requests import permissions
        from requests.models import ApiToken, Grant, Scenario, ScenarioPart, ShareApplication
        from workflows import visibility

        # What each subject's page shows to whom; every download about the subject asks the same.
        visibility.register(ShareApplication, permissions.can_view)
        visibility.register(Grant, permissions.can_view_grant)
        visibility.register(ApiToken, permissions.can_view_api_token)
        visibility.register(Scenario, permissions.can_view_scenario)
        visibility.register(ScenarioPart, permissions.can_view_scenario_part)
        register_role_permissions(ROLE_PERMISSIONS)

        from requests import events

        events.register()

        register("share_application_task", "共享申请待办")
        register("share_application_received", "共享申请提交回执")
        register("share_application_decided", "共享申请结果")
        register("share_application_returned", "共享申请退回补正")
        register("share_application_withdrawn", "共享申请已撤回")
        register("share_application_auto_granted", "无条件共享自动授权")
        # Registers the deadline's expiry action "share_requests.escalate_overdue".
        import requests.services  # noqa: F401

        register("grant_expiring", "共享授权即将到期")
        register("grant_expired", "共享授权已到期")
        register("grant_revoked", "共享授权已撤销")
        register("scenario_task", "应用场景待办")
        register("scenario_decided", "应用场景授权进展")
        register("scenario_grants_ended", "应用场景的共享授权终止")
        import requests.services.scenarios  # noqa: F401  (registers the parts' deadline actions)
        from requests.services import grant_check_cache

        grant_check_cache.connect()  # every write that can change a check's answer moves the stamp
        from requests import receivers  # noqa: F401  (follows catalog withdrawals; adds to the catalog's pages)
