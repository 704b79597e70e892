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
from workflows.flowtasks import SubjectFlow
from workflows.nodes import DepartmentTask, OtherDepartmentTask, state_in


class DepartmentReportFlow(SubjectFlow):
    process_class = DepartmentReportProcess
    process_title = "信息系统自查报告"
    subject_model = DepartmentReport
    subject_field = "report"
    subject_page = "systems_inventory:report_detail"
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
        .Case(this.fill, state_in(ReportState.DRAFT))
        .Next(this.review)
    )

    review = (
        OtherDepartmentTask(this.task_view)
        .Permission("systems_inventory.can_review_report")
        .Annotation(title="政数局审核")
        .Case(this.fill, state_in(ReportState.RETURNED))
        .Next(this.end)
    )

    end = flow.End()


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
    subject_page = "systems_inventory:case_detail"
    task_for_state = {
        CaseState.PROPOSED: "reply",
        CaseState.OBJECTION: "decide_objection",
        CaseState.DISPOSING: "dispose",
        CaseState.INTEGRATING: "dispose",
        CaseState.VERIFYING: "verify",
    }

    @classmethod
    def department_of(cls, case) -> int:
        return case.system.department_id

    start = flow.StartHandle(this.start_process).Next(this.reply)

    reply = (
        DepartmentTask(this.task_view)
        .Permission("systems_inventory.can_answer_shutdown")
        .Annotation(title="答复关停通知")
        .Case(this.decide_objection, state_in(CaseState.OBJECTION))
        .Next(this.dispose)
    )

    decide_objection = (
        OtherDepartmentTask(this.task_view)
        .Permission("systems_inventory.can_decide_shutdown")
        .Annotation(title="决定异议")
        .Case(this.end, state_in(CaseState.WITHDRAWN))
        .Next(this.dispose)
    )

    dispose = (
        DepartmentTask(this.task_view)
        .Permission("systems_inventory.can_answer_shutdown")
        .Annotation(title="数据处置")
        .Next(this.verify)
    )

    verify = (
        OtherDepartmentTask(this.task_view)
        .Permission("systems_inventory.can_decide_shutdown")
        .Annotation(title="核验并确认关停")
        .Case(this.dispose, state_in(CaseState.DISPOSING, CaseState.INTEGRATING))
        .Next(this.end)
    )

    end = flow.End()
