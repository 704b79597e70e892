from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "流程引擎"

    def ready(self) -> None:
        from viewflow.workflow.models import Task

        from workflows import checks, workdays  # noqa: F401  (register the system checks and signal receivers)
        from workflows.labels import task_label

        # viewflow names a task by class path and status code, and the admin prints that name as the
        # task page's title and in each row of a process's task list.
        Task.__str__ = task_label
