"""Two bureau users deciding one report, or confirming one shutdown, at once: one decision, one record number
(PostgreSQL)."""

import pytest

from pdf_templates.models import Record, RecordType
from systems_inventory import messages as msg
from systems_inventory import services
from systems_inventory.models import DepartmentReport, InfoSystem, ReportState
from systems_inventory.services import SelfCheckError
from tests.races import messages, run_concurrently
from tests.systems_inventory.helpers import system_data


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_make_one_decision_and_one_number(
    gongan, gongan_applicant, gongan_leader, coordinator, coordinator_colleague
):
    draft = services.campaign_create(
        actor=coordinator, data={"title": "自查", "due_workdays": 10}, departments=[gongan]
    )
    campaign = services.campaign_launch(actor=coordinator, obj=draft)
    report = DepartmentReport.objects.get(campaign=campaign)
    services.line_add(actor=gongan_applicant, report=report, data=system_data(name="户籍管理系统"))
    services.report_submit(actor=gongan_applicant, obj=report)
    services.report_confirm(actor=gongan_leader, obj=report)

    def accept(reviewer):
        services.report_accept(actor=reviewer, obj=DepartmentReport.objects.get(pk=report.pk))
        return "accepted"

    def give_back(reviewer):
        services.report_return(actor=reviewer, obj=DepartmentReport.objects.get(pk=report.pk), comment="请补充")
        return "returned"

    outcomes = messages(
        run_concurrently(lambda: accept(coordinator), lambda: give_back(coordinator_colleague)), SelfCheckError
    )

    state = DepartmentReport.objects.get(pk=report.pk).state
    stale = msg.MSG_WRONG_STATE.format(state=ReportState(state).label, action="审核")
    assert sorted(outcomes) in (sorted(["accepted", stale]), sorted(["returned", stale]))
    assert Record.objects.filter(type=RecordType.SELF_CHECK_OPINION).count() == 1
    assert Record.objects.get(type=RecordType.SELF_CHECK_OPINION).sequence == 1
    assert InfoSystem.objects.count() == (1 if state == ReportState.ACCEPTED else 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bureau_users_confirming_one_shutdown_make_one_confirmation_and_one_number(
    zhujian, zhujian_clerk, coordinator, coordinator_colleague
):
    from systems_inventory.models import CaseState, DataStore, ShutdownCase
    from tests.systems_inventory.helpers import make_system

    system = make_system(zhujian, name="老旧档案系统", usage_frequency="stopped", user_count=0)
    services.zombie_scan()
    case = ShutdownCase.objects.get()
    services.case_propose(actor=coordinator, obj=case, kind="shutdown", reason="已停用。")
    services.case_accept(actor=zhujian_clerk, obj=case)
    disposition = services.disposition_record(
        actor=zhujian_clerk,
        obj=case,
        store=DataStore.objects.get(system=system),
        values={
            "method": "archive",
            "row_count": 10,
            "archive_location": "档案库",
            "archive_format": "CSV",
            "manifest_sha256": "a" * 64,
            "retention": "permanent",
        },
    )
    services.dispositions_submit(actor=zhujian_clerk, obj=case)
    services.disposition_verify(actor=coordinator, obj=disposition)

    def confirm(user):
        return services.case_confirm(actor=user, obj=ShutdownCase.objects.get(pk=case.pk)).number

    outcomes = messages(
        run_concurrently(lambda: confirm(coordinator), lambda: confirm(coordinator_colleague)), SelfCheckError
    )

    stale = msg.MSG_CASE_WRONG_STATE.format(state=CaseState.SHUT_DOWN.label, action="确认关停")
    (record,) = Record.objects.filter(type=RecordType.SHUTDOWN_CONFIRMATION)
    assert sorted(outcomes) == sorted([record.number, stale]) and record.sequence == 1
    assert ShutdownCase.objects.get(pk=case.pk).state == CaseState.SHUT_DOWN
    assert InfoSystem.objects.get(pk=system.pk).version == 2
