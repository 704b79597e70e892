"""Minimal flows exercising workflows/ machinery: a human task and a timer."""

from datetime import timedelta

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow.views import UpdateProcessView

from workflows import nodes


class ApprovalProbeFlow(flow.Flow):
    """Start → one human approval assigned to a named user → End."""

    start = flow.StartHandle(this.start_process).Next(this.approve)
    approve = (
        nodes.View(UpdateProcessView.as_view(fields=[]))
        .Assign(lambda activation: _user(activation.process.data["owner_id"]))
        .Next(this.end)
    )
    end = flow.End()

    def start_process(self, activation, owner):
        activation.process.data = {"owner_id": owner.pk}
        return activation.process


class RoutingProbeFlow(flow.Flow):
    """Start → a human decision that routes itself: "no" to a rejection end, anything else on."""

    start = flow.StartHandle(this.start_process).Next(this.decide)
    decide = (
        nodes.View(UpdateProcessView.as_view(fields=[]))
        .Case(this.rejected, lambda activation: activation.process.data["verdict"] == "no")
        .Next(this.accepted)
    )
    accepted = flow.End()
    rejected = flow.End()

    def start_process(self, activation, verdict):
        activation.process.data = {"verdict": verdict}
        return activation.process


class TimerProbeFlow(flow.Flow):
    """Start → wait one second on a database timer → End."""

    start = flow.StartHandle().Next(this.wait)
    wait = flow.Timer(timedelta(seconds=1)).Next(this.end)
    end = flow.End()


def _user(pk):
    from organizations.models import User

    return User.objects.get(pk=pk)
