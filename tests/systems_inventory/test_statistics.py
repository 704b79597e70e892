"""A campaign's statistics against a hand-counted campaign, and their cost, which does not grow with its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from systems_inventory import services, statistics
from systems_inventory.models import DepartmentReport, LineAction, ReportLine, ReportState
from tests.factories import DepartmentFactory, UserFactory
from tests.systems_inventory.helpers import category, make_campaign, system_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(frozen, coordinator, gongan, zhujian, zhengshu, caizheng, zhujian_systems, zhujian_clerk, zhujian_leader):
    """Four departments. Accepted: the 住建局 (its two self-built systems, one on the cloud and connected with two
    interfaces, plus a provincial one it adds), the 公安局 (无自建系统) and the 财政局 (one classified self-built
    system in its own machine room, and one it reports no longer running). The 政数局 has not reported."""
    draft = services.campaign_create(
        actor=coordinator, data={"title": "自查", "due_workdays": 10}, departments=[gongan, zhujian, zhengshu, caizheng]
    )
    campaign = services.campaign_launch(actor=coordinator, obj=draft)
    report = {r.department.code: r for r in DepartmentReport.objects.filter(campaign=campaign)}

    zj = report["TH-ZJ"]
    services.lines_confirm_all(actor=zhujian_clerk, report=zj)
    services.line_add(
        actor=zhujian_clerk,
        report=zj,
        data=system_data(
            name="全国住房公积金监管系统",
            build_type="higher_level",
            deployment="higher_platform",
            not_on_cloud_reason="部署于省级平台",
            connected=False,
            interface_count=0,
        ),
    )
    _through(zj, zhujian_clerk, zhujian_leader, coordinator)

    ga_filler = UserFactory(username="ga_filler", department=gongan, roles=["applicant"])
    ga_leader = UserFactory(username="ga_boss", department=gongan, roles=["dept_leader"])
    services.report_declare(actor=ga_filler, obj=report["TH-GA"], no_self_built=True)
    _through(report["TH-GA"], ga_filler, ga_leader, coordinator)

    cz_filler = UserFactory(username="cz_filler", department=caizheng, roles=["applicant"])
    cz_leader = UserFactory(username="cz_boss", department=caizheng, roles=["dept_leader"])
    cz = report["TH-CZ"]
    services.line_add(
        actor=cz_filler,
        report=cz,
        data=system_data(
            name="预算一体化系统",
            is_classified=True,
            deployment="own_room",
            connected=False,
            interface_count=0,
            funding_source="special",
            usage_frequency="weekly",
            interface_method="db_exchange",
        ),
    )
    _through(cz, cz_filler, cz_leader, coordinator)
    return campaign


def _through(report, filler, leader, coordinator):
    services.report_submit(actor=filler, obj=report)
    services.report_confirm(actor=leader, obj=report)
    services.report_accept(actor=coordinator, obj=report)


def _rows(stats, key):
    table = next(t for t in stats["findings"]["breakdowns"] if t["key"] == key)
    return {row["key"]: row["count"] for row in table["rows"] if row["count"]}


def test_the_statistics_of_a_hand_counted_campaign(counted):
    stats = statistics.compute(counted)
    found = stats["findings"]
    assert found["departments_checked"] == 3
    assert found["departments_with_self_built"] == 2
    assert found["declared_none"] == 1
    assert found["self_built_systems"] == 3
    assert found["systems_in_use"] == 4
    assert {row["key"]: row["count"] for row in found["by_build_type"]} == {
        "self_built": 3,
        "higher_level": 1,
        "purchased": 0,
    }
    assert _rows(stats, "deployment") == {"gov_cloud": 2, "own_room": 1}
    assert _rows(stats, "funding_source") == {"budget": 2, "special": 1}
    assert _rows(stats, "usage_frequency") == {"daily": 2, "weekly": 1}
    assert _rows(stats, "interface_method") == {"api": 1, "db_exchange": 1, "none": 1}
    assert found["gov_cloud"] == {"on_cloud": 2, "non_classified": 2, "classified": 1, "rate": 100.0}
    assert found["connection"] == {"connected": 1, "not_connected": 2, "interfaces": 2, "departments": 1}
    counts = {row["state"]: row["count"] for row in stats["progress"]["counts"]}
    assert counts[ReportState.ACCEPTED] == 3 and counts[ReportState.PENDING] == 1
    assert stats["progress"]["accepted_percent"] == 75.0
    assert statistics.sentence(stats) == "3个部门完成信息系统建设自查，明确2个部门共有3个自建系统。"


def test_closing_freezes_them(counted, coordinator):
    closed = services.campaign_close(actor=coordinator, obj=counted)
    # A later change to an accepted report's line does not move the frozen figures.
    ReportLine.objects.filter(name="预算一体化系统").update(build_type="purchased")
    assert statistics.of(closed)["findings"]["self_built_systems"] == 3
    assert statistics.compute(closed)["findings"]["self_built_systems"] == 2


def _grow(campaign, departments: int, systems_each: int) -> None:
    """Accepted reports written directly, for the cost measurement only."""
    kinds = category()
    for n in range(departments):
        department = DepartmentFactory()
        report = DepartmentReport.objects.create(
            campaign=campaign, department=department, state=ReportState.ACCEPTED, is_current=False
        )
        data = system_data(category=kinds)
        ReportLine.objects.bulk_create(
            ReportLine(report=report, action=LineAction.ADD, **{**data, "name": f"系统{n}-{i}"})
            for i in range(systems_each)
        )


def test_their_queries_do_not_grow_with_the_campaign(frozen, coordinator):
    campaign = make_campaign(coordinator, state="launched")
    _grow(campaign, 2, 2)
    with CaptureQueriesContext(connection) as small:
        statistics.compute(campaign)
    _grow(campaign, 20, 15)
    with CaptureQueriesContext(connection) as large:
        stats = statistics.compute(campaign)
    assert stats["findings"]["self_built_systems"] == 2 * 2 + 20 * 15
    assert len(large) == len(small)
