from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "流程引擎"

    def ready(self) -> None:
        from viewflow.workflow.models import Task

        from workflows import checks, labels, login_audit, menus, substitutions, workdays
        from workflows.labels import task_label

        del checks, workdays  # imported to register the system checks and signal receivers
        menus.connect()
        labels.register(actions=substitutions.ACTIONS)
        labels.register(actions=login_audit.ACTIONS)
        # viewflow names a task by class path and status code, and the admin prints that name as the
        # task page's title and in each row of a process's task list.
        Task.__str__ = task_label
