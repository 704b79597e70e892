"""A department report's human tasks.

The report's state lives on the model (django-fsm) and changes only in systems_inventory.services; this
flow routes the human tasks around it, through the adapter in workflows.flowtasks. The campaign's launch
starts one process per department, and every task routes on the state the service just set:

    start → fill (the department's staff) ─→ confirm (its leader) ─┬ confirmed → review (the data bureau) ─┬ accepted → end
              ↑                                                     └ sent back → fill                      └ returned → fill
              └──────────────────────────────────────────────────────────────────────────────────────────────┘

Closing the campaign cancels what is still open.
"""

from __future__ import annotations

from django.shortcuts import redirect
from viewflow import this
from viewflow.workflow import flow

from systems_inventory.models import DepartmentReport, DepartmentReportProcess, ReportState
from workflows import nodes
from workflows.flowtasks import SubjectFlow


def in_state(state: str):
    """A routing condition: the report is now in `state` (as the service that moved the flow set it)."""
    return lambda activation: activation.subject.state == state


class DepartmentTask(nodes.View):
    """A task of the report's own department: its staff with the permission take it, nobody else."""

    def allows(self, user, subject) -> bool:
        return user.department_id is not None and user.department_id == subject.department_id


class ReviewTask(nodes.View):
    """The data bureau's review: any coordinator but those of the report's own department (职责分离)."""

    def allows(self, user, subject) -> bool:
        return user.department_id != subject.department_id


class DepartmentReportFlow(SubjectFlow):
    process_class = DepartmentReportProcess
    process_title = "信息系统自查报告"
    subject_model = DepartmentReport
    subject_field = "report"
    task_for_state = {
        ReportState.PENDING: "fill",
        ReportState.DRAFT: "fill",
        ReportState.RETURNED: "fill",
        ReportState.CONFIRMING: "confirm",
        ReportState.SUBMITTED: "review",
    }

    start = flow.StartHandle(this.start_process).Next(this.fill)

    fill = (
        DepartmentTask(this.task_view)
        .Permission("systems_inventory.can_fill_report")
        .Annotation(title="部门填报")
        .Next(this.confirm)
    )

    confirm = (
        DepartmentTask(this.task_view)
        .Permission("systems_inventory.can_confirm_report")
        .Annotation(title="部门负责人确认")
        .Case(this.fill, in_state(ReportState.DRAFT))
        .Next(this.review)
    )

    review = (
        ReviewTask(this.task_view)
        .Permission("systems_inventory.can_review_report")
        .Annotation(title="政数局审核")
        .Case(this.fill, in_state(ReportState.RETURNED))
        .Next(this.end)
    )

    end = flow.End()

    def task_view(self, request, **kwargs):
        """Tasks are worked on the report's page; a task URL leads there."""
        process = kwargs.get("process") or request.activation.process
        return redirect("systems_inventory:report_detail", pk=process.report_id)
