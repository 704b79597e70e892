from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.selectors import acting_user_ids

# Task counts stop here ("100+"). Counting every open task of a busy department joins all of
# them (236 ms for 10k of 100k open tasks on PostgreSQL, B2); counting up to 101 rows walks
# about a thousand with nested loops (6 ms). Past about 200 rows PostgreSQL, which cannot
# estimate the department filter across the joins, switches to hash joins over every open
# task: a cap of 1000 cost 66 ms and put the inbox page at 108 ms (B2 target 50 ms).
TASK_COUNT_CAP = 100


@dataclass(frozen=True)
class CappedCount:
    """A count that stopped after `cap` + 1 rows: exact up to `cap`, otherwise only "more than `cap`"."""

    value: int
    cap: int

    @property
    def over(self) -> bool:
        return self.value > self.cap

    def __str__(self) -> str:
        return f"{self.cap}+" if self.over else str(self.value)

    @property
    def label(self) -> str:
        """共 37 项, or 100+ 项."""
        return f"{self} 项" if self.over else f"共 {self} 项"


def count_capped(tasks: QuerySet, cap: int | None = None) -> CappedCount:
    """COUNT over at most `cap` + 1 rows (a LIMIT in a subquery), in one query."""
    cap = TASK_COUNT_CAP if cap is None else cap
    return CappedCount(tasks.order_by()[: cap + 1].count(), cap)


@contextlib.contextmanager
def serial_plans() -> Iterator[None]:
    """The queries inside run without PostgreSQL's parallel workers, in a transaction of their own (or the
    caller's, restoring the setting afterwards).

    For a short page read off an index (the nearest deadlines first): when the planner underestimates how many
    rows match, it prefers a parallel plan whose workers take longer to start (20-50 ms, more on a busy machine)
    than the whole walk takes (a few ms). SET LOCAL, never SET: connections are reused across requests.
    """
    if connection.vendor != "postgresql":
        yield
        return
    setting = "max_parallel_workers_per_gather"
    callers = connection.in_atomic_block  # the setting then outlives our savepoint: put it back
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s), set_config(%s, '0', true)", [setting, setting])
        previous = cursor.fetchone()[0]
        yield  # an error rolls back to our savepoint, which undoes the setting
        if callers:
            cursor.execute("SELECT set_config(%s, %s, true)", [setting, previous])


def inbox_tasks(user) -> QuerySet[Task]:
    """Open human tasks assigned to the user or to anyone they stand in for today."""
    return (
        Task.objects.filter(flow_task_type="HUMAN", status=STATUS.ASSIGNED, owner_id__in=acting_user_ids(user))
        .select_related("process", "owner")
        .order_by("-created")
    )
