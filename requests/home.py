"""What share applications put on the 工作台 (workflows.home), one panel per role: the reviewer's and the
leader's inbox steps, the applicant department's applications and the data bureau's 逾期协调 queue."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from organizations.roles import Role, is_bureau
from organizations.selectors import acts_with_role
from requests import permissions, selectors
from requests.models import ApplicationState
from workflows import home
from workflows.home import PANEL_ROWS, Figure, Panel, Row
from workflows.selectors import count_capped
from workflows.workdays import countdown


def _inbox_url(**query: str) -> str:
    return f"{reverse('share_requests:tasks')}?{urlencode(query)}"


def inbox_panel(user, *, key: str, title: str, step: str, role: Role) -> Panel | None:
    """One step of the user's 待办审核 (theirs, or of whom they stand in for): its counts and the nearest deadlines."""
    if not acts_with_role(user, role):
        return None
    summary = selectors.inbox_summary(user, step=step, size=PANEL_ROWS)
    figures = [Figure(f"{key}-all", "全部", summary.total, _inbox_url(step=step))]
    figures += [
        Figure(f"{key}-{show}", label, summary.counts[show], _inbox_url(step=step, show=show), alert=show == "overdue")
        for show, label in selectors.INBOX_SHOWS.items()
    ]
    rows = [
        Row(
            text=f"{row.application.reference} {row.application.resource.name}",
            url=row.application.get_absolute_url(),
            detail=f"{row.application.applicant_department.name} · {row.task.owner or '待认领'}",
            countdown=row.countdown,
        )
        for row in summary.urgent
    ]
    return Panel(key, title, figures, rows, rows_title="答复期限最近的", empty="没有待办的任务。")


def review_panel(user) -> Panel | None:
    return inbox_panel(user, key="review", title="待办审核", step="review", role=Role.PROVIDER_REVIEWER)


def countersign_panel(user) -> Panel | None:
    return inbox_panel(user, key="countersign", title="待会签", step="countersign", role=Role.DEPT_LEADER)


def applicant_panel(user) -> Panel | None:
    """The department's applications by state, those returned for 补正 first; the ones waiting on it listed."""
    if not permissions.can_apply(user):
        return None
    counts = selectors.applications_by_state(user)
    index = reverse("share_requests:index")
    labels = dict(ApplicationState.choices)
    figures = [
        Figure(
            f"applications-{state}",
            labels[state],
            counts.get(state, 0),
            f"{index}?state={state}",
            alert=state == ApplicationState.RETURNED,
        )
        for state in selectors.APPLICANT_STATE_ORDER
        if counts.get(state) or state == ApplicationState.RETURNED
    ]
    rows = [
        Row(
            text=f"{application.reference} {application.resource.name}",
            url=application.get_absolute_url(),
            detail=f"{application.get_state_display()} · {application.provider_department.name}",
            note=application.return_comment if application.state == ApplicationState.RETURNED else "",
        )
        for application in selectors.applications_to_act_on(user, PANEL_ROWS)
    ]
    return Panel(
        "applications",
        "我的申请",
        figures,
        rows,
        rows_title="待本部门处理（退回补正的在前）",
        empty="没有待补正或未提交的申请。",
        links=[("申请共享：在资源目录中打开资源", reverse("catalog:index"))],
    )


def overdue_panel(user) -> Panel | None:
    """The data bureau's 逾期协调: applications escalated for a missed deadline or a class dispute."""
    if not is_bureau(user):
        return None
    url = reverse("share_requests:overdue")
    queue = {reason: selectors.overdue_queue(reason) for reason in selectors.OVERDUE_REASONS}
    figures = [
        Figure(f"overdue-{reason}", label, count_capped(queue[reason]), f"{url}?reason={reason}", alert=True)
        for reason, label in selectors.OVERDUE_REASONS.items()
    ]
    rows = [
        Row(
            text=f"{application.reference} {application.resource.name}",
            url=application.get_absolute_url(),
            detail=f"{application.provider_department.name} · "
            f"{selectors.OVERDUE_REASONS['dispute' if application.disputed else 'overdue']}",
            countdown=countdown(application.due_at),
        )
        for application in selectors.overdue_queue()[:PANEL_ROWS]
    ]
    return Panel("overdue", "逾期协调", figures, rows, rows_title="最早提请协调的", empty="没有待协调的申请。")


def scenario_panel(user) -> Panel | None:
    """场景待办: the parts of scenarios the department is to answer, and the bureau's scenario steps."""
    tasks = selectors.scenario_task_list(user)
    return home.tasks_panel("scenarios", "场景待办", tasks, reverse("scenarios:tasks"))


def register() -> None:
    home.register("share_requests.review", review_panel, order=10)
    home.register("share_requests.scenarios", scenario_panel, order=25)
    home.register("share_requests.countersign", countersign_panel, order=20)
    home.register("share_requests.overdue", overdue_panel, order=30)
    home.register("share_requests.applications", applicant_panel, order=50)
