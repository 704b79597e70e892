"""How a share application's audit events read on its page (办理记录): in words, not codes."""

from __future__ import annotations

from collections.abc import Iterable

from pdf_templates.models import RecordType
from requests.models import ApplicationState
from workflows.models import AuditEvent

ACTIONS = {
    "application_created": "创建申请",
    "application_updated": "修改申请",
    "application_submitted": "提交申请",
    "application_resubmitted": "补正后重新提交",
    "application_withdrawn": "撤回申请",
    "application_returned": "退回补正",
    "application_escalated": "超期提请协调",
    "application_decided": "作出授权决定",
    "application_refused": "不予授权",
    "grant_proposed": "拟同意，提请会签",
    "countersign_refused": "负责人未会签，退回审核",
    "class_disputed": "提出共享类型异议",
    "decision_ordered": "政数局责令限期答复",
    "record_issued": "签发文书",
    "task_taken": "认领任务",
    "task_released": "退回任务池",
    "task_handed_over": "转交任务",
}
STATES = {**dict(ApplicationState.choices), **dict(RecordType.choices)}


def labelled(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events with `action_label`, `from_label` and `to_label` set; an unknown code shows as it is."""
    events = list(events)
    for event in events:
        event.action_label = ACTIONS.get(event.action, event.action)
        event.from_label = STATES.get(event.from_state, event.from_state)
        event.to_label = STATES.get(event.to_state, event.to_state)
    return events
