"""viewflow nodes with govshare's rules added. Flows use these instead of flow.View.

This module and workflows.flowtasks are the only places that reach into viewflow's internals;
workflows.flowtasks says which ones and why, and tests/requests/test_flow_adapter.py checks them.
"""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge

from organizations.selectors import acting_user_ids


class ViewActivation(flow.View.activation_class):
    """A human task's activation that knows its subject, so that routing reads the state just set.

    workflows.flowtasks.complete passes the subject it holds locked; any other way in reads it once.
    """

    _subject: Any = None

    @property
    def subject(self) -> Any:
        if self._subject is None:
            self._subject = self.flow_class.subject_of(self.process.pk)
        return self._subject

    @subject.setter
    def subject(self, value: Any) -> None:
        self._subject = value

    @Activation.status.super()
    def create_next(self):
        yield self.flow_task.next_node(self)._create(self, self.task.token)


class View(flow.View):
    """A human task on a subject, which a substitute may execute while the owner is absent.

    It may route itself, as a Switch after it would: `.Case(node, condition)`, tried in order,
    then `.Next(node)` as the default; a condition takes the activation (whose `subject` is the
    subject's row as the service left it). That spares the gateway's
    own task row, its link and its savepoint at every step. (viewflow's Next(task_data=,
    task_seed=) is not supported here.)

    `allows(user, subject)` narrows who may take the task beyond the permission (e.g. one
    department's staff); `can_assign` and `can_execute` take the subject when the caller holds it.
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

    def next_node(self, activation: ViewActivation):
        for node, condition in self._cases:
            if condition(activation):
                return node
        return self._next

    def allows(self, user, subject) -> bool:
        return True

    def can_assign(self, user, task, subject=None) -> bool:
        if not super().can_assign(user, task):
            return False
        if subject is None:
            subject = self.flow_class.subject_of(task.process_id)
        return self.allows(user, subject)

    def can_execute(self, user, task) -> bool:
        if super().can_execute(user, task):
            return True
        return task.owner_id is not None and user.is_authenticated and task.owner_id in acting_user_ids(user)


def state_in(*states: str):
    """A routing condition for `.Case(node, state_in(...))`: the subject is now in one of `states` (as the service
    that moved the flow set it)."""
    return lambda activation: activation.subject.state in states


class DepartmentTask(View):
    """A task of the subject's own department (its flow's `department_of(subject)`): its staff with the permission
    take it, nobody else."""

    def allows(self, user, subject) -> bool:
        return user.department_id is not None and user.department_id == self.flow_class.department_of(subject)


class OtherDepartmentTask(View):
    """A decision for anyone with the permission but the subject's own department's staff (职责分离: the data
    bureau does not decide on its own department's subject)."""

    def allows(self, user, subject) -> bool:
        return user.department_id != self.flow_class.department_of(subject)
