"""Every transition of a campaign and a department report, through the services."""

import datetime as dt

import pytest
from django.core.management import call_command
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from systems_inventory import messages as msg
from systems_inventory import services
from systems_inventory.flows import DepartmentReportFlow
from systems_inventory.models import (
    Campaign,
    CampaignState,
    DepartmentReport,
    InfoSystem,
    LineAction,
    ReportLine,
    ReportState,
    SystemStatus,
)
from systems_inventory.services import SelfCheckError
from tests.systems_inventory.helpers import make_campaign, send_to_bureau, system_data
from workflows.models import AuditEvent, Deadline

pytestmark = pytest.mark.django_db


def _verify_flows() -> str:
    import io

    out = io.StringIO()
    call_command("verify_flows", stdout=out)
    return out.getvalue()


def _task(report, node):
    return services.open_task(report, node)


# ---------------------------------------------------------------- campaigns


def test_launch_gives_each_department_a_report_a_task_a_clock_and_a_notice(
    campaign, gongan, zhujian, zhengshu, gongan_applicant, zhujian_leader
):
    reports = {r.department: r for r in DepartmentReport.objects.filter(campaign=campaign)}
    assert set(reports) == {gongan, zhujian, zhengshu}
    assert campaign.state == CampaignState.LAUNCHED
    # 10 working days from Monday 2 March 2026: the end of Monday 16 March.
    assert campaign.due_at.astimezone().date() == dt.date(2026, 3, 16)
    for report in reports.values():
        assert report.state == ReportState.PENDING and report.is_current
        assert report.due_at == campaign.due_at
        assert _task(report, DepartmentReportFlow.fill) is not None
        assert Deadline.objects.get(subject_id=str(report.pk), kind=services.DEADLINE_KIND).status == "active"
    for user in (gongan_applicant, zhujian_leader):
        assert Notification.objects.filter(recipient=user, event="self_check_task").exists()
    assert AuditEvent.objects.filter(action="systems_inventory.campaign_launched").count() == 4  # campaign + 3
    assert _verify_flows().startswith("OK:")


def test_campaigns_do_not_overlap_for_a_department(campaign, coordinator, zhujian, caizheng):
    second = make_campaign(coordinator, covers_all=False)
    second.departments.set([zhujian, caizheng])
    with pytest.raises(SelfCheckError) as exc:
        services.campaign_launch(actor=coordinator, obj=second)
    assert exc.value.message == msg.MSG_OVERLAP.format(departments="市住建局")
    assert Campaign.objects.get(pk=second.pk).state == CampaignState.DRAFT
    assert not DepartmentReport.objects.filter(campaign=second).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "自查"}, "due_workdays", msg.MSG_DUE_REQUIRED),
        ({"title": "自查", "due_workdays": 5, "due_on": dt.date(2026, 4, 1)}, "due_workdays", msg.MSG_DUE_BOTH),
        ({"title": "自查", "due_workdays": 0}, "due_workdays", msg.MSG_DUE_WORKDAYS_INVALID),
        ({"title": "自查", "due_on": dt.date(2026, 3, 1)}, "due_on", msg.MSG_DUE_DATE_PAST),
        ({"title": "", "due_workdays": 5}, "title", msg.MSG_REQUIRED),
        ({"title": "自查", "due_workdays": 5, "covers_all": False}, "departments", msg.MSG_NO_DEPARTMENTS),
    ],
)
def test_a_campaign_s_terms_are_checked(frozen, coordinator, data, field, message):
    with pytest.raises(SelfCheckError) as exc:
        services.campaign_create(actor=coordinator, data=data)
    assert exc.value.errors[field] == [message]
    assert not Campaign.objects.exists()


def test_only_the_bureau_runs_campaigns(frozen, gongan_leader):
    with pytest.raises(SelfCheckError) as exc:
        services.campaign_create(actor=gongan_leader, data={"title": "自查", "due_workdays": 5})
    assert exc.value.message == msg.MSG_BUREAU_ONLY


def test_a_due_date_gives_the_last_working_day_up_to_it(frozen, coordinator, gongan):
    draft = services.campaign_create(
        actor=coordinator, data={"title": "自查", "due_on": dt.date(2026, 3, 14)}, departments=[gongan]
    )
    campaign = services.campaign_launch(actor=coordinator, obj=draft)
    assert campaign.due_at.astimezone().date() == dt.date(2026, 3, 13)  # the 14th is a Saturday


# ---------------------------------------------------------------- filling in


def test_starting_prefills_the_lines_from_the_register_systems_in_use(zhujian_report, zhujian_clerk, zhujian_systems):
    registry, records, gone = zhujian_systems
    report = services.report_start(actor=zhujian_clerk, obj=zhujian_report)
    lines = {line.system: line for line in report.lines.all()}
    assert set(lines) == {registry, records}
    assert all(line.action == LineAction.PENDING for line in lines.values())
    assert lines[registry].name == registry.name and lines[registry].deployment == registry.deployment
    assert report.state == ReportState.DRAFT


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", msg.MSG_REQUIRED),
        ({"function": "   "}, "function", msg.MSG_REQUIRED),
        ({"usage_frequency": "hourly"}, "usage_frequency", None),
        ({"deployment": "moon"}, "deployment", None),
        ({"deployment": "own_room"}, "not_on_cloud_reason", msg.MSG_CLOUD_REASON_REQUIRED),
        ({"is_classified": True}, "deployment", msg.MSG_CLASSIFIED_ON_CLOUD),
        (
            {"is_classified": True, "deployment": "own_room", "connected": True},
            "connected",
            msg.MSG_CLASSIFIED_CONNECTED,
        ),
        ({"connected": True, "interface_count": 0}, "interface_count", msg.MSG_CONNECTED_NEEDS_COUNT),
        ({"connected": False, "interface_count": 3}, "interface_count", msg.MSG_NOT_CONNECTED_COUNT),
    ],
)
def test_a_bad_system_is_a_field_error_and_nothing_is_written(
    gongan_report, gongan_applicant, overrides, field, message
):
    with pytest.raises(SelfCheckError) as exc:
        services.line_add(actor=gongan_applicant, report=gongan_report, data=system_data(**overrides))
    assert field in exc.value.errors
    if message:
        assert message in exc.value.errors[field]
    assert not ReportLine.objects.exists()


def test_a_classified_system_off_the_cloud_needs_no_reason(gongan_report, gongan_applicant):
    line = services.line_add(
        actor=gongan_applicant,
        report=gongan_report,
        data=system_data(is_classified=True, deployment="own_room", connected=False, interface_count=0),
    )
    assert line.action == LineAction.ADD and line.is_classified


def test_another_department_s_system_is_refused(
    zhujian_report, gongan, gongan_applicant, zhujian_clerk, zhujian_systems
):
    from systems_inventory import rules

    registry = zhujian_systems[0]
    gongan_report = DepartmentReport.objects.get(campaign=zhujian_report.campaign, department=gongan)
    line = ReportLine(report=gongan_report, system=registry, action=LineAction.CONFIRM, **_fields(registry))
    errors = rules.check_line(line, gongan_report)
    assert errors["system"] == [
        msg.MSG_OTHER_DEPARTMENT_SYSTEM.format(system="房屋网签备案系统", department="市公安局")
    ]
    # Nor can the 公安局 touch the 住建局's report.
    services.report_start(actor=zhujian_clerk, obj=zhujian_report)
    with pytest.raises(SelfCheckError) as exc:
        services.line_confirm(actor=gongan_applicant, obj=zhujian_report.lines.first())
    assert exc.value.message == msg.MSG_NOT_YOUR_DEPARTMENT


def _fields(system):
    from systems_inventory.services.register import field_values

    return field_values(system)


def test_submitting_needs_every_line_decided_and_systems_or_the_declaration(
    zhujian_report, zhujian_clerk, gongan_report, gongan_applicant
):
    services.report_start(actor=zhujian_clerk, obj=zhujian_report)
    with pytest.raises(SelfCheckError) as exc:
        services.report_submit(actor=zhujian_clerk, obj=zhujian_report)
    assert exc.value.message == msg.MSG_LINES_UNDECIDED.format(count=2)

    with pytest.raises(SelfCheckError) as exc:
        services.report_submit(actor=gongan_applicant, obj=gongan_report)
    assert exc.value.message == msg.MSG_NOTHING_REPORTED

    services.lines_confirm_all(actor=zhujian_clerk, report=zhujian_report)
    services.report_declare(actor=zhujian_clerk, obj=zhujian_report, no_self_built=True)
    with pytest.raises(SelfCheckError) as exc:
        services.report_submit(actor=zhujian_clerk, obj=zhujian_report)
    assert exc.value.message == msg.MSG_DECLARED_BUT_SELF_BUILT
    assert DepartmentReport.objects.get(pk=zhujian_report.pk).state == ReportState.DRAFT


def test_a_register_system_that_breaks_today_s_rules_must_be_edited_before_it_is_confirmed(
    zhujian_report, zhujian_clerk, zhujian_systems
):
    registry = zhujian_systems[0]
    InfoSystem.objects.filter(pk=registry.pk).update(deployment="own_room", not_on_cloud_reason="")
    services.report_start(actor=zhujian_clerk, obj=zhujian_report)
    line = zhujian_report.lines.get(system=registry)
    with pytest.raises(SelfCheckError) as exc:
        services.line_confirm(actor=zhujian_clerk, obj=line)
    assert exc.value.errors["not_on_cloud_reason"] == [msg.MSG_CLOUD_REASON_REQUIRED]
    confirmed, refused = services.lines_confirm_all(actor=zhujian_clerk, report=zhujian_report)
    assert (confirmed, refused) == (1, ["房屋网签备案系统"])


def test_the_department_sends_it_to_its_leader_who_sends_it_back_or_confirms(
    zhujian_report, zhujian_clerk, zhujian_leader, gongan_leader
):
    services.lines_confirm_all(actor=zhujian_clerk, report=zhujian_report)
    report = services.report_submit(actor=zhujian_clerk, obj=zhujian_report)
    assert report.state == ReportState.CONFIRMING
    assert _task(report, DepartmentReportFlow.fill) is None
    assert _task(report, DepartmentReportFlow.confirm).status == STATUS.NEW
    assert Notification.objects.filter(recipient=zhujian_leader, event="self_check_task").count() == 2  # +launch

    with pytest.raises(SelfCheckError) as exc:
        services.report_confirm(actor=gongan_leader, obj=report)
    assert exc.value.message == msg.MSG_NOT_YOUR_DEPARTMENT
    with pytest.raises(SelfCheckError) as exc:
        services.report_confirm(actor=zhujian_clerk, obj=report)
    assert exc.value.message == msg.MSG_NOT_A_LEADER
    with pytest.raises(SelfCheckError) as exc:
        services.report_send_back(actor=zhujian_leader, obj=report, comment=" ")
    assert exc.value.message == msg.MSG_SEND_BACK_NEEDS_COMMENT

    report = services.report_send_back(actor=zhujian_leader, obj=report, comment="请核实用户数")
    assert report.state == ReportState.DRAFT and report.leader_comment == "请核实用户数"
    assert _task(report, DepartmentReportFlow.fill) is not None
    services.report_submit(actor=zhujian_clerk, obj=report)
    report = services.report_confirm(actor=zhujian_leader, obj=report, comment="情况属实")
    assert report.state == ReportState.SUBMITTED and report.confirmed_by == zhujian_leader
    assert not report.is_late
    assert _task(report, DepartmentReportFlow.review) is not None
    assert Deadline.objects.get(subject_id=str(report.pk)).status == Deadline.Status.COMPLETED
    assert _verify_flows().startswith("OK:")


# ---------------------------------------------------------------- the bureau


def test_accepting_writes_the_register_versions_it_and_issues_a_record(
    zhujian_report, zhujian_clerk, zhujian_leader, coordinator, zhujian_systems, catalog_resource
):
    registry, records, gone = zhujian_systems
    services.report_start(actor=zhujian_clerk, obj=zhujian_report)
    lines = {line.system_id: line for line in zhujian_report.lines.all()}
    services.line_confirm(actor=zhujian_clerk, obj=lines[registry.pk])
    services.line_retire(actor=zhujian_clerk, obj=lines[records.pk], reason="业务并入省级平台")
    added = services.line_add(
        actor=zhujian_clerk,
        report=zhujian_report,
        data=system_data(name="物业维修资金管理系统", deployment="own_room", not_on_cloud_reason="机房合同未到期"),
        resources=[catalog_resource],
    )
    services.report_submit(actor=zhujian_clerk, obj=zhujian_report)
    services.report_confirm(actor=zhujian_leader, obj=zhujian_report)

    record = services.report_accept(
        actor=coordinator, obj=zhujian_report, comment="同意", line_comments={added.pk: "请尽快迁移至政务云"}
    )

    report = DepartmentReport.objects.get(pk=zhujian_report.pk)
    assert report.state == ReportState.ACCEPTED and report.decided_by == coordinator
    new = InfoSystem.objects.get(name="物业维修资金管理系统")
    assert new.department == report.department and new.version == 1 and list(new.resources.all()) == [catalog_resource]
    records = InfoSystem.objects.get(pk=records.pk)
    assert records.status == SystemStatus.RETIRED and records.retired_reason == "业务并入省级平台"
    frozen = {line.name: line.frozen_version for line in report.lines.all()}
    assert frozen["房屋网签备案系统"].number == 1  # confirmed unchanged: the version it confirmed
    assert frozen["物业维修资金管理系统"] == new.versions.get(number=1)
    assert frozen["建设工程档案管理系统"] == records.versions.get(number=records.version)
    assert record.type == RecordType.SELF_CHECK_OPINION and record.number == "通政数查〔2026〕1号"
    assert record.data["comments"] == [
        {"system": "物业维修资金管理系统", "action": "新增", "comment": "请尽快迁移至政务云"}
    ]
    assert "审核通过" in record.data["conclusion"]
    assert Notification.objects.filter(recipient=zhujian_clerk, event="self_check_result").exists()
    assert _task(report, DepartmentReportFlow.review) is None
    assert _verify_flows().startswith("OK:")


def test_an_edit_makes_a_new_version_naming_what_changed(
    zhujian_report, zhujian_clerk, zhujian_leader, coordinator, zhujian_systems
):
    registry = zhujian_systems[0]
    services.report_start(actor=zhujian_clerk, obj=zhujian_report)
    line = zhujian_report.lines.get(system=registry)
    services.line_update(actor=zhujian_clerk, obj=line, data=system_data(name=registry.name, user_count=300))
    services.lines_confirm_all(actor=zhujian_clerk, report=zhujian_report)
    services.report_submit(actor=zhujian_clerk, obj=zhujian_report)
    services.report_confirm(actor=zhujian_leader, obj=zhujian_report)
    services.report_accept(actor=coordinator, obj=zhujian_report)
    registry = InfoSystem.objects.get(pk=registry.pk)
    assert registry.user_count == 300 and registry.version == 2
    version = registry.versions.get(number=2)
    assert version.changes == ["用户数"] and version.snapshot["user_count"] == 300
    event = AuditEvent.objects.get(action="systems_inventory.system_changed")
    assert event.subject_id == str(registry.pk) and event.data == {"version": 2, "report": zhujian_report.pk}


def test_nobody_decides_their_own_department_s_report(campaign, zhengshu, coordinator, zhengshu_leader):
    own = DepartmentReport.objects.get(campaign=campaign, department=zhengshu)
    from tests.factories import UserFactory

    filler = UserFactory(username="zs_filler", department=zhengshu, roles=["applicant"])
    send_to_bureau(own, filler, zhengshu_leader, no_self_built=True)
    with pytest.raises(SelfCheckError) as exc:
        services.report_accept(actor=coordinator, obj=own)
    assert exc.value.message == msg.MSG_SELF_DECISION
    assert DepartmentReport.objects.get(pk=own.pk).state == ReportState.SUBMITTED


def test_a_return_restarts_the_clock_and_the_department_sends_it_again(
    frozen, gongan_report, gongan_applicant, gongan_leader, coordinator
):
    services.line_add(actor=gongan_applicant, report=gongan_report, data=system_data(name="户籍管理系统"))
    services.report_submit(actor=gongan_applicant, obj=gongan_report)
    services.report_confirm(actor=gongan_leader, obj=gongan_report)
    with pytest.raises(SelfCheckError) as exc:
        services.report_return(actor=coordinator, obj=gongan_report, comment="")
    assert exc.value.message == msg.MSG_RETURN_NEEDS_COMMENT

    frozen.move_to("2026-03-04 09:00 +0800")
    line = gongan_report.lines.get()
    record = services.report_return(
        actor=coordinator, obj=gongan_report, comment="请补充审批信息", line_comments={line.pk: "缺少审批文号"}
    )
    report = DepartmentReport.objects.get(pk=gongan_report.pk)
    assert report.state == ReportState.RETURNED
    # 5 working days from Wednesday 4 March: Wednesday 11 March.
    assert report.due_at.astimezone().date() == dt.date(2026, 3, 11)
    assert record.data["resubmit_by"] == "2026年3月11日" and record.number == "通政数查〔2026〕1号"
    assert ReportLine.objects.get(pk=line.pk).review_comment == "缺少审批文号"
    assert _task(report, DepartmentReportFlow.fill) is not None
    assert _verify_flows().startswith("OK:")

    services.line_update(
        actor=gongan_applicant, obj=line, data=system_data(name="户籍管理系统", approval_number="通发改〔2020〕3号")
    )
    services.report_submit(actor=gongan_applicant, obj=report)
    services.report_confirm(actor=gongan_leader, obj=report)
    second = services.report_accept(actor=coordinator, obj=report)
    assert second.number == "通政数查〔2026〕2号"
    assert Record.objects.filter(type=RecordType.SELF_CHECK_OPINION).count() == 2


def test_a_stale_decision_is_refused(
    gongan_report, gongan_applicant, gongan_leader, coordinator, coordinator_colleague
):
    services.line_add(actor=gongan_applicant, report=gongan_report, data=system_data())
    services.report_submit(actor=gongan_applicant, obj=gongan_report)
    services.report_confirm(actor=gongan_leader, obj=gongan_report)
    services.report_accept(actor=coordinator, obj=gongan_report)
    with pytest.raises(SelfCheckError) as exc:
        services.report_return(actor=coordinator_colleague, obj=gongan_report, comment="再看看")
    assert exc.value.stale and exc.value.message == msg.MSG_WRONG_STATE.format(state="已通过", action="审核")


# ---------------------------------------------------------------- deadlines and closing


def test_a_reminder_before_the_due_date_and_the_late_mark_after_it(
    frozen, gongan_report, gongan_applicant, coordinator
):
    from workflows import deadlines

    frozen.move_to("2026-03-12 09:00 +0800")  # two working days before Monday the 16th
    assert deadlines.evaluate()["reminded"] == 3
    assert Notification.objects.filter(recipient=gongan_applicant, event="deadline_reminder").exists()
    frozen.move_to("2026-03-17 09:00 +0800")
    assert deadlines.evaluate()["expired"] == 3
    report = DepartmentReport.objects.get(pk=gongan_report.pk)
    assert report.is_late and report.state == ReportState.PENDING
    assert Notification.objects.filter(recipient=coordinator, event="deadline_escalated").exists()
    assert AuditEvent.objects.filter(action="systems_inventory.report_late", subject_id=str(report.pk)).exists()


def test_a_report_confirmed_after_its_due_date_is_late_even_before_beat_ran(
    frozen, gongan_report, gongan_applicant, gongan_leader
):
    services.line_add(actor=gongan_applicant, report=gongan_report, data=system_data())
    services.report_submit(actor=gongan_applicant, obj=gongan_report)
    frozen.move_to("2026-03-17 09:00 +0800")
    report = services.report_confirm(actor=gongan_leader, obj=gongan_report)
    assert report.is_late


def test_closing_lapses_what_is_unfinished_and_freezes_the_statistics(
    campaign, gongan_report, zhujian_report, gongan_applicant, gongan_leader, zhujian_clerk, zhujian_leader, coordinator
):
    send_to_bureau(zhujian_report, zhujian_clerk, zhujian_leader)
    with pytest.raises(SelfCheckError) as exc:
        services.campaign_close(actor=coordinator, obj=campaign)
    assert exc.value.message == msg.MSG_REPORTS_AWAITING_REVIEW.format(count=1)
    services.report_accept(actor=coordinator, obj=zhujian_report)

    closed = services.campaign_close(actor=coordinator, obj=campaign)

    assert closed.state == CampaignState.CLOSED
    states = dict(DepartmentReport.objects.filter(campaign=campaign).values_list("department__code", "state"))
    assert states == {"TH-ZJ": ReportState.ACCEPTED, "TH-GA": ReportState.UNFINISHED, "TH-ZS": ReportState.UNFINISHED}
    assert not DepartmentReport.objects.filter(is_current=True).exists()
    assert closed.statistics["findings"]["departments_checked"] == 1
    assert closed.statistics["findings"]["self_built_systems"] == 2
    assert not Deadline.objects.filter(status=Deadline.Status.ACTIVE).exists()
    assert _verify_flows().startswith("OK:")
    with pytest.raises(SelfCheckError):
        services.line_add(actor=gongan_applicant, report=gongan_report, data=system_data())
    # The departments are free for the next campaign.
    nxt = services.campaign_create(actor=coordinator, data={"title": "下一轮", "due_workdays": 5}, departments=[])
    assert services.campaign_launch(actor=coordinator, obj=nxt).state == CampaignState.LAUNCHED
