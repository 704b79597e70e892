"""The 共享平台 source of usage evidence, which govshare computes itself before each scan.

The grant check's statistics (requests.models.GrantCheckStat: calls per day, consumer, resource and outcome)
say when each catalog resource's data was actually used through the sharing platform. A system's month on the
platform is the granted calls on the resources it produces (its transactions), the consumer departments that
made them (its active users) and the last day one was made. The register records which resources a system
produces, not which it consumes, so only the producing side counts.

Written as SystemActivity rows of source 共享平台, one per system and month, replaced on every run: the months
from the one before the last run's latest (statistics of that month may have come in since) to this one, or
PLATFORM_HISTORY_MONTHS back the first time. In four queries, whatever the number of systems.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth

from requests.models import GrantCheckStat
from requests.services.grant_check import CheckReason
from systems_inventory.models import ActivitySource, InfoSystem, SystemActivity

PLATFORM_HISTORY_MONTHS = 24


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of `day`'s month, `back` months earlier."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def refresh(*, today: dt.date) -> int:
    """Recompute the 共享平台 rows of the recent months; how many were written."""
    latest = SystemActivity.objects.filter(source=ActivitySource.PLATFORM).aggregate(m=Max("month"))["m"]
    since = month_start(latest, back=1) if latest else month_start(today, back=PLATFORM_HISTORY_MONTHS - 1)
    producers: dict[int, list[int]] = defaultdict(list)
    for resource_id, system_id in InfoSystem.resources.through.objects.values_list("dataresource_id", "infosystem_id"):
        producers[resource_id].append(system_id)
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
        for system_id in producers.get(resource_id, ()):
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
