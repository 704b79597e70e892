"""The 共享平台 source of usage evidence, which govshare computes itself before each scan.

The grant check's statistics (requests.models.GrantCheckStat: calls per day, consumer, resource and outcome)
say when each catalog resource's data was actually used through the sharing platform. A system's month on the
platform is the granted calls that involve the resources it produces or consumes (its transactions), the consumer
departments that made them (its active users) and the last day one was made:

- produced: every granted call on a resource the register says the system produces (InfoSystem.resources);
- consumed: a granted call on a resource the system consumes, made by the system's own department. The register
  does not record what a system consumes; a higher app that knows registers a source of (system, its department,
  resource) links with register_consumption (project_approvals: the resources a project that passed the first
  review says it will use, for each registered system it builds or changes). The statistics name the consuming
  department, not its system, so a department's call counts for each of its systems declared to consume that
  resource, and for none of its other systems.

A call counts once for a system that both produces and consumes its resource.

Written as SystemActivity rows of source 共享平台, one per system and month, replaced on every run: the months
from the one before the last run's latest (statistics of that month may have come in since) to this one, or
PLATFORM_HISTORY_MONTHS back the first time. In four queries and one per consumption source, whatever the number
of systems.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth

from requests.models import GrantCheckStat
from requests.services.grant_check import CheckReason
from systems_inventory.models import ActivitySource, InfoSystem, SystemActivity

PLATFORM_HISTORY_MONTHS = 24

# (system id, the system's department id, resource id) for each resource a system consumes; one query each.
ConsumptionSource = Callable[[], Iterable[tuple[int, int, int]]]
_consumption_sources: list[ConsumptionSource] = []


def register_consumption(source: ConsumptionSource) -> None:
    """Add a source of the resources systems consume (a higher app, in its AppConfig.ready())."""
    if source not in _consumption_sources:
        _consumption_sources.append(source)


def _involved() -> tuple[dict[int, set[int]], dict[tuple[int, int], set[int]]]:
    """The systems a call involves: by resource (they produce it), and by (resource, consumer department) (they
    consume it)."""
    producers: dict[int, set[int]] = defaultdict(set)
    for resource_id, system_id in InfoSystem.resources.through.objects.values_list("dataresource_id", "infosystem_id"):
        producers[resource_id].add(system_id)
    consumers: dict[tuple[int, int], set[int]] = defaultdict(set)
    for source in _consumption_sources:
        for system_id, department_id, resource_id in source():
            consumers[(resource_id, department_id)].add(system_id)
    return producers, consumers


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of `day`'s month, `back` months earlier."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def refresh(*, today: dt.date) -> int:
    """Recompute the 共享平台 rows of the recent months; how many were written."""
    latest = SystemActivity.objects.filter(source=ActivitySource.PLATFORM).aggregate(m=Max("month"))["m"]
    since = month_start(latest, back=1) if latest else month_start(today, back=PLATFORM_HISTORY_MONTHS - 1)
    producers, consumers = _involved()
    calls = (
        GrantCheckStat.objects.filter(day__gte=since, day__lte=today, outcome=CheckReason.GRANTED)
        .annotate(month=TruncMonth("day"))
        .values_list("resource_id", "consumer_id", "month")
        .annotate(calls=Sum("calls"), last=Max("day"))
        .order_by()
    )
    months: dict[tuple[int, dt.date], dict] = {}
    for resource_id, consumer_id, month, count, last in calls.iterator(chunk_size=5000):
        month = month.date() if isinstance(month, dt.datetime) else month
        involved = producers.get(resource_id, set()) | consumers.get((resource_id, consumer_id), set())
        for system_id in involved:
            row = months.setdefault((system_id, month), {"calls": 0, "consumers": set(), "last": last})
            row["calls"] += count
            row["consumers"].add(consumer_id)
            row["last"] = max(row["last"], last)
    rows = [
        SystemActivity(
            system_id=system_id,
            month=month,
            source=ActivitySource.PLATFORM,
            active_users=len(row["consumers"]),
            transactions=row["calls"],
            last_activity=row["last"],
        )
        for (system_id, month), row in months.items()
    ]
    SystemActivity.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["system", "month", "source"],
        update_fields=["active_users", "logins", "transactions", "last_activity", "reported_at"],
    )
    return len(rows)
