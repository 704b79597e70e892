from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.selectors import acting_user_ids


def inbox_tasks(user) -> QuerySet[Task]:
    """Open human tasks assigned to the user or to anyone they stand in for today."""
    return (
        Task.objects.filter(flow_task_type="HUMAN", status=STATUS.ASSIGNED, owner_id__in=acting_user_ids(user))
        .select_related("process", "owner")
        .order_by("-created")
    )


# Each process registers the selector of the tasks a user may work on, scoped as
# that process scopes them (by department, for share applications). The engine
# cannot know a process's scoping, so the home page asks the processes.
_TASK_SOURCES: list[Callable[[object], QuerySet[Task]]] = []


def register_task_source(selector: Callable[[object], QuerySet[Task]]) -> None:
    if selector not in _TASK_SOURCES:
        _TASK_SOURCES.append(selector)


def queue_count(user) -> int:
    """Unassigned tasks the user may take, over every registered process."""
    return sum(selector(user).filter(status=STATUS.NEW).count() for selector in _TASK_SOURCES)
