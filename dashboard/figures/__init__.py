"""The dashboard's figures, one module per domain (sharing, catalog, systems, projects).

Each figure is computed over the rows the user may see (the owning app's selectors), narrowed by the page's
`Filters` (a date range and a department), and links to the list that shows exactly what it counts
(dashboard.drill, scoped the same way), or to the app's own page where that page shows the same rows.
A figure a user may read but whose rows they may not open (the city's totals for a department leader) has
no link. `fresh` says how current it is: 实时 (read now) or the time the daily aggregates were computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

LIVE = "实时"


@dataclass(frozen=True)
class Filters:
    date_from: dt.date
    date_to: dt.date
    department: Any = None  # organizations.Department or None (the whole city)

    def params(self, **extra: Any) -> dict[str, str]:
        values = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        if self.department is not None:
            values["department"] = str(self.department.pk)
        values.update({key: str(value) for key, value in extra.items() if value not in (None, "")})
        return values

    def drill(self, name: str, **extra: Any) -> str:
        """The URL of the drill-down list `name` (dashboard.drill.LISTS) under these filters."""
        return f"{reverse('dashboard:drill', args=[name])}?{urlencode(self.params(**extra))}"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Any
    url: str = ""
    fresh: str = LIVE
    unit: str = ""


@dataclass(frozen=True)
class Row:
    cells: Sequence[Any]
    url: str = ""  # the list behind the row's count
    highlight: bool = False  # the user's own department, against the city


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Row]
    fresh: str = LIVE
    chart: Any = None  # dashboard.charts.ChartSpec
    note: str = ""

    def sheet(self) -> list[list[Any]]:
        """The table as Excel rows (header first)."""
        return [list(self.columns), *[list(row.cells) for row in self.rows]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: Sequence[Figure] = ()
    tables: Sequence[Table] = ()
    charts: Sequence[Any] = field(default_factory=tuple)


def percent(part: int | float, whole: int | float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def day_bounds(filters: Filters) -> tuple[dt.datetime, dt.datetime]:
    """The range's first moment and the moment after its last day, in local time."""
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(filters.date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min))
    return start, end
