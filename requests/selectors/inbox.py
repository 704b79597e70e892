"""待办审核: the open tasks a user may work on, in the order and with the filters the inbox and the 工作台 use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organizations.selectors import acting_user_ids
from requests.flows import ShareApplicationFlow
from requests.models import INBOX_STATES, ShareApplication
from workflows.selectors import CappedCount, count_capped, serial_plans
from workflows.workdays import Countdown, countdown

# 待办审核's orders: the nearest deadline first by default (the overdue at the top, no deadline last), or the
# newest received, or by applicant department. An application has one open task at most, so each order ends on
# a unique key and a page never repeats a row. The deadline order is read off an index of the waiting
# applications by (due_at, id), the newest received off one of the open tasks (migrations 0010 and 0003).
_APPLICATION = "process__shareapplicationprocess__application"
_DUE = F(f"{_APPLICATION}__due_at").asc(nulls_last=True)
INBOX_SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "due": ("答复期限", (_DUE, f"{_APPLICATION}__id")),
    "received": ("收到时间", ("-created", "-pk")),
    "applicant": ("申请部门", (f"{_APPLICATION}__applicant_department__name", _DUE, f"{_APPLICATION}__id")),
}
DEFAULT_INBOX_SORT = "due"


def task_list(user, sort: str = DEFAULT_INBOX_SORT) -> QuerySet[Task]:
    """待办审核: open tasks the user may work on, scoped to their department (the bureau's arbitration: all)."""

    if not user.is_authenticated:
        return Task.objects.none()
    scope = Q(owner_id__in=acting_user_ids(user), status=STATUS.ASSIGNED)
    mine = Q(process__shareapplicationprocess__application__provider_department_id=user.department_id)
    if user.has_perm("share_requests.can_review_application") and user.department_id:
        scope |= Q(flow_task=ShareApplicationFlow.review) & mine
    if user.has_perm("share_requests.can_countersign_application") and user.department_id:
        scope |= Q(flow_task=ShareApplicationFlow.countersign) & mine
    if user.has_perm("share_requests.can_arbitrate_application"):
        scope |= Q(flow_task=ShareApplicationFlow.arbitrate)
    return (
        Task.objects.filter(
            process__flow_class=ShareApplicationFlow,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
            process__shareapplicationprocess__application__state__in=INBOX_STATES,  # lets the deadline index serve
        )
        .filter(scope)
        .exclude(process__shareapplicationprocess__application__applicant_department_id=user.department_id)
        .select_related(
            "owner",
            "process__shareapplicationprocess__application__applicant_department",
            "process__shareapplicationprocess__application__resource",
        )
        .order_by(*INBOX_SORTS.get(sort, INBOX_SORTS[DEFAULT_INBOX_SORT])[1])
    )


# 待办审核's filters, which the 工作台's figures link to: one step of the flow, and which of its tasks.
INBOX_STEPS = {
    "review": ShareApplicationFlow.review,
    "countersign": ShareApplicationFlow.countersign,
    "arbitrate": ShareApplicationFlow.arbitrate,
}
INBOX_SHOWS = {"queue": "待认领", "mine": "我办理中", "overdue": "已逾期"}


def inbox_tasks(user, *, sort: str = DEFAULT_INBOX_SORT, step: str = "", show: str = "") -> QuerySet[Task]:
    """待办审核 (task_list), narrowed to one step and to the unassigned, the user's own (and those of whom they stand
    in for) or the overdue ones: a deadline passed when its local date has, at the end of that day."""
    tasks = task_list(user, sort)
    if step in INBOX_STEPS:
        tasks = tasks.filter(flow_task=INBOX_STEPS[step])
    if show == "queue":
        tasks = tasks.filter(status=STATUS.NEW)
    elif show == "mine":
        tasks = tasks.filter(status=STATUS.ASSIGNED, owner_id__in=acting_user_ids(user))
    elif show == "overdue":
        tasks = tasks.filter(**{f"{_APPLICATION}__due_at__lt": timezone.now()})
    return tasks


@dataclass(frozen=True)
class InboxRow:
    task: Task
    application: ShareApplication
    countdown: Countdown | None  # to the reply deadline; None without one


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: CappedCount
    sort: str
    number: int
    has_next: bool
    step: str = ""
    show: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 1


# What the inbox shows of each task: loading the rows' other columns would cost more than the query.
INBOX_COLUMNS = (
    "flow_task",
    "created",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    _APPLICATION,
    f"{_APPLICATION}__due_at",
    f"{_APPLICATION}__applicant_department__name",
    f"{_APPLICATION}__resource__name",
)


def inbox_page(
    user, *, sort: str = DEFAULT_INBOX_SORT, number: int = 1, size: int = 50, step: str = "", show: str = ""
) -> InboxPage:
    """One page of 待办审核 in two queries whatever its length: the page (one row more says if there is a next)
    and the capped total, planned without parallel workers (workflows.selectors.serial_plans). Working days left
    come from the calendar in memory (workflows.workdays)."""
    sort = sort if sort in INBOX_SORTS else DEFAULT_INBOX_SORT
    step = step if step in INBOX_STEPS else ""
    show = show if show in INBOX_SHOWS else ""
    tasks = inbox_tasks(user, sort=sort, step=step, show=show)
    offset = (number - 1) * size
    with serial_plans():
        page = list(tasks.only(*INBOX_COLUMNS)[offset : offset + size + 1])
        total = count_capped(tasks)
    rows = [_inbox_row(task) for task in page[:size]]
    return InboxPage(rows, total, sort, number, has_next=len(page) > size, step=step, show=show)


def _inbox_row(task: Task) -> InboxRow:
    application = task.process.shareapplicationprocess.application
    return InboxRow(task, application, countdown(application.due_at))


@dataclass(frozen=True)
class InboxSummary:
    """One step of a user's inbox for the 工作台: how many tasks, unassigned, theirs and overdue, and the most
    urgent few."""

    total: CappedCount
    counts: dict[str, CappedCount]  # by INBOX_SHOWS key
    urgent: list[InboxRow]


def inbox_summary(user, *, step: str, size: int) -> InboxSummary:
    """In 2 + len(INBOX_SHOWS) queries whatever the inbox's size (capped counts, one short page)."""
    tasks = inbox_tasks(user, step=step)
    with serial_plans():
        urgent = [_inbox_row(task) for task in tasks.only(*INBOX_COLUMNS)[:size]]
        counts = {show: count_capped(inbox_tasks(user, step=step, show=show)) for show in INBOX_SHOWS}
        total = count_capped(tasks)
    return InboxSummary(total, counts, urgent)
