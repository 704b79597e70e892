"""How audit events read in words, on an application's 办理记录 and in the admin: not codes.

Each app registers, in its AppConfig.ready(), the words for the actions it records and for the
states of the subjects it records them on. States are per subject model: "withdrawn" is 已撤回 for an
application and 已撤销 for a catalog entry. A code nobody registered shows as it is.

Action codes are namespaced, "<app label or domain>.<what>" ("catalog.resource_registered",
"records.issued"). Events recorded before that carry the old bare codes ("record_issued"): they are never
rewritten (the hash covers the code), so ACTION_ALIASES says which new code each old one is. Labels,
filters (action_filter) and readers (canonical_action) go through it, and read old and new events alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import Q

from workflows.models import AuditEvent

# Old code → its namespaced code. Only ever add: an old code may be on the chain forever.
ACTION_ALIASES: dict[str, str] = {
    # Share applications (label share_requests).
    "application_created": "share_requests.application_created",
    "application_updated": "share_requests.application_updated",
    "application_submitted": "share_requests.application_submitted",
    "application_resubmitted": "share_requests.application_resubmitted",
    "application_withdrawn": "share_requests.application_withdrawn",
    "application_returned": "share_requests.application_returned",
    "application_refused": "share_requests.application_refused",
    "application_escalated": "share_requests.application_escalated",
    "application_decided": "share_requests.application_decided",
    "class_disputed": "share_requests.class_disputed",
    "countersign_refused": "share_requests.countersign_refused",
    "decision_ordered": "share_requests.decision_ordered",
    "grant_proposed": "share_requests.grant_proposed",
    # Grants and API tokens (label share_requests).
    "grant_revoked": "share_requests.grant_revoked",
    "grant_renewal_started": "share_requests.grant_renewal_started",
    "grant_expired": "share_requests.grant_expired",
    "grant_expiry_notice_30": "share_requests.grant_expiry_notice_30",
    "grant_expiry_notice_7": "share_requests.grant_expiry_notice_7",
    "api_token_issued": "share_requests.api_token_issued",
    "api_token_disabled": "share_requests.api_token_disabled",
    # The human tasks of a flow, whichever app's (claim, release, hand over, a substitute's work).
    "task_taken": "workflows.task_taken",
    "task_released": "workflows.task_released",
    "task_handed_over": "workflows.task_handed_over",
    "task_done_for": "workflows.task_done_for",
    # Records (pdf_templates).
    "record_issued": "records.issued",
    "record_rendered": "records.rendered",
}

ACTIONS: dict[str, str] = {}  # namespaced code → words
STATES: dict[str, dict[str, str]] = {}  # "app_label.model" → state code → words


def canonical_action(code: str) -> str:
    """The namespaced code of an action, whether `code` is the old one or already the new one."""
    return ACTION_ALIASES.get(code, code)


def action_codes(code: str) -> list[str]:
    """Every code stored for the action `code` (old or new): its namespaced code and the old ones."""
    canonical = canonical_action(code)
    return [canonical, *sorted(old for old, new in ACTION_ALIASES.items() if new == canonical)]


def action_filter(code: str) -> Q:
    """Events of the action `code`, recorded under its new code or an old one."""
    return Q(action__in=action_codes(code))


def register(*, actions: Mapping[str, str] = {}, states: Mapping[str, Mapping[str, str]] = {}) -> None:
    """The words for `actions` (by old or new code) and for the `states` of subject models."""
    ACTIONS.update({canonical_action(code): words for code, words in actions.items()})
    for model, words in states.items():
        STATES.setdefault(model, {}).update(words)


def action_label(code: str) -> str:
    return ACTIONS.get(canonical_action(code), code)


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
