from django.apps import AppConfig


class SystemsInventoryConfig(AppConfig):
    name = "systems_inventory"
    verbose_name = "信息系统自查"

    def ready(self) -> None:
        from notifications.events import register
        from organizations.permissions import register_role_permissions
        from systems_inventory import events, home, permissions

        register_role_permissions(permissions.ROLE_PERMISSIONS)
        permissions.register_visibility()
        home.register()  # its panel on the 工作台
        events.register()
        register("self_check_task", "信息系统自查待办")
        register("self_check_result", "信息系统自查审核结果")
        register("system_shutdown", "信息系统关停")
        # Registers the deadline actions of the self-check's reports and of the shutdown chain.
        import systems_inventory.services  # noqa: F401
