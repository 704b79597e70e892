"""Two bureau reviewers deciding one report at once: one decision, one record number (PostgreSQL)."""

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
