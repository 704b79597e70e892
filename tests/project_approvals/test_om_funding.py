"""O&M funding per system and year: gated as projects are (in the register and in use, connected while it produces
data, not in the shutdown chain), once per system and year, refused with the failing rules and an audit event."""

import datetime as dt

import pytest

from pdf_templates.models import RecordType
from project_approvals import gate
from project_approvals import messages as msg
from project_approvals.models import FundingDecision, GateEvaluation
from project_approvals.services import ProjectError, system_om_fund
from systems_inventory.services import zombie_scan
from tests.project_approvals.helpers import self_check
from tests.systems_inventory.helpers import used
from workflows.models import AuditEvent

pytestmark = pytest.mark.usefixtures("frozen")  # Monday 2 March 2026


@pytest.fixture
def archive(good_standing, zhujian, zhujian_clerk, zhujian_leader, coordinator, housing_data):
    """The 住建局's 建设工程档案管理系统: it produces a catalog resource but is not connected."""
    self_check(
        coordinator,
        zhujian,
        zhujian_clerk,
        zhujian_leader,
        title="补充自查",
        systems=[
            {
                "name": "建设工程档案管理系统",
                "connected": False,
                "interface_count": 0,
                "interface_method": "none",
                "resources": [housing_data],
            }
        ],
    )
    return zhujian.info_systems.get(name="建设工程档案管理系统")


def test_a_connected_system_passes_and_its_funding_is_recorded_once(good_standing, finance_officer):
    evaluation = gate.evaluate_system_om(good_standing, year=2027)
    assert evaluation.passed and [r.code for r in evaluation.rules] == [
        "om_registered",
        "om_connected",
        "om_not_zombie",
    ]

    decision = system_om_fund(actor=finance_officer, obj=good_standing, year=2027, amount="35.5", budget_line="运维费")
    assert decision.kind == "om" and decision.year == 2027 and decision.evaluation.passed
    assert decision.record.type == RecordType.FUNDING_GATE_SHEET and "2027年度" in decision.record.data["conclusion"]
    assert (
        AuditEvent.objects.filter(action="project_approvals.om_funded", subject_id=str(good_standing.pk)).count() == 1
    )

    with pytest.raises(ProjectError) as again:
        system_om_fund(actor=finance_officer, obj=good_standing, year=2027, amount="10", budget_line="运维费")
    assert again.value.message == msg.MSG_OM_ALREADY.format(
        system="房屋网签备案系统", year=2027, amount=decision.amount
    )
    assert FundingDecision.objects.count() == 1


def test_a_producing_system_not_connected_gets_no_money_and_the_attempt_is_on_the_trail(archive, finance_officer):
    failed = [r for r in gate.evaluate_system_om(archive, year=2027).rules if r.status == "failed"]
    assert [r.code for r in failed] == ["om_connected"]
    assert (
        failed[0].message
        == f"{archive.reference} 建设工程档案管理系统产生 1 项目录资源，但未接入共享平台：请接入后再安排运维经费。"
    )

    with pytest.raises(ProjectError) as refused:
        system_om_fund(actor=finance_officer, obj=archive, year=2027, amount="20", budget_line="运维费", ip="10.0.0.9")
    assert refused.value.failing == ["om_connected"]
    assert "产生数据的系统已接入共享平台" in refused.value.message
    assert not FundingDecision.objects.exists()
    event = AuditEvent.objects.get(action="project_approvals.om_funding_blocked")
    assert event.ip == "10.0.0.9" and event.data["failing"] == ["om_connected"]
    snapshot = GateEvaluation.objects.get(pk=event.data["evaluation"])
    assert not snapshot.passed and snapshot.sha256 == event.data["sha256"] and snapshot.purpose == "om_funding"


def test_a_zombie_suspected_system_gets_no_money(archive, good_standing, finance_officer):
    used(archive, dt.date(2025, 6, 30))
    used(good_standing, dt.date(2026, 2, 27))
    zombie_scan()
    failed = {r.code: r for r in gate.evaluate_system_om(archive, year=2027).rules if r.status == "failed"}
    assert "om_not_zombie" in failed and "疑似僵尸系统" in failed["om_not_zombie"].message
    with pytest.raises(ProjectError):
        system_om_fund(actor=finance_officer, obj=archive, year=2027, amount="20", budget_line="运维费")
    assert not FundingDecision.objects.exists()


def test_a_retired_system_is_not_in_the_register(good_standing, zhujian, zhujian_clerk, zhujian_leader, coordinator):
    from systems_inventory import services as inventory
    from systems_inventory.models import DepartmentReport

    draft = inventory.campaign_create(
        actor=coordinator, data={"title": "第二轮", "due_workdays": 10, "covers_all": False}, departments=[zhujian]
    )
    report = DepartmentReport.objects.get(campaign=inventory.campaign_launch(actor=coordinator, obj=draft))
    inventory.report_start(actor=zhujian_clerk, obj=report)
    inventory.line_retire(actor=zhujian_clerk, obj=report.lines.get(), reason="功能并入省级平台")
    inventory.report_declare(actor=zhujian_clerk, obj=report, no_self_built=True)
    inventory.report_submit(actor=zhujian_clerk, obj=report)
    inventory.report_confirm(actor=zhujian_leader, obj=report)
    inventory.report_accept(actor=coordinator, obj=report)

    failed = [r for r in gate.evaluate_system_om(good_standing, year=2027).rules if r.status == "failed"]
    assert [r.code for r in failed] == ["om_registered"]
    assert "已停止运行，不在信息系统清单中" in failed[0].message


@pytest.mark.parametrize(("year", "ok"), [(2025, False), (2026, True), (2028, True), (2029, False)])
def test_funding_years_are_this_one_and_the_next_two(good_standing, finance_officer, year, ok):
    if ok:
        assert system_om_fund(actor=finance_officer, obj=good_standing, year=year, amount="1", budget_line="运维费")
    else:
        with pytest.raises(ProjectError, match="经费年度应在 2026 年至 2028 年之间"):
            system_om_fund(actor=finance_officer, obj=good_standing, year=year, amount="1", budget_line="运维费")


def test_only_finance_decides_o_and_m_funding(good_standing, coordinator, zhujian_leader):
    for user in (coordinator, zhujian_leader):
        with pytest.raises(ProjectError, match=msg.MSG_NOT_FINANCE):
            system_om_fund(actor=user, obj=good_standing, year=2027, amount="1", budget_line="运维费")
    assert not FundingDecision.objects.exists()
