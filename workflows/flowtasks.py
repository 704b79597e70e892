"""Human tasks on a subject: the one adapter between govshare's services and viewflow.

A subject (a share application, a self-check report; later a construction project) keeps its
state on its own row with django-fsm. Its viewflow process only routes the human tasks around
that state. An app's services change the state, then call this module to start, find, take,
complete or cancel the subject's tasks, always passing the subject they hold locked. Nothing is
stored on viewflow's Task or Process objects: the subject travels as an argument, and the
activation of a govshare task (workflows.nodes.ViewActivation) holds it for routing.

The flow's lock is the subject's row lock
    Every way into a subject's process is a service that locks the subject's row (SELECT … FOR
    UPDATE) before it moves the flow, and a flow has no join, timer or viewflow view of its own.
    So two people acting at once are already serialised when they reach viewflow, and the second
    one re-reads the state and is refused. viewflow's select_for_update_lock would lock the process
    row as well: a second lock taken after the first (a deadlock risk with any other order), and
    a savepoint and a query at every step. `subject_lock` therefore only joins the caller's
    transaction; it must be the `lock_impl` of every SubjectFlow.

viewflow internals relied on (django-viewflow is pinned to 2.4.x; tests/requests/test_flow_adapter.py
checks each one, so an upgrade that changes them fails there first):
    - `complete` builds the activation straight from the task it was given
      (`node.activation_class(task)`) and runs `start(None)` then `execute()`, instead of
      `task.activation()`, which would read the task and its process again;
    - a NEW task is taken and done in one write by setting `owner` and `status` before `start`;
    - `workflows.nodes.View` routes by overriding `Node._resolve`, `Node._outgoing` and its
      activation's `create_next` (which calls `next_node(...)._create(activation, token)`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.db import transaction
from django.shortcuts import redirect
from viewflow.workflow import flow
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.audit import record_event

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED)


@contextmanager
def subject_lock(flow_class, process_pk) -> Iterator[None]:
    """The flow's lock: the subject's row lock, which the caller already holds (see the module's docstring)."""
    with transaction.atomic(savepoint=False):
        yield


class SubjectFlow(flow.Flow):
    """A flow whose every process belongs to one subject row.

    A subclass names its subject model (whose FSM field is `state`), the process's one-to-one field
    to it, and which node's task is open in which state of the subject (`task_for_state`; any other
    state has none); `manage.py verify_flows` checks the database against that. Its tasks are worked
    on the subject's page (`subject_page`, the default `task_view`), and `department_of(subject)`
    says whose the subject is (the department tasks of workflows.nodes).
    """

    lock_impl = subject_lock
    subject_model: ClassVar[type[Any]]  # a Model with a `state` field
    subject_field: ClassVar[str]
    task_for_state: ClassVar[dict[str, str]] = {}
    # The URL name of the subject's page (taking its pk), where its tasks are worked: the default task_view.
    subject_page: ClassVar[str] = ""

    @classmethod
    def department_of(cls, subject) -> int | None:
        """The id of the department the subject belongs to (workflows.nodes.DepartmentTask, OtherDepartmentTask)."""
        return subject.department_id

    def task_view(self, request, **kwargs):
        """Tasks are worked on the subject's page (`subject_page`); a task URL leads there."""
        process = kwargs.get("process") or request.activation.process
        return redirect(self.subject_page, pk=getattr(process, f"{self.subject_field}_id"))

    @classmethod
    def subject_query_name(cls) -> str:
        """How the subject reaches its process in a query (the one-to-one's related query name)."""
        return cls.process_class._meta.get_field(cls.subject_field).related_query_name()

    @classmethod
    def task_lookup(cls) -> str:
        """How a task reaches its process's subject id in a query."""
        return f"process__{cls.process_class._meta.model_name}__{cls.subject_field}_id"

    @classmethod
    def subject_of(cls, process_pk: int) -> Any:
        return cls.subject_model.objects.get(**{f"{cls.subject_query_name()}__pk": process_pk})

    @classmethod
    def expected_node(cls, state: str) -> Any:
        """The node whose task should be open while the subject is in `state`, or None."""
        name = cls.task_for_state.get(state)
        return getattr(cls, name) if name else None

    @classmethod
    def subclasses(cls) -> list[type[SubjectFlow]]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub, *sub.subclasses()]
        return found

    def start_process(self, activation, subject) -> None:
        setattr(activation.process, self.subject_field, subject)
        activation.process.artifact = subject


def start(flow_class: type[SubjectFlow], subject) -> None:
    """Start the subject's process at the flow's `start` node (a StartHandle calling start_process)."""
    flow_class.start.run(subject=subject)


def open_task(flow_class: type[SubjectFlow], subject, node=None) -> Task | None:
    """The subject's open human task (at `node`, if given), with its owner, in one query."""
    tasks = Task.objects.filter(**{flow_class.task_lookup(): subject.pk}, status__in=OPEN_STATUSES)
    if node is not None:
        tasks = tasks.filter(flow_task=node)
    process = f"process__{flow_class.process_class._meta.model_name}"  # what the activation coerces it to
    return tasks.select_related("owner", process).order_by("-pk").first()


def resume(flow_class: type[SubjectFlow], subject, node) -> None:
    """Run the subject's task waiting at a Handle `node` (e.g. a correction the applicant has made)."""
    node.run(open_task(flow_class, subject, node))


@contextmanager
def activated(task: Task) -> Iterator[Any]:
    """The task, read again under the flow's lock, and its activation: to take, release or hand it over."""
    with task.activation() as activation:
        yield activation


def complete(task: Task, *, subject, actor) -> None:
    """Finish the human task for `actor` (None: the system); the flow routes on the subject's state.

    The caller holds `subject` locked and read `task` after that, so the task is current.
    """
    node = task.flow_task
    with node.flow_class.lock(task.process_id):
        activation = node.activation_class(task)
        activation.subject = subject
        if task.status == STATUS.NEW:
            # Taken and done in one write: viewflow's assign() would save the task once more first.
            # (The caller has checked that the actor may take it.)
            task.owner, task.status = actor, STATUS.ASSIGNED
        activation.start(None)
        activation.execute()


def complete_recorded(task: Task, *, subject, actor, ip: str | None = None) -> None:
    """`complete`, and when a substitute finishes the absent owner's task, the trail says on whose behalf
    (workflows.task_done_for, in the caller's transaction)."""
    if actor is not None and task.owner_id not in (None, actor.pk):
        record_event(
            subject=subject,
            action="workflows.task_done_for",
            actor=actor,
            ip=ip,
            comment=f"代理{task.owner}办理{task.flow_task.task_title}",
        )
    complete(task, subject=subject, actor=actor)


def cancel(flow_class: type[SubjectFlow], subject) -> None:
    """Cancel the subject's process and its open tasks, if it has one still running."""
    process = flow_class.process_class.objects.filter(**{flow_class.subject_field: subject}).first()
    if process is not None and process.finished is None:
        flow_class.instance.cancel(process)


def disagreements(flow_class: type[SubjectFlow]) -> Iterator[str]:
    """Where a subject's state and its open human tasks disagree, in words (manage.py verify_flows).

    A state named in `task_for_state` expects exactly one open task (a human task, or a Handle waiting), at
    that node; any other state none.
    Read in two queries, whatever the number of subjects.
    """
    subject_ids = dict(flow_class.process_class.objects.values_list("pk", f"{flow_class.subject_field}_id").iterator())
    open_tasks: dict[int | None, list[str]] = {}
    tasks = Task.objects.filter(process__flow_class=flow_class, status__in=OPEN_STATUSES)
    for process_id, node in tasks.values_list("process_id", "flow_task").iterator():
        open_tasks.setdefault(subject_ids[process_id], []).append(node.name)
    with_process = set(subject_ids.values())
    label = flow_class.subject_model._meta.verbose_name
    subjects = flow_class.subject_model.objects.values_list("pk", "state").order_by("pk")
    for pk, state in subjects.iterator():
        expected = flow_class.task_for_state.get(state)
        found = open_tasks.get(pk, [])
        if expected is None and found:
            yield f"{label} #{pk}：状态为 {state}，不应有待办任务，却有 {'、'.join(found)}"
        elif expected is not None and pk not in with_process:
            yield f"{label} #{pk}：状态为 {state}，应有待办任务 {expected}，但没有流程"
        elif expected is not None and found != [expected]:
            yield f"{label} #{pk}：状态为 {state}，应有且只有一个待办任务 {expected}，实有 {'、'.join(found) or '无'}"
