"""The zombie scan: assessments and suspected cases from the evidence, the 共享平台 source computed from the grant
check's statistics, the same evidence never flagged twice, and queries that do not grow with the systems."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests.models import GrantCheckStat
from systems_inventory.messages import MSG_SHUTDOWN_BUREAU_ONLY
from systems_inventory.models import (
    ActivitySource,
    CaseOrigin,
    CaseState,
    ShutdownCase,
    SystemActivity,
    ZombieAssessment,
    ZombieScan,
)
from systems_inventory.services import SelfCheckError, zombie_scan
from tests.systems_inventory.helpers import category, make_system, used
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # Monday 2 March 2026

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def idle(zhujian):
    """Last used on 31 July 2025 (运维上报): 214 days ago."""
    system = make_system(
        zhujian,
        name="老旧档案系统",
        usage_frequency="monthly",
        category=category("ARCHIVES"),
        connected=False,
        interface_count=0,
        interface_method="none",
    )
    used(system, dt.date(2025, 7, 31))
    return system


@pytest.fixture
def healthy(zhujian):
    system = make_system(zhujian, name="房屋网签备案系统", usage_frequency="weekly", connected=False, interface_count=0)
    used(system, TODAY - dt.timedelta(days=3))
    return system


def test_a_scan_opens_a_suspected_case_for_a_candidate_only(idle, healthy, zhujian):
    gone = make_system(zhujian, name="已停止运行的系统", status="retired")
    higher = make_system(zhujian, name="上级统建系统", build_type="higher_level")
    used(gone, dt.date(2024, 1, 31))
    used(higher, dt.date(2024, 1, 31))

    scan = zombie_scan()

    assert (scan.systems, scan.candidates, scan.opened, scan.is_running) == (2, 1, 1, False)
    assert scan.ruleset_version == "2026.1" and scan.thresholds["ZOMBIE_IDLE_DAYS"] == 180
    case = ShutdownCase.objects.get()
    assert (case.system, case.state, case.origin) == (idle, CaseState.SUSPECTED, CaseOrigin.SCAN)
    assessment = case.assessment
    assert assessment.case == case and assessment.scan == scan and assessment.system == idle
    assert [f["code"] for f in assessment.findings] == ["idle"]
    assert assessment.findings[0]["evidence"]["last_activity"] == "2025-07-31"
    assert assessment.findings[0]["evidence"]["days_without_use"] == 214
    event = AuditEvent.objects.get(subject_id=str(case.pk), action="systems_inventory.case_suspected")
    assert event.to_state == CaseState.SUSPECTED and f"扫描 #{scan.pk}" in event.comment


def test_a_second_scan_adds_a_snapshot_to_the_same_case(idle):
    first = zombie_scan()
    second = zombie_scan()

    case = ShutdownCase.objects.get()
    assert ZombieAssessment.objects.filter(case=case).count() == 2
    assert case.assessment.scan == second and second.opened == 0 and first.opened == 1
    assert AuditEvent.objects.filter(action="systems_inventory.case_suspected").count() == 1


def test_a_system_kept_in_use_is_not_flagged_again_on_the_same_evidence(idle, frozen):
    zombie_scan()
    case = ShutdownCase.objects.get()
    ShutdownCase.objects.filter(pk=case.pk).update(state=CaseState.DISMISSED)  # the service's part: test_shutdown

    frozen.move_to("2026-04-15 02:30 +0800")  # more days without use: the same evidence
    again = zombie_scan()
    assert (again.candidates, again.suppressed, again.opened) == (0, 1, 0)
    assert ShutdownCase.objects.count() == 1

    used(idle, dt.date(2026, 1, 31), logins=0, transactions=3)  # used later, then idle again
    frozen.move_to("2026-08-15 02:30 +0800")
    later = zombie_scan()
    assert later.opened == 1 and ShutdownCase.objects.filter(state=CaseState.SUSPECTED).count() == 1


def test_the_platform_source_comes_from_the_grant_check_statistics(zhujian, gongan, zhengshu, catalog_resource):
    system = make_system(zhujian, name="共享接口系统", usage_frequency="weekly")
    system.resources.set([catalog_resource])
    used(system, dt.date(2025, 12, 31), source=ActivitySource.SELF_REPORT)
    for day, consumer, calls in [(2, gongan, 40), (5, zhengshu, 2), (20, gongan, 8)]:
        GrantCheckStat.objects.create(
            day=dt.date(2026, 2, day), consumer=consumer, resource=catalog_resource, outcome="granted", calls=calls
        )
    GrantCheckStat.objects.create(
        day=dt.date(2026, 2, 27), consumer=gongan, resource=catalog_resource, outcome="no_grant", calls=100
    )

    zombie_scan()
    zombie_scan()  # computed again: replaced, not added

    row = SystemActivity.objects.get(system=system, source=ActivitySource.PLATFORM)
    assert (row.month, row.transactions, row.active_users, row.last_activity) == (
        dt.date(2026, 2, 1),
        50,
        2,
        dt.date(2026, 2, 20),
    )
    assert not ShutdownCase.objects.exists()  # its last use was 20 February, on the platform


def test_only_the_bureau_scans_on_demand(gongan_applicant, coordinator, idle):
    with pytest.raises(SelfCheckError) as refused:
        zombie_scan(actor=gongan_applicant)
    assert refused.value.message == MSG_SHUTDOWN_BUREAU_ONLY and not ZombieScan.objects.exists()
    assert zombie_scan(actor=coordinator).trigger == "on_demand"


def _scan_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        zombie_scan()
    return len(queries)


def test_the_scan_s_queries_do_not_grow_with_the_systems(zhujian):
    def grow(count, start):
        for n in range(start, start + count):
            system = make_system(zhujian, name=f"系统{n}", usage_frequency="daily" if n % 2 else "monthly")
            used(system, dt.date(2025, 1 + n % 6, 28))

    grow(3, 0)
    small = _scan_queries()
    grow(30, 3)
    ShutdownCase.objects.update(state=CaseState.DISMISSED)  # the first ones were decided; the new ones are opened
    assert _scan_queries() == small


def test_beat_runs_the_scan_every_night(settings, idle):
    from systems_inventory.tasks import nightly_zombie_scan

    entry = settings.CELERY_BEAT_SCHEDULE["systems-inventory-zombie-scan"]
    assert entry["task"] == nightly_zombie_scan.name == "systems_inventory.tasks.nightly_zombie_scan"
    assert entry["schedule"].hour == {settings.ZOMBIE_SCAN_HOUR}
    assert nightly_zombie_scan.apply().get() == 1
    assert ZombieScan.objects.get().trigger == "nightly"
