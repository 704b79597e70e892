"""What the dashboard puts on the 工作台: the bureau's bulletin drafts, and where to read the dashboard and
the issued bulletins."""

from __future__ import annotations

from django.urls import reverse

from dashboard import permissions, selectors
from workflows import home
from workflows.home import PANEL_ROWS, Figure, Panel, Row
from workflows.selectors import count_capped


def dashboard_panel(user) -> Panel | None:
    if not permissions.reads_dashboard(user):
        return None
    figures = []
    rows = []
    if permissions.manages_bulletins(user):
        drafts = selectors.drafts()
        figures.append(
            Figure(
                "bulletin-drafts",
                "待印发的情况通报",
                count_capped(drafts),
                reverse("dashboard:bulletins") + "?state=draft",
            )
        )
        rows = [
            Row(text=b.title, url=b.get_absolute_url(), detail=f"{b.created_at:%Y-%m-%d} 起草")
            for b in drafts.order_by("-created_at")[:PANEL_ROWS]
        ]
    links = [("数据看板", reverse("dashboard:index")), ("情况通报", reverse("dashboard:bulletins"))]
    if permissions.reads_rankings(user):
        links.append(("部门排名", reverse("dashboard:rankings")))
    return Panel(
        "dashboard",
        "数据看板与情况通报",
        figures,
        rows,
        rows_title="最近起草的",
        empty="没有待印发的情况通报。",
        links=links,
    )


def register() -> None:
    home.register("dashboard.panel", dashboard_panel, order=90)
