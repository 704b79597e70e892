from django.apps import AppConfig


class ProjectApprovalsConfig(AppConfig):
    name = "project_approvals"
    verbose_name = "建设项目审批"

    def ready(self) -> None:
        from notifications.events import register
        from organizations.permissions import register_role_permissions
        from project_approvals import events, home, permissions, selectors
        from systems_inventory.zombie_rules import platform

        register_role_permissions(permissions.ROLE_PERMISSIONS)
        permissions.register_visibility()
        home.register()  # its panels on the 工作台
        events.register()
        platform.register_consumption(selectors.consumed_by_systems)  # the zombie scan's 共享平台 evidence
        register("project_task", "建设项目待办")
        register("project_result", "建设项目办理结果")
        # Registers the deadline action "project_approvals.review_overdue".
        import project_approvals.services  # noqa: F401
