"""What the catalog puts on the 工作台 (workflows.home): the entries waiting for the data bureau's registration."""

from __future__ import annotations

from django.urls import reverse

from catalog import selectors
from catalog.permissions import reviews_catalog
from workflows import home
from workflows.home import PANEL_ROWS, Figure, Panel, Row
from workflows.selectors import count_capped


def review_panel(user) -> Panel | None:
    if not reviews_catalog(user):
        return None
    queue = selectors.review_queue()
    rows = [
        Row(
            text=f"{resource.code} {resource.name}",
            url=reverse("catalog:resource_detail", args=[resource.pk]),
            detail=f"{resource.provider_department.name} · {resource.submitted_at:%Y-%m-%d} 提交",
        )
        for resource in queue[:PANEL_ROWS]
    ]
    figures = [Figure("catalog-review", "待注册审核", count_capped(queue), reverse("catalog:review"))]
    return Panel(
        "catalog-review", "资源目录注册审核", figures, rows, rows_title="最早提交的", empty="没有待审核的资源。"
    )


def register() -> None:
    home.register("catalog.review", review_panel, order=40)
