"""How audit events read in words, on an application's 办理记录 and in the admin: not codes.

Each app registers, in its AppConfig.ready(), the words for the actions it records and for the
states of the subjects it records them on. States are per subject model: "withdrawn" is 已撤回 for an
application and 已撤销 for a catalog entry. A code nobody registered shows as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from workflows.models import AuditEvent

ACTIONS: dict[str, str] = {}
STATES: dict[str, dict[str, str]] = {}  # "app_label.model" → state code → words


def register(*, actions: Mapping[str, str] = {}, states: Mapping[str, Mapping[str, str]] = {}) -> None:
    ACTIONS.update(actions)
    for model, words in states.items():
        STATES.setdefault(model, {}).update(words)


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def state_label(event: AuditEvent, code: str) -> str:
    subject_type = event.subject_type
    return STATES.get(f"{subject_type.app_label}.{subject_type.model}", {}).get(code, code)


def labelled(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events with `action_label`, `from_label` and `to_label` set (their subject_type loaded)."""
    events = list(events)
    for event in events:
        event.action_label = action_label(event.action)  # type: ignore[attr-defined]
        event.from_label = state_label(event, event.from_state)  # type: ignore[attr-defined]
        event.to_label = state_label(event, event.to_state)  # type: ignore[attr-defined]
    return events


# viewflow titles nodes without an Annotation(title=...) from their name ("Start", "End").
TASK_TITLES = {"start": "发起", "end": "办结"}


def task_title(task) -> str:
    """A viewflow task's node in words."""
    node = task.flow_task
    return str(TASK_TITLES.get(node.name, node.task_title)) if node else ""


def task_label(task) -> str:
    """提供方审核 #670（新建）, for viewflow's "<shareapplication.Review/670> - NEW" (WorkflowsConfig.ready)."""
    return f"{task_title(task) or '任务'} #{task.pk}（{task.get_status_display()}）"
