"""A human task that routes itself (workflows.nodes.View.Case) instead of a Switch after it."""

import pytest

from tests.probe.flows import RoutingProbeFlow

pytestmark = pytest.mark.django_db


def _decide(process, user):
    task = process.task_set.get(flow_task=RoutingProbeFlow.decide)
    with task.activation() as activation:
        activation.assign(user)
        activation.start(None)
        activation.execute()
    return [task.flow_task for task in process.task_set.order_by("pk")]


@pytest.mark.parametrize(("verdict", "end"), [("no", RoutingProbeFlow.rejected), ("yes", RoutingProbeFlow.accepted)])
def test_the_first_case_that_holds_wins_else_next(verdict, end, zhujian_reviewer):
    process = RoutingProbeFlow.start.run(verdict=verdict)

    steps = _decide(process, zhujian_reviewer)

    # No gateway row between the task and where it leads.
    assert steps == [RoutingProbeFlow.start, RoutingProbeFlow.decide, end]
    process.refresh_from_db()
    assert process.status == "DONE"


def test_the_flow_chart_shows_every_way_out():
    edges = {(edge.dst, edge.edge_class) for edge in RoutingProbeFlow.decide._outgoing()}

    assert edges == {(RoutingProbeFlow.rejected, "cond_true"), (RoutingProbeFlow.accepted, "default")}
