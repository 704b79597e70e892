"""What the self-check puts on the 工作台 (workflows.home): the reports the user's department is to fill in or
confirm, and the bureau's reviews of other departments' reports; the shutdown chain's steps (the department's
replies and disposals, the bureau's objection decisions and verifications) and, for the bureau, the suspected
systems waiting for its decision."""

from __future__ import annotations

from django.urls import reverse

from systems_inventory import permissions
from systems_inventory.selectors import candidates, case_task_list, cases_visible_to, task_list
from workflows import home
from workflows.home import Figure, Panel
from workflows.selectors import count_capped


def self_check_panel(user) -> Panel | None:
    url = reverse("systems_inventory:tasks")
    return home.tasks_panel("self-check", "自查待办", task_list(user), url)


def shutdown_panel(user) -> Panel | None:
    figures = []
    tasks = count_capped(case_task_list(user))
    if tasks.value:
        url = reverse("systems_inventory:tasks") + "?show=shutdown"
        figures.append(Figure("shutdown-tasks", "关停待办", tasks, url))
    if permissions.decides_shutdown(user):
        suspected = count_capped(candidates(cases_visible_to(user)))
        if suspected.value:
            figures.append(
                Figure("shutdown-candidates", "疑似僵尸系统待研判", suspected, reverse("systems_inventory:candidates"))
            )
    if not figures:
        return None
    return Panel("shutdown", "信息系统关停", figures, empty="")  # only there with a figure counting something


def register() -> None:
    home.register("systems_inventory.tasks", self_check_panel, order=40)
    home.register("systems_inventory.shutdown", shutdown_panel, order=45)
