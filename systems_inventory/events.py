"""How the self-check's audit events and states read (办理记录, the admin): in words, not codes."""

from __future__ import annotations

from pdf_templates.models import RecordType
from systems_inventory.models import CampaignState, CaseState, ReportState, SystemStatus
from workflows import deadlines, labels

ACTIONS = {
    "systems_inventory.campaign_created": "创建自查",
    "systems_inventory.campaign_updated": "修改自查",
    "systems_inventory.campaign_launched": "发起自查",
    "systems_inventory.campaign_closed": "结束自查",
    "systems_inventory.report_started": "开始填报",
    "systems_inventory.line_added": "填报新增系统",
    "systems_inventory.line_updated": "修改系统信息",
    "systems_inventory.line_confirmed": "确认系统无变化",
    "systems_inventory.line_retired": "标记系统不再运行",
    "systems_inventory.line_reset": "撤销系统的填报结果",
    "systems_inventory.line_removed": "删除新增系统",
    "systems_inventory.report_imported": "表格导入自查报告",
    "systems_inventory.report_declared": "声明无自建系统",
    "systems_inventory.report_undeclared": "撤回无自建系统声明",
    "systems_inventory.report_submitted": "提交负责人确认",
    "systems_inventory.report_sent_back": "负责人不予确认，退回修改",
    "systems_inventory.report_confirmed": "负责人确认并报送政数局",
    "systems_inventory.report_commented": "填写系统审核意见",
    "systems_inventory.report_accepted": "审核通过",
    "systems_inventory.report_returned": "退回补正",
    "systems_inventory.report_late": "逾期未报送",
    "systems_inventory.report_unfinished": "自查结束，报告未完成",
    "systems_inventory.system_registered": "登记信息系统",
    "systems_inventory.system_changed": "变更信息系统",
    "systems_inventory.system_confirmed": "自查确认无变化",
    "systems_inventory.system_retired": "信息系统停止运行",
    # Usage evidence and the shutdown chain.
    "systems_inventory.activity_pushed": "接口推送使用情况",
    "systems_inventory.activity_imported": "表格报送使用情况",
    "systems_inventory.token_issued": "签发使用情况推送令牌",
    "systems_inventory.token_disabled": "停用使用情况推送令牌",
    "systems_inventory.case_suspected": "扫描研判列为疑似僵尸系统",
    "systems_inventory.case_requested": "部门申请停用",
    "systems_inventory.case_opened": "政数局提出关停或整合",
    "systems_inventory.case_dismissed": "排除疑似，继续使用",
    "systems_inventory.case_cleared": "疑似依据已不成立，自动排除",
    "systems_inventory.case_proposed": "发出关停通知",
    "systems_inventory.case_accepted": "部门确认无异议",
    "systems_inventory.case_objected": "部门提出异议",
    "systems_inventory.objection_window_closed": "异议期届满，未收到异议",
    "systems_inventory.shutdown_upheld": "维持关停",
    "systems_inventory.shutdown_withdrawn": "撤回关停",
    "systems_inventory.store_added": "登记数据存储",
    "systems_inventory.disposition_recorded": "登记数据处置",
    "systems_inventory.dispositions_submitted": "提请核验数据处置",
    "systems_inventory.disposition_verified": "数据处置核验通过",
    "systems_inventory.disposition_rejected": "数据处置核验未通过",
    "systems_inventory.disposition_overdue": "数据处置逾期",
    "systems_inventory.case_confirmed": "确认关停",
    "systems_inventory.system_shut_down": "信息系统关停或整合",
    "systems_inventory.resources_repointed": "承接被整合系统的目录资源",
}


def register() -> None:
    labels.register(
        actions=ACTIONS,
        states={
            # records.issued: to_state names the record type
            "systems_inventory.departmentreport": {**dict(ReportState.choices), **dict(RecordType.choices)},
            "systems_inventory.campaign": dict(CampaignState.choices),
            "systems_inventory.infosystem": dict(SystemStatus.choices),
            "systems_inventory.shutdowncase": {**dict(CaseState.choices), **dict(RecordType.choices)},
        },
    )
    deadlines.describe(
        kinds={
            "self_check_report": "自查报告报送期限",
            "system_objection_window": "关停异议期",
            "system_disposition": "数据处置期限",
        },
        actions={
            "systems_inventory.remind_department": "提醒部门填报人员和负责人（按提醒当日的人员）",
            "systems_inventory.mark_late": "逾期：标记逾期并通知部门和政数局",
            "systems_inventory.remind_case": "提醒系统所属部门（按提醒当日的人员）",
            "systems_inventory.close_objection_window": "异议期届满：进入数据处置",
            "systems_inventory.disposition_overdue": "逾期：标记数据处置逾期并通知部门和政数局",
        },
    )
