"""What the self-check puts on the 工作台 (workflows.home): the reports the user's department is to fill in or
confirm, and the bureau's reviews of other departments' reports."""

from __future__ import annotations

from django.urls import reverse

from systems_inventory.selectors import task_list
from workflows import home
from workflows.home import Figure, Panel
from workflows.selectors import count_capped


def self_check_panel(user) -> Panel | None:
    count = count_capped(task_list(user))
    if not count.value:
        return None
    url = reverse("systems_inventory:tasks")
    return Panel(
        "self-check", "自查待办", [Figure("self-check-all", "待办理", count, url)], empty="没有待办的自查任务。"
    )


def register() -> None:
    home.register("systems_inventory.tasks", self_check_panel, order=40)
