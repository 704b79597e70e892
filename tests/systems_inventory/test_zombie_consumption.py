"""The 共享平台 evidence of the resources a system consumes: a granted call by the system's own department on a
resource a project that passed the first review says the system will use counts as the system's use (the
producing side: test_zombie_scan). Evidence built by hand: grant check statistics, and the project's rows."""

import datetime as dt

import pytest
from django.urls import reverse

from project_approvals.models import ConstructionProject, ProjectState
from requests.models import GrantCheckStat
from systems_inventory.models import ActivitySource, CaseState, ShutdownCase, SystemActivity
from systems_inventory.services import zombie_scan
from systems_inventory.zombie_rules import platform
from tests.systems_inventory.helpers import make_system, used

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # Monday 2 March 2026


def project(department, author, *, systems, consumed, state=ProjectState.PASSED) -> ConstructionProject:
    made = ConstructionProject.objects.create(
        department=department,
        name="警务数据共享改造",
        project_type="upgrade",
        year=2026,
        description="改造",
        sharing_plan="接入共享平台",
        deployment="gov_cloud",
        created_by=author,
        state=state,
    )
    made.systems.set(systems)
    made.consumed_resources.set(consumed)
    return made


def calls(consumer, resource, *days_and_counts, outcome="granted"):
    for day, count in days_and_counts:
        GrantCheckStat.objects.create(day=day, consumer=consumer, resource=resource, outcome=outcome, calls=count)


@pytest.fixture
def consumer(gongan):
    """A 公安局 system last used (运维上报) on 31 July 2025: idle by its own reports."""
    system = make_system(gongan, name="人口信息核验系统", usage_frequency="monthly", connected=False, interface_count=0)
    used(system, dt.date(2025, 7, 31))
    return system


def platform_row(system) -> SystemActivity:
    return SystemActivity.objects.get(system=system, source=ActivitySource.PLATFORM)


def test_calls_by_the_system_s_department_on_a_resource_it_consumes_are_its_use(
    consumer, gongan, zhengshu, gongan_applicant, catalog_resource
):
    other = make_system(gongan, name="户政管理系统", usage_frequency="monthly")  # the same department, not declared
    used(other, dt.date(2025, 7, 31))
    project(gongan, gongan_applicant, systems=[consumer], consumed=[catalog_resource])
    calls(gongan, catalog_resource, (dt.date(2026, 2, 3), 12), (dt.date(2026, 2, 18), 5))
    calls(zhengshu, catalog_resource, (dt.date(2026, 2, 25), 40))  # another department's calls: not its use
    calls(gongan, catalog_resource, (dt.date(2026, 2, 27), 9), outcome="no_grant")  # refused: not a use

    scan = zombie_scan()

    row = platform_row(consumer)
    assert (row.month, row.transactions, row.active_users, row.last_activity) == (
        dt.date(2026, 2, 1),
        17,
        1,
        dt.date(2026, 2, 18),
    )
    assert not SystemActivity.objects.filter(system=other, source=ActivitySource.PLATFORM).exists()
    # Used on 18 February through the platform: no longer idle. The undeclared system is.
    assert list(ShutdownCase.objects.values_list("system", flat=True)) == [other.pk]
    assert scan.candidates == 1


@pytest.mark.parametrize("state", [ProjectState.DRAFT, ProjectState.IN_REVIEW, ProjectState.NOT_PASSED])
def test_a_declaration_the_bureau_has_not_passed_does_not_count(
    state, consumer, gongan, gongan_applicant, catalog_resource
):
    project(gongan, gongan_applicant, systems=[consumer], consumed=[catalog_resource], state=state)
    calls(gongan, catalog_resource, (dt.date(2026, 2, 3), 12))

    zombie_scan()

    assert not SystemActivity.objects.filter(system=consumer, source=ActivitySource.PLATFORM).exists()
    assert ShutdownCase.objects.get().system == consumer and ShutdownCase.objects.get().state == CaseState.SUSPECTED


def test_a_call_counts_once_for_a_system_that_produces_and_consumes_the_resource(
    zhujian, zhujian_clerk, catalog_resource
):
    system = make_system(zhujian, name="房屋网签备案系统", usage_frequency="weekly")
    system.resources.set([catalog_resource])
    project(zhujian, zhujian_clerk, systems=[system], consumed=[catalog_resource], state=ProjectState.ACCEPTED)
    calls(zhujian, catalog_resource, (dt.date(2026, 2, 10), 7))

    zombie_scan()
    zombie_scan()  # recomputed: replaced, not added

    row = platform_row(system)
    assert (row.transactions, row.active_users, row.last_activity) == (7, 1, dt.date(2026, 2, 10))


def test_each_consumption_source_costs_one_query(consumer, gongan, gongan_applicant, catalog_resource):
    project(gongan, gongan_applicant, systems=[consumer], consumed=[catalog_resource])
    read = []

    def source():
        read.append(1)
        return [(consumer.pk, gongan.pk, catalog_resource.pk)]

    calls(gongan, catalog_resource, (dt.date(2026, 3, 1), 3))
    platform.register_consumption(source)
    try:
        assert platform.refresh(today=dt.date(2026, 3, 2)) == 1
    finally:
        platform._consumption_sources.remove(source)
    assert read == [1] and platform_row(consumer).transactions == 3  # the same link twice: counted once


def test_the_bureau_s_scan_over_http_keeps_a_consuming_system_off_the_list(
    client, consumer, gongan, coordinator, gongan_applicant, catalog_resource
):
    project(gongan, gongan_applicant, systems=[consumer], consumed=[catalog_resource])
    calls(gongan, catalog_resource, (dt.date(2026, 2, 18), 5))
    client.force_login(coordinator)

    assert client.post(reverse("systems_inventory:scan")).status_code == 302

    assert not ShutdownCase.objects.exists()
    detail = client.get(reverse("systems_inventory:system_detail", args=[consumer.pk])).content.decode()
    assert "共享平台" in detail and "2026-02-18" in detail
