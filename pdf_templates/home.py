"""What records put on the 工作台 (workflows.home): an auditor's latest records."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from organizations.roles import Role
from pdf_templates.selectors import records_visible_to
from workflows import home
from workflows.home import PANEL_ROWS, Figure, Panel, Row
from workflows.selectors import count_capped


def auditor_panel(user) -> Panel | None:
    if not user.has_role(Role.AUDITOR):
        return None
    records = records_visible_to(user).select_related("issuer")
    rows = [
        Row(
            text=f"{record.number} {record.title}",
            url=reverse("records:detail", args=[record.pk]),
            detail=f"{record.issuer.name} · {timezone.localtime(record.issued_at):%Y-%m-%d %H:%M}",
        )
        for record in records.order_by("-issued_at", "-id")[:PANEL_ROWS]
    ]
    figures = [Figure("records-all", "全部文书", count_capped(records), reverse("records:index"))]
    return Panel(
        "records",
        "文书与审计",
        figures,
        rows,
        rows_title="最新签发的文书",
        empty="还没有签发的文书。",
        links=[("核验文书（上传 PDF）", reverse("verify_upload"))],
    )


def register() -> None:
    home.register("pdf_templates.records", auditor_panel, order=60)
