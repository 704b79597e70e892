"""The data bureau's review: per-system comments, then accept (the register takes the confirmed data) or return
(the department corrects it; its clock starts again). Each decision issues a stamped 自查审核意见 with its own
number series and tells the department.

Concurrency: a decision locks the report's row first and re-reads its state, so of two reviewers deciding at
once the second waits and is refused as stale: one decision, one record number.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from pdf_templates.dates import chinese_date
from pdf_templates.models import Record, RecordType
from pdf_templates.services import issue_record
from systems_inventory import permissions, rules
from systems_inventory.flows import DepartmentReportFlow
from systems_inventory.messages import (
    MSG_LINE_NOT_IN_REPORT,
    MSG_NOT_A_REVIEWER,
    MSG_RETURN_NEEDS_COMMENT,
    MSG_SELF_DECISION,
)
from systems_inventory.models import DepartmentReport, LineAction, ReportLine, ReportState
from systems_inventory.services.common import (
    SelfCheckError,
    check_text,
    complete,
    department_staff,
    lock_report,
    start_clock,
    task_to_work,
    tell,
    wrong_state,
)
from systems_inventory.services.register import apply_line
from workflows.audit import record_event

LineComments = Mapping[int, str]


def _decision_step(actor, obj: DepartmentReport, comment: str, line_comments: LineComments | None):
    """The checks every decision makes: the reviewer, separation of duties, the texts; then the locked report,
    still waiting for the bureau, its review task and its lines with their comments set."""
    if not permissions.may_review(actor):
        raise SelfCheckError(MSG_NOT_A_REVIEWER)
    if rules.is_own_report(actor, obj):
        raise SelfCheckError(MSG_SELF_DECISION)
    check_text(DepartmentReport, "review_comment", comment, field="comment")
    for text in (line_comments or {}).values():
        check_text(ReportLine, "review_comment", text, field="line_comments")
    report = lock_report(obj)
    if report.state != ReportState.SUBMITTED:
        raise wrong_state(report, "审核")
    task = task_to_work(actor, report, DepartmentReportFlow.review)
    lines = list(report.lines.select_related("system", "category").order_by("position", "pk"))
    known = {line.pk: line for line in lines}
    for line_id, text in (line_comments or {}).items():
        if int(line_id) not in known:
            raise SelfCheckError(MSG_LINE_NOT_IN_REPORT)
        line = known[int(line_id)]
        line.review_comment = (text or "").strip()
    ReportLine.objects.bulk_update(lines, ["review_comment"])
    return report, task, lines


def report_accept(
    *,
    actor,
    obj: DepartmentReport,
    comment: str = "",
    line_comments: LineComments | None = None,
    ip: str | None = None,
) -> Record:
    """审核通过: the register takes every line; the report freezes the versions it confirmed."""
    comment = (comment or "").strip()
    with transaction.atomic():
        report, task, lines = _decision_step(actor, obj, comment, line_comments)
        for line in lines:
            line.frozen_version = apply_line(line, actor=actor, report=report, ip=ip)
        ReportLine.objects.bulk_update(lines, ["frozen_version", "system"])
        report.accept()
        report.decided_at, report.decided_by, report.review_comment = timezone.now(), actor, comment
        report.save(update_fields=["state", "decided_at", "decided_by", "review_comment", "updated_at"])
        record_event(
            subject=report,
            action="systems_inventory.report_accepted",
            actor=actor,
            from_state=ReportState.SUBMITTED,
            to_state=report.state,
            comment=comment,
            ip=ip,
        )
        complete(task, actor=actor, report=report, ip=ip)
        record = _issue(report, lines, actor=actor, accepted=True)
        tell(
            department_staff(report),
            report,
            f"本部门的“{report.campaign.title}”自查报告已审核通过（{record.number}），信息系统清单已更新。",
            event="self_check_result",
        )
    return record


def report_return(
    *,
    actor,
    obj: DepartmentReport,
    comment: str,
    line_comments: LineComments | None = None,
    ip: str | None = None,
) -> Record:
    """退回补正: the department corrects and sends it again within the campaign's resubmission time."""
    comment = (comment or "").strip()
    if not comment:
        raise SelfCheckError(MSG_RETURN_NEEDS_COMMENT, {"comment": [MSG_RETURN_NEEDS_COMMENT]})
    with transaction.atomic():
        report, task, lines = _decision_step(actor, obj, comment, line_comments)
        now = timezone.now()
        report.return_for_correction()
        report.decided_at, report.decided_by, report.review_comment = now, actor, comment
        start_clock(report, start=now, workdays=report.campaign.resubmit_workdays)
        report.save(update_fields=["state", "decided_at", "decided_by", "review_comment", "due_at", "updated_at"])
        record_event(
            subject=report,
            action="systems_inventory.report_returned",
            actor=actor,
            from_state=ReportState.SUBMITTED,
            to_state=report.state,
            comment=comment,
            ip=ip,
        )
        complete(task, actor=actor, report=report, ip=ip)
        record = _issue(report, lines, actor=actor, accepted=False)
        tell(
            department_staff(report),
            report,
            f"本部门的“{report.campaign.title}”自查报告被退回补正（{record.number}），意见：{comment}",
            event="self_check_result",
        )
    return record


def summary(lines: list[ReportLine]) -> str:
    """The report in one sentence, as the record states it."""
    in_use = [line for line in lines if line.action != LineAction.RETIRE]
    self_built = [line for line in in_use if line.build_type == "self_built"]
    on_cloud = sum(1 for line in in_use if line.on_gov_cloud)
    connected = sum(1 for line in in_use if line.connected)
    retired = len(lines) - len(in_use)
    added = sum(1 for line in lines if line.action == LineAction.ADD)
    text = (
        f"报送在用信息系统{len(in_use)}个，其中自建系统{len(self_built)}个，部署于政务云{on_cloud}个，"
        f"已接入共享平台{connected}个"
    )
    if added:
        text += f"；新增登记{added}个"
    if retired:
        text += f"；不再运行{retired}个"
    return text + "。"


def _issue(report: DepartmentReport, lines: list[ReportLine], *, actor, accepted: bool) -> Record:
    """The 自查审核意见, in the decision's transaction: numbered in its own series, by the reviewer's department."""
    department = report.department
    confirmed = timezone.localtime(report.confirmed_at) if report.confirmed_at else timezone.localtime()
    body = [
        f"你单位于{chinese_date(confirmed)}报送的《{report.campaign.title}》自查报告"
        f"{'（声明无自建系统）' if report.no_self_built else ''}收悉。经审核，意见如下。"
    ]
    comments = [
        {"system": line.name, "action": line.get_action_display(), "comment": line.review_comment}
        for line in lines
        if line.review_comment
    ]
    data = {
        "body": body,
        "conclusion": ("审核通过，信息系统清单按报告更新。" if accepted else "退回补正。")
        + (f"{report.review_comment}" if report.review_comment else ""),
        "summary": summary(lines),
        "comments": comments,
        "facts": [
            {"label": "自查活动", "value": report.campaign.title},
            {"label": "报送部门", "value": department.name},
            {"label": "部门负责人确认", "value": f"{report.confirmed_by or ''}（{chinese_date(confirmed)}）"},
            {"label": "逾期报送", "value": "是" if report.is_late else "否"},
        ],
    }
    if not accepted and report.due_at:
        data["resubmit_by"] = chinese_date(timezone.localtime(report.due_at))
    return issue_record(
        type=RecordType.SELF_CHECK_OPINION,
        subject=report,
        issuer=actor.department,
        actor=actor,
        title=f"关于{department.name}信息系统建设自查报告的审核意见",
        addressee=department,
        data=data,
    )
