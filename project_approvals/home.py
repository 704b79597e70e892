"""What construction projects put on the 工作台 (workflows.home): every role's project steps (项目待办), and the
finance bureau's 资金闸口 — the approved projects waiting for their budget, each with its gate now, and the year's
systems still waiting for their O&M funding."""

from __future__ import annotations

from django.urls import reverse

from project_approvals import permissions, selectors
from project_approvals.gate import evaluate_projects
from project_approvals.services.funding import om_years
from workflows import home
from workflows.home import PANEL_ROWS, Figure, Panel, Row
from workflows.selectors import count_capped


def tasks_panel(user) -> Panel | None:
    url = reverse("project_approvals:tasks")
    return home.tasks_panel("projects", "项目待办", selectors.task_list(user), url)


def funding_panel(user) -> Panel | None:
    """资金闸口, for finance: the projects waiting for a budget decision (the first ones with their gate) and the
    systems whose next year's O&M funding is not decided yet; nothing when neither waits."""
    if not permissions.may_fund(user):
        return None
    url = reverse("project_approvals:funding_queue")
    year = om_years()[0] + 1
    waiting = selectors.funding_queue()
    first = list(waiting[:PANEL_ROWS])
    om_waiting = selectors.om_waiting(year)
    if not first and not om_waiting:
        return None
    evaluations = evaluate_projects(first)
    rows = [
        Row(
            text=f"{project.reference} {project.name}",
            url=project.get_absolute_url(),
            detail=f"{project.department.name} · 资金闸口" + ("通过" if evaluations[project.pk].passed else "未通过"),
            note="；".join(rule.name for rule in evaluations[project.pk].failing),
        )
        for project in first
    ]
    figures = [
        Figure("funding-projects", "待批复预算", count_capped(waiting), url),
        Figure("funding-om", f"{year}年运维经费待安排", om_waiting, f"{url}?year={year}"),
    ]
    return Panel(
        "funding", "资金闸口", figures, rows, rows_title="待批复预算的项目", empty="没有待批复预算的建设项目。"
    )


def register() -> None:
    home.register("project_approvals.tasks", tasks_panel, order=45)
    home.register("project_approvals.funding", funding_panel, order=15)
