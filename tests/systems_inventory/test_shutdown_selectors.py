"""What other apps read of the shutdown chain (project_approvals' gate and O&M funding): batched, one answer per
system, and which departments have an unresolved zombie system."""

import datetime as dt

import pytest
from django.utils import timezone

from systems_inventory.models import CaseOrigin, CaseState, ShutdownCase
from systems_inventory.selectors import system_shutdown_state, unresolved_zombie_systems
from tests.systems_inventory.helpers import make_system

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _case(system, state, **fields):
    return ShutdownCase.objects.create(system=system, state=state, origin=CaseOrigin.SCAN, **fields)


def test_it_reads_every_systems_standing_in_two_queries(zhujian, gongan, django_assert_num_queries):
    in_use = make_system(zhujian, name="在用系统")
    suspected = make_system(zhujian, name="疑似系统")
    disposing = make_system(zhujian, name="处置中系统")
    late = make_system(gongan, name="逾期处置系统")
    gone = make_system(gongan, name="已关停系统", status="shut_down")
    kept = make_system(gongan, name="排除后在用系统")
    _case(suspected, CaseState.SUSPECTED)
    _case(disposing, CaseState.DISPOSING, disposition_due_at=timezone.now() + dt.timedelta(days=3))
    _case(late, CaseState.DISPOSING, disposition_due_at=timezone.now() - dt.timedelta(hours=1))
    _case(gone, CaseState.SHUT_DOWN)
    _case(kept, CaseState.DISMISSED)
    ids = [s.pk for s in (in_use, suspected, disposing, late, gone, kept)] + [999_999]

    with django_assert_num_queries(2):
        standing = system_shutdown_state(ids)

    assert set(standing) == set(ids) - {999_999}
    assert (standing[in_use.pk].state, standing[in_use.pk].label, standing[in_use.pk].in_chain) == (
        "in_use",
        "在用",
        False,
    )
    assert standing[suspected.pk].suspected and standing[suspected.pk].unresolved
    assert standing[suspected.pk].label == "疑似僵尸系统"
    assert standing[disposing.pk].in_chain and not standing[disposing.pk].unresolved
    assert standing[late.pk].unresolved and standing[late.pk].state == CaseState.DISPOSING
    assert standing[gone.pk].ended and not standing[gone.pk].in_chain
    assert standing[kept.pk].state == "in_use" and not standing[kept.pk].unresolved


def test_unresolved_zombie_systems_are_the_undecided_and_the_late(zhujian, gongan, zhengshu):
    suspected = make_system(zhujian, name="疑似系统")
    on_time = make_system(zhujian, name="按期处置系统")
    proposed = make_system(zhujian, name="异议期系统")
    late = make_system(gongan, name="逾期处置系统")
    elsewhere = make_system(zhengshu, name="其他部门疑似系统")
    _case(suspected, CaseState.SUSPECTED)
    _case(on_time, CaseState.INTEGRATING, disposition_due_at=timezone.now() + dt.timedelta(days=1))
    _case(proposed, CaseState.PROPOSED, objection_due_at=timezone.now() - dt.timedelta(days=1))
    _case(late, CaseState.INTEGRATING, disposition_due_at=timezone.now() - dt.timedelta(days=1))
    _case(elsewhere, CaseState.SUSPECTED)

    found = list(unresolved_zombie_systems([zhujian.pk, gongan.pk]))

    assert [case.system.name for case in found] == ["疑似系统", "逾期处置系统"]
    assert list(unresolved_zombie_systems([])) == []
