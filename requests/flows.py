"""The share application's human tasks.

The application's state lives on the model (django-fsm) and changes only in
requests.services; this flow routes the human tasks around it, through the
adapter in workflows.flowtasks. Applications that need no person (the negative
list refuses them, unconditional data is granted) are decided by
application_submit itself and get no process. The rest start here, and every
task routes on the state the service just set:

    start → review ─┬ decided → end
                    ├ countersigning → countersign ─┬ effective → end
                    │                               ├ sent back → review
                    │                               └ overdue → arbitrate
                    ├ returned → correction (waits for resubmission) → review
                    └ overdue or disputed → arbitrate ─┬ decided → end
                                                       ├ returned → correction
                                                       └ ordered → review
"""

from __future__ import annotations

from django.shortcuts import redirect
from viewflow import this
from viewflow.workflow import flow

from requests.models import (
    ApplicationState,
    PartState,
    Scenario,
    ScenarioPart,
    ScenarioPartProcess,
    ScenarioProcess,
    ScenarioState,
    ShareApplication,
    ShareApplicationProcess,
)
from workflows import nodes
from workflows.flowtasks import SubjectFlow


def in_state(state: str):
    """A routing condition: the application is now in `state` (as the service that moved the flow set it)."""
    return lambda activation: activation.subject.state == state


class DepartmentTask(nodes.View):
    """A human task of the provider department: its staff with the permission take it, nobody else."""

    def allows(self, user, subject) -> bool:
        return user.department_id is not None and user.department_id == subject.provider_department_id


class ShareApplicationFlow(SubjectFlow):
    process_class = ShareApplicationProcess
    process_title = "共享申请"
    subject_model = ShareApplication
    subject_field = "application"
    task_for_state = {
        ApplicationState.IN_REVIEW: "review",
        ApplicationState.COUNTERSIGNING: "countersign",
        ApplicationState.RETURNED: "correction",
        ApplicationState.ESCALATED: "arbitrate",
    }

    start = flow.StartHandle(this.start_process).Next(this.review)

    review = (
        DepartmentTask(this.task_view)
        .Permission("share_requests.can_review_application")
        .Annotation(title="提供方审核")
        .Case(this.countersign, in_state(ApplicationState.COUNTERSIGNING))
        .Case(this.correction, in_state(ApplicationState.RETURNED))
        .Case(this.arbitrate, in_state(ApplicationState.ESCALATED))
        .Next(this.end)
    )

    countersign = (
        DepartmentTask(this.task_view)
        .Permission("share_requests.can_countersign_application")
        .Annotation(title="负责人会签")
        .Case(this.review, in_state(ApplicationState.IN_REVIEW))
        .Case(this.arbitrate, in_state(ApplicationState.ESCALATED))
        .Next(this.end)
    )

    # Waits for the applicant's resubmission (requests.services.application_submit resumes it).
    correction = flow.Handle().Annotation(title="申请人补正").Next(this.review)

    arbitrate = (
        nodes.View(this.task_view)
        .Permission("share_requests.can_arbitrate_application")
        .Annotation(title="政数局协调")
        .Case(this.correction, in_state(ApplicationState.RETURNED))
        .Case(this.review, in_state(ApplicationState.IN_REVIEW))
        .Next(this.end)
    )

    end = flow.End()

    def task_view(self, request, **kwargs):
        """Tasks are worked on the application's page; a task URL leads there."""
        process = kwargs.get("process") or request.activation.process
        return redirect("share_requests:detail", pk=process.application_id)


class ScenarioFlow(SubjectFlow):
    """The bureau's tasks on a scenario (应用场景授权); each provider's answer is a ScenarioPartFlow of its own.

        start → accept ─┬ accepted → collect (waits for the last provider's answer) → authorize → end
                        └ rejected → end

    A scenario the bureau proposes itself is accepted by its proposal (the service completes `accept`).
    """

    process_class = ScenarioProcess
    process_title = "应用场景授权"
    subject_model = Scenario
    subject_field = "scenario"
    task_for_state = {
        ScenarioState.PROPOSED: "accept",
        ScenarioState.PROVIDER_REVIEW: "collect",
        ScenarioState.REVIEWED: "authorize",
    }

    start = flow.StartHandle(this.start_process).Next(this.accept)

    accept = (
        nodes.View(this.task_view)
        .Permission("share_requests.can_authorize_scenario")
        .Annotation(title="政数局受理")
        .Case(this.collect, in_state(ScenarioState.PROVIDER_REVIEW))
        .Next(this.end)
    )

    # Waits for the providers (requests.services.scenarios resumes it when the last part is answered).
    collect = flow.Handle().Annotation(title="提供部门确认").Next(this.authorize)

    authorize = (
        nodes.View(this.task_view)
        .Permission("share_requests.can_authorize_scenario")
        .Annotation(title="政数局授权")
        .Next(this.end)
    )

    end = flow.End()

    def task_view(self, request, **kwargs):
        """Tasks are worked on the scenario's page; a task URL leads there."""
        process = kwargs.get("process") or request.activation.process
        return redirect("scenarios:detail", pk=process.scenario_id)


class ScenarioPartFlow(SubjectFlow):
    """One provider's answer for its part of a scenario; overdue, the bureau answers (协调).

    start → confirm ─┬ answered → end
                     └ overdue → arbitrate → end
    """

    process_class = ScenarioPartProcess
    process_title = "应用场景数据确认"
    subject_model = ScenarioPart
    subject_field = "part"
    task_for_state = {PartState.PENDING: "confirm", PartState.ESCALATED: "arbitrate"}

    start = flow.StartHandle(this.start_process).Next(this.confirm)

    confirm = (
        DepartmentTask(this.task_view)
        .Permission("share_requests.can_confirm_scenario_part")
        .Annotation(title="提供部门确认")
        .Case(this.arbitrate, in_state(PartState.ESCALATED))
        .Next(this.end)
    )

    arbitrate = (
        nodes.View(this.task_view)
        .Permission("share_requests.can_authorize_scenario")
        .Annotation(title="政数局协调")
        .Next(this.end)
    )

    end = flow.End()

    def task_view(self, request, **kwargs):
        process = kwargs.get("process") or request.activation.process
        part = ScenarioPart.objects.only("scenario_id").get(pk=process.part_id)
        return redirect("scenarios:detail", pk=part.scenario_id)
