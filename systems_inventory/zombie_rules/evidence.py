"""What the rules read about each system, loaded for every system at once in three queries, whatever their number
(benchmark B8): the register's fields, the last day of use per source (SystemActivity), and the registered catalog
resources each produces.

Which systems are scanned: those in use, but not the ones a higher level built (上级统建): the city neither runs nor
shuts them down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet
from django.utils import timezone

from catalog.models import PUBLISHED_STATES
from systems_inventory.choices import BuildType
from systems_inventory.models import USED, ActivitySource, InfoSystem, SystemActivity, SystemStatus


@dataclass
class SystemEvidence:
    id: int
    name: str
    department_id: int
    department: str
    category_id: int
    category_name: str
    usage_frequency: str
    user_count: int | None
    connected: bool
    interface_count: int
    is_classified: bool
    registered_on: dt.date
    last_activity: dt.date | None = None  # the last day of use, whichever source told it
    last_source: str = ""  # the source that told it
    last_platform_call: dt.date | None = None  # the last day the 共享平台 saw a call on data it produces or consumes
    resources: list[str] = field(default_factory=list)  # codes of the registered resources it produces


def scanned_systems() -> QuerySet[InfoSystem]:
    return InfoSystem.objects.filter(status=SystemStatus.IN_USE).exclude(build_type=BuildType.HIGHER_LEVEL)


def load(*, today: dt.date) -> list[SystemEvidence]:
    """Every scanned system's evidence as of `today` (use reported for later days is not counted)."""
    systems = {}
    rows = scanned_systems().values_list(
        "pk",
        "name",
        "department_id",
        "department__name",
        "category_id",
        "category__name",
        "usage_frequency",
        "user_count",
        "connected",
        "interface_count",
        "is_classified",
        "created_at",
    )
    for row in rows.order_by("pk").iterator(chunk_size=2000):
        created_at = row[11]
        systems[row[0]] = SystemEvidence(*row[:11], registered_on=timezone.localdate(created_at))
    _add_activity(systems, today)
    _add_resources(systems)
    return list(systems.values())


def _add_activity(systems: dict[int, SystemEvidence], today: dt.date) -> None:
    last_use = (
        SystemActivity.objects.filter(USED, system__status=SystemStatus.IN_USE, last_activity__lte=today)
        .values_list("system_id", "source")
        .annotate(last=Max("last_activity"))
        .order_by()
    )
    for system_id, source, last in last_use.iterator(chunk_size=5000):
        system = systems.get(system_id)
        if system is None:
            continue
        if source == ActivitySource.PLATFORM:
            system.last_platform_call = last
        if system.last_activity is None or last > system.last_activity:
            system.last_activity, system.last_source = last, source


def _add_resources(systems: dict[int, SystemEvidence]) -> None:
    links = InfoSystem.resources.through.objects.filter(
        infosystem__status=SystemStatus.IN_USE, dataresource__status__in=PUBLISHED_STATES
    ).values_list("infosystem_id", "dataresource__code")
    for system_id, code in links.iterator(chunk_size=5000):
        if system_id in systems:
            systems[system_id].resources.append(code)
