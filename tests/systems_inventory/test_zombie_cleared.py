"""A suspected case whose evidence is gone at the next scan (its use resumed) and that nobody has acted on is closed
by the scan as 已排除（证据消失）: audited, the bureau and the department told, its assessments kept. A case a person
opened or moved on is not touched; the same evidence coming back flags the system again."""

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import Notification
from systems_inventory import services
from systems_inventory.models import (
    CaseOrigin,
    CaseState,
    ShutdownCase,
    ZombieAssessment,
)
from systems_inventory.services import SelfCheckError, zombie_scan
from tests.races import messages, run_concurrently
from tests.systems_inventory.helpers import make_system, used
from workflows.models import AuditEvent

TODAY = dt.date(2026, 3, 2)  # the `frozen` fixture's Monday


@pytest.fixture
def idle(zhujian):
    """Last used on 31 July 2025 (运维上报): 214 days before 2 March 2026."""
    system = make_system(zhujian, name="老旧档案系统", usage_frequency="monthly", connected=False, interface_count=0)
    used(system, dt.date(2025, 7, 31))
    return system


def notices(user) -> list[str]:
    return [n.body for n in Notification.objects.filter(recipient=user, event="system_shutdown")]


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_a_suspected_case_whose_use_resumed_is_cleared_by_the_next_scan(idle, coordinator, zhujian_clerk):
    zombie_scan()
    case = ShutdownCase.objects.get()
    first_assessment = case.assessment
    used(idle, dt.date(2026, 2, 26))  # its operator reports use again

    scan = zombie_scan()

    case = ShutdownCase.objects.get(pk=case.pk)
    assert (case.state, case.closed_by, scan.cleared, scan.candidates) == (CaseState.CLEARED, None, 1, 0)
    assert case.get_state_display() == "已排除（证据消失）" and case.closed_at is not None
    assert "疑似依据已不成立（最近一次使用为2026-02-26，运维上报）" in case.decision_reason
    # The assessment history stays, the last one still what it was suspected on.
    assert case.assessment == first_assessment and ZombieAssessment.objects.filter(case=case).count() == 1
    event = AuditEvent.objects.get(subject_id=str(case.pk), action="systems_inventory.case_cleared")
    assert (event.from_state, event.to_state, event.actor) == (CaseState.SUSPECTED, CaseState.CLEARED, None)
    assert event.data == {
        "scan": scan.pk,
        "assessment": first_assessment.pk,
        "last_activity": "2026-02-26",
        "last_activity_source": "operations",
    }
    for user in (coordinator, zhujian_clerk):
        assert any("老旧档案系统" in body and "自动排除" in body for body in notices(user)), user

    again = zombie_scan()  # nothing left to clear
    assert again.cleared == 0 and AuditEvent.objects.filter(action="systems_inventory.case_cleared").count() == 1


@pytest.mark.django_db
def test_the_same_evidence_coming_back_flags_the_system_again(idle, frozen):
    """A cleared case is nobody's judgement: unlike a dismissal, it suppresses nothing."""
    zombie_scan()
    activity = used(idle, dt.date(2026, 2, 26))
    zombie_scan()
    activity.delete()  # the operator's report was withdrawn: the old evidence holds again

    frozen.move_to("2026-03-03 02:30 +0800")
    scan = zombie_scan()

    assert (scan.opened, scan.suppressed) == (1, 0)
    assert list(ShutdownCase.objects.order_by("pk").values_list("state", flat=True)) == [
        CaseState.CLEARED,
        CaseState.SUSPECTED,
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_a_case_a_person_moved_on_or_opened_is_not_touched(idle, zhujian, zhujian_clerk, coordinator):
    zombie_scan()
    proposed = ShutdownCase.objects.get()
    services.case_propose(actor=coordinator, obj=proposed, kind="shutdown", reason="长期无使用。")
    asked = make_system(zhujian, name="临时统计系统", usage_frequency="monthly")
    used(asked, TODAY - dt.timedelta(days=2))
    requested = services.case_request(actor=zhujian_clerk, system=asked, reason="业务已并入新系统。")
    used(idle, dt.date(2026, 2, 26))

    scan = zombie_scan()

    assert scan.cleared == 0
    assert ShutdownCase.objects.get(pk=proposed.pk).state == CaseState.PROPOSED
    requested = ShutdownCase.objects.get(pk=requested.pk)
    assert (requested.state, requested.origin) == (CaseState.SUSPECTED, CaseOrigin.DEPARTMENT)
    assert not AuditEvent.objects.filter(action="systems_inventory.case_cleared").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_the_bureau_s_scan_over_http_clears_and_says_so(client, idle, coordinator):
    zombie_scan()
    case = ShutdownCase.objects.get()
    used(idle, dt.date(2026, 2, 26))
    client.force_login(coordinator)

    response = client.post(reverse("systems_inventory:scan"), follow=True)

    assert "证据消失自动排除 1 个" in response.content.decode()
    page = client.get(reverse("systems_inventory:case_detail", args=[case.pk])).content.decode()
    assert "已排除（证据消失）" in page and "疑似依据已不成立" in page
    listing = client.get(reverse("systems_inventory:candidates")).content.decode()
    assert "证据消失自动排除 1 个" in listing


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_proposal_made_while_the_scan_clears_is_never_undone(idle, coordinator):
    """The bureau proposes shutdown at the moment the scan finds the evidence gone: whichever locks the case first
    wins, and the other sees the state it left (a proposal is never turned into a clearance)."""
    zombie_scan()
    case = ShutdownCase.objects.get()
    used(idle, TODAY - dt.timedelta(days=3))

    def propose():
        services.case_propose(actor=coordinator, obj=case, kind="shutdown", reason="长期无使用。")
        return "proposed"

    outcomes = messages(run_concurrently(propose, lambda: zombie_scan().cleared), SelfCheckError)

    state = ShutdownCase.objects.get(pk=case.pk).state
    if state == CaseState.PROPOSED:
        assert outcomes == ["proposed", 0]
        assert not AuditEvent.objects.filter(action="systems_inventory.case_cleared").exists()
    else:
        assert state == CaseState.CLEARED and outcomes[1] == 1
        assert outcomes[0].startswith("关停案件处于“已排除（证据消失）”状态")  # refused as stale
