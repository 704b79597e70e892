"""The 工作台's panels: what each role has to do next, contributed by the app that knows the work.

The engine cannot know a process's lists, so each app registers, in its AppConfig.ready(), a function that
builds its panel for a user, or answers None when the user has nothing to do there:

    from workflows import home
    home.register("share_requests.review", review_panel, order=10)

A panel holds figures and rows. A figure is a count that links to the list it counts: the list must show
exactly what the figure counts, scoped as the list is (tests/requests/test_home_panels.py follows each). A row
is one thing to act on, with its deadline when it has one. A user with several roles sees each role's panel,
in `order`. Each panel reads a bounded number of rows (capped counts, LIMITed lists) in a few queries, so the
home page costs the same whatever the data's size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workflows.selectors import CappedCount, count_capped
from workflows.workdays import Countdown

# How many things to act on a panel lists; its figures link to the whole lists.
PANEL_ROWS = 5


@dataclass(frozen=True)
class Figure:
    key: str  # the figure's data-testid
    label: str
    count: CappedCount | int  # capped where an exact count would join too much ("100+")
    url: str  # the list that shows exactly what `count` counts
    alert: bool = False  # marked when not zero (overdue work)

    @property
    def value(self) -> int:
        return self.count.value if isinstance(self.count, CappedCount) else self.count


@dataclass(frozen=True)
class Row:
    text: str
    url: str
    detail: str = ""
    countdown: Countdown | None = None  # to the row's deadline, shown as working days left
    note: str = ""  # a short remark to act on (a return comment)


@dataclass(frozen=True)
class Panel:
    key: str  # the panel's data-testid
    title: str
    figures: Sequence[Figure] = ()
    rows: Sequence[Row] = ()
    rows_title: str = ""
    empty: str = "暂无需要处理的事项。"  # said when there are no rows; "" for a panel whose figures say it all
    links: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, url): where to start new work
    template: str = "workflows/home/_panel.html"  # a panel that needs its own layout names another


PanelSource = Callable[[Any], Panel | None]
_SOURCES: dict[str, tuple[int, PanelSource]] = {}


def tasks_panel(key: str, title: str, tasks, url: str) -> Panel | None:
    """The panel of a user's open tasks of one kind (`tasks`, a queryset): one figure, 待办理 (capped), linking to
    `url`, the list that shows them; None when there are none (so no "nothing to do" under the figure)."""
    count = count_capped(tasks)
    if not count.value:
        return None
    return Panel(key, title, [Figure(f"{key}-all", "待办理", count, url)], empty="")


def register(key: str, source: PanelSource, *, order: int = 100) -> None:
    """`source(user)` builds the panel, or returns None for a user it does not concern. Registering a key
    again replaces it."""
    _SOURCES[key] = (order, source)


def panels_for(user) -> list[Panel]:
    """The panels of every registered app that concern `user`, in their order."""
    ordered = sorted(_SOURCES.items(), key=lambda item: (item[1][0], item[0]))
    return [panel for _, (_, source) in ordered if (panel := source(user)) is not None]
