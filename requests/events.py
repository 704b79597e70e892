"""How share applications' and grants' audit events read (办理记录, the admin): in words, not codes."""

from __future__ import annotations

from pdf_templates.models import RecordType
from requests.models import ApplicationState, GrantState, ScenarioState
from workflows import deadlines, labels

ACTIONS = {
    "share_requests.application_created": "创建申请",
    "share_requests.application_updated": "修改申请",
    "share_requests.application_submitted": "提交申请",
    "share_requests.application_resubmitted": "补正后重新提交",
    "share_requests.application_withdrawn": "撤回申请",
    "share_requests.application_returned": "退回补正",
    "share_requests.application_escalated": "超期提请协调",
    "share_requests.application_decided": "作出授权决定",
    "share_requests.application_refused": "不予授权",
    "share_requests.grant_proposed": "拟同意，提请会签",
    "share_requests.countersign_refused": "负责人未会签，退回审核",
    "share_requests.class_disputed": "提出共享类型异议",
    "share_requests.decision_ordered": "政数局责令限期答复",
}
GRANT_ACTIONS = {
    "share_requests.grant_expired": "授权到期",
    "share_requests.grant_expiry_notice_30": "到期前30天提醒",
    "share_requests.grant_expiry_notice_7": "到期前7天提醒",
    "share_requests.grant_revoked": "撤销授权",
    "share_requests.grant_renewal_started": "发起续期申请",
    "share_requests.grant_extended": "随应用场景续期延期",
    "share_requests.api_token_issued": "签发接口令牌",
    "share_requests.api_token_disabled": "停用接口令牌",
}


SCENARIO_ACTIONS = {
    "share_requests.scenario_proposed": "提出应用场景",
    "share_requests.scenario_updated": "修改应用场景",
    "share_requests.scenario_accepted": "受理，送提供部门确认",
    "share_requests.scenario_part_answered": "提供部门答复",
    "share_requests.scenario_part_escalated": "提供部门超期，提请协调",
    "share_requests.scenario_reviewed": "提供部门均已答复",
    "share_requests.scenario_rejected": "不予授权",
    "share_requests.scenario_authorized": "授权应用场景",
    "share_requests.scenario_suspended": "暂停应用场景",
    "share_requests.scenario_resumed": "恢复应用场景",
    "share_requests.scenario_revoked": "撤销应用场景",
    "share_requests.scenario_expired": "应用场景到期",
    "share_requests.scenario_renewed": "应用场景续期",
}


def register() -> None:
    """The words for share applications' and grants' events (workflows.labels)."""
    labels.register(
        actions={**ACTIONS, **GRANT_ACTIONS, **SCENARIO_ACTIONS},
        states={
            # record_issued: to_state names the record type
            "share_requests.shareapplication": {**dict(ApplicationState.choices), **dict(RecordType.choices)},
            "share_requests.grant": {**dict(GrantState.choices), **dict(RecordType.choices)},
            "share_requests.scenario": {**dict(ScenarioState.choices), **dict(RecordType.choices)},
        },
    )
    deadlines.describe(
        kinds={"provider_reply": "提供方答复期限", "scenario_part_reply": "应用场景提供部门确认期限"},
        actions={
            "share_requests.remind_reviewers": "提醒提供方审核人（按提醒当日的人员）",
            "share_requests.escalate_overdue": "超期提请政数局协调",
            "share_requests.remind_scenario_part": "提醒提供部门审核人确认应用场景所需数据",
            "share_requests.escalate_scenario_part": "超期提请政数局协调（应用场景）",
        },
    )
