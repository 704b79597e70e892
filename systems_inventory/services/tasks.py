"""A report's tasks taken, released and handed over (认领, 退回待认领, 转交): the department's filling in and its
leader's confirmation, the bureau's review. The rules and the audit are workflows.taking's, as for share
applications; this module locks the report, keeps the bureau off its own department's report and tells whom a
task is handed to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from viewflow.workflow.models import Task

from systems_inventory import rules
from systems_inventory.flows import DepartmentReportFlow
from systems_inventory.messages import MSG_SELF_DECISION
from systems_inventory.models import DepartmentReport
from systems_inventory.services.common import SelfCheckError, lock_report, tell, wrong_state
from workflows import taking


def report_task_take(*, actor, obj: Task, ip: str | None = None) -> Task:
    """认领 a report's task: the department's staff their own steps, a bureau reviewer another department's review."""
    with transaction.atomic():
        report = _locked_report(obj)
        if obj.flow_task == DepartmentReportFlow.review and rules.is_own_report(actor, report):
            raise SelfCheckError(MSG_SELF_DECISION)
        with _refusals(report, obj):
            taking.take(obj, actor=actor, subject=report, ip=ip)
    return obj


def report_task_release(*, actor, obj: Task, ip: str | None = None) -> Task:
    """退回待认领: the owner (or their substitute) puts the task back in its queue."""
    with transaction.atomic():
        report = _locked_report(obj)
        with _refusals(report, obj):
            taking.release(obj, actor=actor, subject=report, ip=ip)
    return obj


def report_task_handover(*, actor, obj: Task, to_user, ip: str | None = None) -> Task:
    """转交: the owner hands the task to someone who could have taken it, who is told."""
    with transaction.atomic():
        report = _locked_report(obj)
        with _refusals(report, obj):
            taking.hand_over(obj, actor=actor, subject=report, to_user=to_user, ip=ip)
        title = obj.flow_task.task_title
        tell([to_user], report, f"{actor}将{report.department.name}自查报告的“{title}”任务转交给您。")
    return obj


def _locked_report(task: Task) -> DepartmentReport:
    return lock_report(DepartmentReport.objects.only("pk").get(process__pk=task.process_id))


@contextmanager
def _refusals(report: DepartmentReport, task: Task) -> Iterator[None]:
    """workflows.taking's refusals, said as the self-check's own error."""
    try:
        yield
    except taking.TaskRefused as exc:
        if exc.code == taking.CLOSED:
            raise wrong_state(report, task.flow_task.task_title) from exc
        raise SelfCheckError(exc.message, {exc.field: [exc.message]}) from exc
