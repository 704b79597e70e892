"""The human tasks of a department's self-check report (DepartmentReportFlow) and of a shutdown case (ShutdownFlow).

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

from systems_inventory.models import (
    CaseState,
    DepartmentReport,
    DepartmentReportProcess,
    ReportState,
    ShutdownCase,
    ShutdownCaseProcess,
)
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


class CaseDepartmentTask(nodes.View):
    """A step of the system's own department: its staff with the permission take it, nobody else."""

    def allows(self, user, subject) -> bool:
        return user.department_id is not None and user.department_id == subject.system.department_id


class CaseBureauTask(nodes.View):
    """The data bureau's decision: any of its staff but those of the system's own department (职责分离)."""

    def allows(self, user, subject) -> bool:
        return user.department_id != subject.system.department_id


def case_in(*states: str):
    return lambda activation: activation.subject.state in states


class ShutdownFlow(SubjectFlow):
    """A shutdown case's human tasks, from its 关停通知书 on (a suspected case has none: the bureau decides it from
    the candidate list). The services move every step; the window's closing is a deadline action.

        start → reply (the department: object, or accept) ─┬ objection → decide_objection (the bureau) ─┬ withdrawn → end
                  │ (or the window closes)                  │                                            └ upheld ─┐
                  └────────────────────────────────────────┴─→ dispose (the department) → verify (the bureau) ─┬ confirmed → end
                                                               ↑                                               │
                                                               └──────────── a disposition rejected ───────────┘
    """

    process_class = ShutdownCaseProcess
    process_title = "信息系统关停"
    subject_model = ShutdownCase
    subject_field = "case"
    task_for_state = {
        CaseState.PROPOSED: "reply",
        CaseState.OBJECTION: "decide_objection",
        CaseState.DISPOSING: "dispose",
        CaseState.INTEGRATING: "dispose",
        CaseState.VERIFYING: "verify",
    }

    start = flow.StartHandle(this.start_process).Next(this.reply)

    reply = (
        CaseDepartmentTask(this.task_view)
        .Permission("systems_inventory.can_answer_shutdown")
        .Annotation(title="答复关停通知")
        .Case(this.decide_objection, case_in(CaseState.OBJECTION))
        .Next(this.dispose)
    )

    decide_objection = (
        CaseBureauTask(this.task_view)
        .Permission("systems_inventory.can_decide_shutdown")
        .Annotation(title="决定异议")
        .Case(this.end, case_in(CaseState.WITHDRAWN))
        .Next(this.dispose)
    )

    dispose = (
        CaseDepartmentTask(this.task_view)
        .Permission("systems_inventory.can_answer_shutdown")
        .Annotation(title="数据处置")
        .Next(this.verify)
    )

    verify = (
        CaseBureauTask(this.task_view)
        .Permission("systems_inventory.can_decide_shutdown")
        .Annotation(title="核验并确认关停")
        .Case(this.dispose, case_in(CaseState.DISPOSING, CaseState.INTEGRATING))
        .Next(this.end)
    )

    end = flow.End()

    def task_view(self, request, **kwargs):
        """Tasks are worked on the case's page; a task URL leads there."""
        process = kwargs.get("process") or request.activation.process
        return redirect("systems_inventory:case_detail", pk=process.case_id)
