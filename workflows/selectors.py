from __future__ import annotations

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


def queue_tasks(user) -> QuerySet[Task]:
    """Unassigned human tasks the user's permissions let them take.

    Department scoping of each process's queue is applied by that process's
    own selectors; this is the engine-wide count for the home page.
    """
    return Task.objects.user_queue(user).filter(status=STATUS.NEW).order_by("-created")
