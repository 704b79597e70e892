"""A construction project's human tasks.

The project's state lives on the model (django-fsm) and changes only in project_approvals.services; this flow
routes the human tasks around it, through the adapter in workflows.flowtasks. Creating a project starts its
process, and every task routes on the state the service just set:

    start → edit (the department's applicants) → confirm (its leader) ─┬ confirmed → review (the data bureau) ─┐
             ↑                                                          └ sent back → edit                     │
             └──────────────────────────────── returned ───────────────────────────────────────────────────────┤
                                                                                            not passed → end ───┤
    ┌──────────────────────────────────────────────── passed (with or without conditions) ─────────────────────┘
    └→ approve (立项, the approving authority) → fund (预算, finance; only past the gate) → accept (验收) → end
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow

from project_approvals.models import ConstructionProject, ConstructionProjectProcess, ProjectState
from workflows import nodes
from workflows.flowtasks import SubjectFlow
from workflows.nodes import DepartmentTask, OtherDepartmentTask, state_in


class ConstructionProjectFlow(SubjectFlow):
    process_class = ConstructionProjectProcess
    process_title = "建设项目审批"
    subject_model = ConstructionProject
    subject_field = "project"
    subject_page = "project_approvals:detail"
    task_for_state = {
        ProjectState.DRAFT: "edit",
        ProjectState.RETURNED: "edit",
        ProjectState.SUBMITTED: "confirm",
        ProjectState.IN_REVIEW: "review",
        ProjectState.PASSED: "approve",
        ProjectState.APPROVED: "fund",
        ProjectState.BUDGETED: "accept",
    }

    start = flow.StartHandle(this.start_process).Next(this.edit)

    edit = (
        DepartmentTask(this.task_view)
        .Permission("project_approvals.can_edit_project")
        .Annotation(title="部门填报")
        .Next(this.confirm)
    )

    confirm = (
        DepartmentTask(this.task_view)
        .Permission("project_approvals.can_confirm_project")
        .Annotation(title="部门负责人确认")
        .Case(this.edit, state_in(ProjectState.DRAFT))
        .Next(this.review)
    )

    review = (
        OtherDepartmentTask(this.task_view)
        .Permission("project_approvals.can_review_project")
        .Annotation(title="政数局初审")
        .Case(this.edit, state_in(ProjectState.RETURNED))
        .Case(this.end, state_in(ProjectState.NOT_PASSED))
        .Next(this.approve)
    )

    approve = (
        nodes.View(this.task_view)
        .Permission("project_approvals.can_approve_project")
        .Annotation(title="立项")
        .Next(this.fund)
    )

    fund = (
        nodes.View(this.task_view)
        .Permission("project_approvals.can_decide_funding")
        .Annotation(title="财政批复预算")
        .Next(this.accept)
    )

    accept = (
        nodes.View(this.task_view)
        .Permission("project_approvals.can_approve_project")
        .Annotation(title="验收")
        .Next(this.end)
    )

    end = flow.End()
