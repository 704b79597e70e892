"""The share application's human tasks (DESIGN.md §3.1).

The application's state lives on the model (django-fsm) and changes only in
requests.services; this flow routes the human tasks around it. Applications
that need no person (the negative list refuses them, unconditional data is
granted) are decided by application_submit itself and get no process. The
rest start here, and every task routes on the state the service just set:

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

from contextlib import contextmanager

from django.db import transaction
from viewflow import this
from viewflow.workflow import flow

from requests.models import ApplicationState, ShareApplication, ShareApplicationProcess
from workflows import nodes


def _state(activation) -> str:
    """The application's state as the service that moved the flow left it (`process.application_state`).

    Moved by anything else, the state is read fresh (the service changed it on another instance:
    protected field, no refresh_from_db), once, since a task tries its cases one by one.
    """
    process = activation.process
    if getattr(process, "application_state", None) is None:
        process.application_state = ShareApplication.objects.values_list("state", flat=True).get(
            pk=process.application_id
        )
    return process.application_state


@contextmanager
def held_application_lock(flow_class, process_pk):
    """The flow's lock is the application's row lock, which the caller already holds.

    Every way into this flow is a requests.services function that locks the application row
    (SELECT … FOR UPDATE) before it moves the flow; the flow has no join, timer or viewflow view
    of its own. viewflow's select_for_update_lock would lock the process row as well: a second
    lock taken after the first, and a savepoint and a query at every step.
    """
    with transaction.atomic(savepoint=False):
        yield


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
    lock_impl = held_application_lock
    process_title = "共享申请"

    start = flow.StartHandle(this.start_process).Next(this.review)

    review = (
        DepartmentTask(this.task_view)
        .Permission("share_requests.can_review_application")
        .Annotation(title="提供方审核")
        .Case(this.countersign, lambda a: _state(a) == ApplicationState.COUNTERSIGNING)
        .Case(this.correction, lambda a: _state(a) == ApplicationState.RETURNED)
        .Case(this.arbitrate, lambda a: _state(a) == ApplicationState.ESCALATED)
        .Next(this.end)
    )

    countersign = (
        DepartmentTask(this.task_view)
        .Permission("share_requests.can_countersign_application")
        .Annotation(title="负责人会签")
        .Case(this.review, lambda a: _state(a) == ApplicationState.IN_REVIEW)
        .Case(this.arbitrate, lambda a: _state(a) == ApplicationState.ESCALATED)
        .Next(this.end)
    )

    # Waits for the applicant's resubmission (requests.services.application_submit runs it).
    correction = flow.Handle().Annotation(title="申请人补正").Next(this.review)

    arbitrate = (
        nodes.View(this.task_view)
        .Permission("share_requests.can_arbitrate_application")
        .Annotation(title="政数局协调")
        .Case(this.correction, lambda a: _state(a) == ApplicationState.RETURNED)
        .Case(this.review, lambda a: _state(a) == ApplicationState.IN_REVIEW)
        .Next(this.end)
    )

    end = flow.End()

    def start_process(self, activation, application) -> None:
        activation.process.application = application
        activation.process.artifact = application

    def task_view(self, request, **kwargs):
        """Tasks are worked on the application's page; a task URL leads there."""
        from django.shortcuts import redirect

        process = kwargs.get("process") or request.activation.process
        return redirect("share_requests:detail", pk=process.application_id)
