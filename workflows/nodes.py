"""viewflow nodes with govshare's rules added. Flows use these instead of flow.View."""

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge

from organizations.selectors import acting_user_ids


class ViewActivation(flow.View.activation_class):
    @Activation.status.super()
    def create_next(self):
        yield self.flow_task.next_node(self)._create(self, self.task.token)


class View(flow.View):
    """A human task that a substitute may execute while the owner is absent.

    It may route itself, as a Switch after it would: `.Case(node, condition)`, tried in order,
    then `.Next(node)` as the default. That spares the gateway's own task row, its link and its
    savepoint at every step. (viewflow's Next(task_data=, task_seed=) is not supported here.)
    """

    activation_class = ViewActivation

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cases = []

    def Case(self, node, condition):
        self._cases.append((node, condition))
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._cases = [(this.resolve(instance, node), this.resolve(instance, cond)) for node, cond in self._cases]

    def _outgoing(self):
        for node, _ in self._cases:
            yield Edge(src=self, dst=node, edge_class="cond_true")
        if self._next:
            yield Edge(src=self, dst=self._next, edge_class="default" if self._cases else "next")

    def next_node(self, activation):
        for node, condition in self._cases:
            if condition(activation):
                return node
        return self._next

    def can_execute(self, user, task) -> bool:
        if super().can_execute(user, task):
            return True
        return task.owner_id is not None and user.is_authenticated and task.owner_id in acting_user_ids(user)
