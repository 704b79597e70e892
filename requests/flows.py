"""The share application's human tasks (DESIGN.md §3.1).

The application's state lives on the model (django-fsm) and changes only in
requests.services; this flow routes the tasks around it. Every gateway reads
a predicate of the model, and every human step is one node:

    start → on the negative list? ── yes → auto_refuse → end
                 └ no → auto-grantable? ── yes → auto_grant → end
                              └ no → review ─┬ decided → end
                                             ├ countersigning → countersign ─┬ effective → end
                                             │                               ├ sent back → review
                                             │                               └ overdue → arbitrate
                                             ├ returned → correction (waits for resubmission) → review
                                             └ overdue or disputed → arbitrate ─┬ decided → end
                                                                                ├ returned → correction
                                                                                └ ordered → review
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow, lock

from requests.models import ApplicationState, ShareApplication, ShareApplicationProcess
from workflows import nodes


def _state(activation) -> str:
    """The application's state, read fresh once per gateway activation.

    Fresh: the service changed the state on another instance (protected field, no refresh_from_db).
    Once: a Switch evaluates its cases one after another on the same activation, within one
    transaction, so the first read answers them all.
    """
    try:
        return activation._application_state
    except AttributeError:
        state = ShareApplication.objects.values_list("state", flat=True).get(pk=activation.process.application_id)
        activation._application_state = state
        return state


class DepartmentTask(nodes.View):
    """A human task of the provider department: its staff with the permission take it, nobody else."""

    def can_assign(self, user, task) -> bool:
        if not super().can_assign(user, task):
            return False
        # Set by task_take, which holds this task's application locked (found through task.process_id).
        application = getattr(task, "_share_application", None)
        if application is not None:
            return user.department_id is not None and user.department_id == application.provider_department_id
        provider_id = ShareApplication.objects.filter(process__pk=task.process_id).values("provider_department_id")
        return user.department_id is not None and provider_id.filter(provider_department_id=user.department_id).exists()


class ShareApplicationFlow(flow.Flow):
    process_class = ShareApplicationProcess
    lock_impl = lock.select_for_update_lock
    process_title = "共享申请"

    start = flow.StartHandle(this.start_process).Next(this.screen)

    # The negative list wins over "unconditional is shared by default": a listed item is never granted.
    screen = (
        flow.If(lambda activation: activation.process.application.is_on_negative_list())
        .Then(this.auto_refuse)
        .Else(this.route)
    )
    auto_refuse = flow.Function(this.run_auto_refuse).Next(this.end)

    route = (
        flow.If(lambda activation: activation.process.application.is_auto_grantable())
        .Then(this.auto_grant)
        .Else(this.review)
    )
    auto_grant = flow.Function(this.run_auto_grant).Next(this.end)

    review = (
        DepartmentTask(this.task_view)
        .Permission("share_requests.can_review_application")
        .Annotation(title="提供方审核")
        .Next(this.after_review)
    )
    after_review = (
        flow.Switch()
        .Case(this.countersign, lambda a: _state(a) == ApplicationState.COUNTERSIGNING)
        .Case(this.correction, lambda a: _state(a) == ApplicationState.RETURNED)
        .Case(this.arbitrate, lambda a: _state(a) == ApplicationState.ESCALATED)
        .Default(this.end)
    )

    countersign = (
        DepartmentTask(this.task_view)
        .Permission("share_requests.can_countersign_application")
        .Annotation(title="负责人会签")
        .Next(this.after_countersign)
    )
    after_countersign = (
        flow.Switch()
        .Case(this.review, lambda a: _state(a) == ApplicationState.IN_REVIEW)
        .Case(this.arbitrate, lambda a: _state(a) == ApplicationState.ESCALATED)
        .Default(this.end)
    )

    # Waits for the applicant's resubmission (requests.services.application_submit runs it).
    correction = flow.Handle().Annotation(title="申请人补正").Next(this.review)

    arbitrate = (
        nodes.View(this.task_view)
        .Permission("share_requests.can_arbitrate_application")
        .Annotation(title="政数局协调")
        .Next(this.after_arbitrate)
    )
    after_arbitrate = (
        flow.Switch()
        .Case(this.correction, lambda a: _state(a) == ApplicationState.RETURNED)
        .Case(this.review, lambda a: _state(a) == ApplicationState.IN_REVIEW)
        .Default(this.end)
    )

    end = flow.End()

    def start_process(self, activation, application) -> None:
        activation.process.application = application
        activation.process.artifact = application

    def run_auto_grant(self, activation) -> None:
        from requests.services.applications import decide_automatically

        decide_automatically(application=activation.process.application)

    def run_auto_refuse(self, activation) -> None:
        from requests.services.applications import refuse_by_negative_list

        refuse_by_negative_list(application=activation.process.application)

    def task_view(self, request, **kwargs):
        """Tasks are worked on the application's page; a task URL leads there."""
        from django.shortcuts import redirect

        process = kwargs.get("process") or request.activation.process
        return redirect("share_requests:detail", pk=process.application_id)
