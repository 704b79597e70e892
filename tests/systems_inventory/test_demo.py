"""The demo's self-check (systems_inventory/demo.py): seed 000's campaign and one in progress, loaded twice."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from organizations import demo as organizations_demo
from organizations.models import User
from systems_inventory import demo, selectors, statistics
from systems_inventory.models import Campaign, CampaignState, DepartmentReport, InfoSystem, ReportLine, ReportState

pytestmark = pytest.mark.django_db

SEED_000_CONNECTED = {
    "市中级人民法院",
    "市住房公积金管理中心",
    "市自然资源局",
    "市卫健委",
    "市文旅局",
    "市民政局",
    "市住建局",
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The departments and personas, then this demo twice (it is idempotent), once for the module; rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        organizations_demo.load(stdout=io.StringIO())
        out = io.StringIO()
        demo.load(stdout=out)
        counts = (Campaign.objects.count(), DepartmentReport.objects.count(), InfoSystem.objects.count())
        demo.load(stdout=io.StringIO())
        assert (Campaign.objects.count(), DepartmentReport.objects.count(), InfoSystem.objects.count()) == counts
        yield out.getvalue()
        transaction.set_rollback(True)


def test_it_reproduces_seed_000_42_departments_15_with_68_self_built_systems(loaded):
    first = Campaign.objects.get(title=demo.FIRST_TITLE)
    assert first.state == CampaignState.CLOSED
    stats = statistics.of(first)
    found = stats["findings"]
    assert (found["departments_checked"], found["departments_with_self_built"], found["self_built_systems"]) == (
        42,
        15,
        68,
    )
    assert "42个部门完成信息系统建设自查，明确15个部门共有68个自建系统" in loaded
    with_systems = set(
        ReportLine.objects.filter(report__campaign=first, build_type="self_built").values_list(
            "report__department__name", flat=True
        )
    )
    assert {"市公安局", "市中级人民法院", "市文旅局", "市住建局", "市住房公积金管理中心"} <= with_systems
    connected = ReportLine.objects.filter(report__campaign=first, connected=True)
    assert connected.aggregate(n=Sum("interface_count"))["n"] == found["connection"]["interfaces"] == 38
    assert set(connected.values_list("report__department__name", flat=True)) == SEED_000_CONNECTED
    assert not first.reports.exclude(state=ReportState.ACCEPTED).exists()


def test_a_second_campaign_gives_the_personas_real_work(loaded):
    second = Campaign.objects.get(title=demo.SECOND_TITLE)
    states = set(second.reports.values_list("state", flat=True))
    assert states == {"pending", "draft", "confirming", "submitted", "returned", "accepted"}
    assert second.reports.filter(is_late=True).count() == 2

    def reports_of_tasks(username):
        tasks = selectors.task_list(User.objects.get(username=username))
        return {task.process.departmentreportprocess.report.department.code for task in tasks}

    assert "TH-GA" in reports_of_tasks("ga_applicant")
    assert "TH-ZJ" in reports_of_tasks("zj_leader")
    assert {"TH-FY", "TH-WL", "TH-WJW", "TH-MZ"} <= reports_of_tasks("zs_coordinator")
    out = io.StringIO()
    call_command("verify_flows", stdout=out)
    assert out.getvalue().startswith("OK:")


def test_the_zombie_systems_tell_every_part_of_the_chain(loaded):
    from systems_inventory.demo_zombies import (
        DISPOSING,
        INTEGRATE,
        OBJECTED,
        OBJECTION_WINDOW,
        REQUESTED,
        RESUMED,
        SHUT_DOWN,
    )
    from systems_inventory.models import ActivitySource, CaseState, ShutdownCase, SystemActivity, ZombieScan

    def state(name):
        return ShutdownCase.objects.filter(system__name=name).latest("pk").state

    assert ZombieScan.objects.count() == 2  # the night's scan and the next one; the second load made nothing again
    assert {state(name) for name in OBJECTION_WINDOW} == {CaseState.PROPOSED}
    assert state(OBJECTED[0]) == CaseState.OBJECTION
    assert [state(name) for name in DISPOSING] == [CaseState.VERIFYING, CaseState.DISPOSING]
    assert {state(name) for name in SHUT_DOWN} == {CaseState.SHUT_DOWN}
    assert {state(name) for name in INTEGRATE} == {CaseState.INTEGRATED}
    assert state(REQUESTED[0]) == CaseState.SUSPECTED
    assert state(RESUMED) == CaseState.CLEARED and ZombieScan.objects.latest("pk").cleared == 1
    for name, successor in INTEGRATE.items():
        assert InfoSystem.objects.get(name=name).integrated_into.name == successor
    rules = {code for case in ShutdownCase.objects.exclude(assessment=None) for code in case.assessment.rule_codes}
    assert {"idle", "declared_stopped", "frequency_contradicted", "duplicate_function"} <= rules
    sources = set(SystemActivity.objects.values_list("source", flat=True))
    assert {ActivitySource.OPERATIONS, ActivitySource.PUSH} <= sources
    assert "僵尸系统：" in loaded

    def steps(username):
        tasks = selectors.case_task_list(User.objects.get(username=username))
        return {(task.process.shutdowncaseprocess.case.system.name, task.flow_task.name) for task in tasks}

    assert (OBJECTED[0], "decide_objection") in steps("zs_coordinator")
    assert (DISPOSING[0], "verify") in steps("zs_coordinator")
    assert ("旅游景区客流统计系统", "reply") in steps("wl_applicant")
    assert (DISPOSING[1], "dispose") in steps("jt_leader")


def test_the_bureau_s_own_report_is_dc_coordinator_s_to_review_and_nobody_accepts_their_own(loaded):
    """Over HTTP on the demo: the 市政数局's report waits in dc_coordinator's 自查待办 (东昌区政数局), not in
    zs_coordinator's; zs_coordinator sees it, is told why not, and can neither take nor decide it."""
    from django.test import Client
    from django.urls import reverse

    from systems_inventory import messages as msg
    from systems_inventory import services

    own = DepartmentReport.objects.get(campaign__title=demo.SECOND_TITLE, department__code="TH-ZS")
    assert own.state == ReportState.SUBMITTED
    zs, dc = User.objects.get(username="zs_coordinator"), User.objects.get(username="dc_coordinator")
    assert dc.department.name == "东昌区政数局" and dc.has_role("data_bureau")
    assert own.pk not in {t.process.departmentreportprocess.report_id for t in selectors.task_list(zs)}
    assert own.pk in {t.process.departmentreportprocess.report_id for t in selectors.task_list(dc)}

    page = reverse("systems_inventory:report_detail", args=[own.pk])
    bureau, county = Client(), Client()
    bureau.force_login(zs)
    county.force_login(dc)
    shown = bureau.get(page).content.decode()
    assert 'data-testid="own-department"' in shown and 'data-testid="review-form"' not in shown
    for action in ("take", "accept", "return"):
        url = reverse("systems_inventory:report_action", args=[own.pk, action])
        response = bureau.post(url, {"comment": "同意。"}, follow=True)
        assert msg.MSG_SELF_DECISION in response.content.decode(), action
    assert DepartmentReport.objects.get(pk=own.pk).state == ReportState.SUBMITTED
    assert services.open_task(own).owner_id is None

    assert 'data-testid="review-form"' in county.get(page).content.decode()
    url = reverse("systems_inventory:report_action", args=[own.pk, "accept"])
    assert county.post(url, {"comment": "同意。"}).status_code == 302
    assert DepartmentReport.objects.get(pk=own.pk).state == ReportState.ACCEPTED
