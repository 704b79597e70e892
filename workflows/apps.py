from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "流程引擎"

    def ready(self) -> None:
        from workflows import checks, workdays  # noqa: F401  (register the system checks and signal receivers)
