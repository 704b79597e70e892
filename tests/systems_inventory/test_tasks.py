"""A report's tasks taken, released and handed over (认领, 退回待认领, 转交), through the services and over HTTP,
the way share applications' tasks are (workflows.taking); and two reviewers taking one at once (PostgreSQL)."""

import pytest
from django.test import Client
from django.urls import reverse
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from systems_inventory import messages as msg
from systems_inventory import services
from systems_inventory.flows import DepartmentReportFlow
from systems_inventory.models import DepartmentReport, ReportState
from systems_inventory.services import SelfCheckError
from tests.factories import UserFactory
from tests.races import messages, run_concurrently
from tests.systems_inventory.helpers import send_to_bureau
from workflows import taking
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(report, action: str) -> str:
    return reverse("systems_inventory:report_action", args=[report.pk, action])


def _events(report, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(subject_id=str(report.pk), action=action).order_by("pk"))


def _fresh(report) -> DepartmentReport:
    return DepartmentReport.objects.get(pk=report.pk)


@pytest.fixture
def submitted(gongan_report, gongan_applicant, gongan_leader):
    return send_to_bureau(gongan_report, gongan_applicant, gongan_leader, no_self_built=True)


def test_a_reviewer_takes_the_review_hands_it_over_and_the_colleague_decides(
    submitted, coordinator, coordinator_colleague
):
    task = services.open_task(submitted)
    assert task.flow_task == DepartmentReportFlow.review and task.owner_id is None
    services.report_task_take(actor=coordinator, obj=task, ip="10.0.0.1")
    with pytest.raises(SelfCheckError) as exc:
        services.report_task_take(actor=coordinator_colleague, obj=services.open_task(submitted))
    assert exc.value.message == taking.MSG_TASK_TAKEN.format(owner=coordinator)
    with pytest.raises(SelfCheckError) as exc:  # and may not decide it while it is taken
        services.report_accept(actor=coordinator_colleague, obj=_fresh(submitted))
    assert exc.value.message == msg.MSG_TASK_NOT_YOURS.format(owner=coordinator)

    services.report_task_handover(actor=coordinator, obj=services.open_task(submitted), to_user=coordinator_colleague)
    assert services.open_task(submitted).owner == coordinator_colleague
    assert Notification.objects.filter(recipient=coordinator_colleague, event="self_check_task").exists()
    with pytest.raises(SelfCheckError):
        services.report_accept(actor=coordinator, obj=_fresh(submitted))  # no longer the holder
    services.report_accept(actor=coordinator_colleague, obj=_fresh(submitted))
    assert _fresh(submitted).state == ReportState.ACCEPTED
    (taken,) = _events(submitted, "workflows.task_taken")
    assert taken.actor == coordinator and taken.ip == "10.0.0.1" and taken.comment == "政数局审核"
    (handed,) = _events(submitted, "workflows.task_handed_over")
    assert handed.data["to_user"] == coordinator_colleague.pk and handed.actor == coordinator


def test_the_department_takes_and_releases_its_filling_in_and_hands_the_confirmation_to_another_leader(
    gongan_report, gongan, gongan_applicant, gongan_leader, zhujian_clerk
):
    services.report_task_take(actor=gongan_applicant, obj=services.open_task(gongan_report))
    services.report_task_release(actor=gongan_applicant, obj=services.open_task(gongan_report))
    task = services.open_task(gongan_report)
    assert task.status == STATUS.NEW and task.owner_id is None
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="workflows.task_").order_by("pk")] == [
        "workflows.task_taken",
        "workflows.task_released",
    ]
    with pytest.raises(SelfCheckError) as exc:  # another department's filler
        services.report_task_take(actor=zhujian_clerk, obj=task)
    assert exc.value.message == taking.MSG_TASK_FORBIDDEN
    with pytest.raises(SelfCheckError) as exc:  # nobody holds it: nothing to release
        services.report_task_release(actor=gongan_applicant, obj=task)
    assert exc.value.stale

    services.report_declare(actor=gongan_applicant, obj=gongan_report, no_self_built=True)
    services.report_submit(actor=gongan_applicant, obj=gongan_report)
    other_leader = UserFactory(username="ga_leader2", department=gongan, roles=["dept_leader"])
    services.report_task_take(actor=gongan_leader, obj=services.open_task(gongan_report))
    with pytest.raises(SelfCheckError) as exc:  # a filler cannot confirm: not a target
        services.report_task_handover(
            actor=gongan_leader, obj=services.open_task(gongan_report), to_user=gongan_applicant
        )
    assert exc.value.errors == {"to_user": [taking.MSG_HANDOVER_TARGET_INVALID]}
    services.report_task_handover(actor=gongan_leader, obj=services.open_task(gongan_report), to_user=other_leader)
    services.report_confirm(actor=other_leader, obj=_fresh(gongan_report))
    assert _fresh(gongan_report).state == ReportState.SUBMITTED


def test_nobody_takes_the_review_of_their_own_department_s_report(campaign, zhengshu, coordinator, zhengshu_leader):
    own = DepartmentReport.objects.get(campaign=campaign, department=zhengshu)
    filler = UserFactory(username="zs_filler", department=zhengshu, roles=["applicant"])
    send_to_bureau(own, filler, zhengshu_leader, no_self_built=True)
    with pytest.raises(SelfCheckError) as exc:
        services.report_task_take(actor=coordinator, obj=services.open_task(own))
    assert exc.value.message == msg.MSG_SELF_DECISION
    assert services.open_task(own).owner_id is None


def test_over_http_take_hand_over_and_the_wrong_users(
    submitted, coordinator, coordinator_colleague, zhujian_clerk, gongan_applicant
):
    bureau, colleague = client_for(coordinator), client_for(coordinator_colleague)
    page = bureau.get(reverse("systems_inventory:report_detail", args=[submitted.pk])).content.decode()
    assert 'data-testid="task"' in page and "认领" in page and "（待认领）" in page

    assert bureau.post(_url(submitted, "take")).status_code == 302
    assert services.open_task(submitted).owner == coordinator
    page = bureau.get(reverse("systems_inventory:report_detail", args=[submitted.pk])).content.decode()
    assert "退回待认领" in page and 'name="to_user"' in page and "（办理人：" in page

    # A colleague who could have taken it is told who holds it; nothing changes.
    response = colleague.post(_url(submitted, "take"), follow=True)
    assert taking.MSG_TASK_TAKEN.format(owner=coordinator) in response.content.decode()
    response = colleague.post(_url(submitted, "handover"), {"to_user": coordinator_colleague.pk}, follow=True)
    assert taking.MSG_TASK_FORBIDDEN in response.content.decode()
    assert services.open_task(submitted).owner == coordinator
    # Another department's staff do not see the report; the department's own filler has no step on it now.
    assert client_for(zhujian_clerk).post(_url(submitted, "take")).status_code == 404
    assert client_for(gongan_applicant).post(_url(submitted, "take")).status_code == 403

    # Handed to someone who may not review: refused, said on the page.
    response = bureau.post(_url(submitted, "handover"), {"to_user": gongan_applicant.pk}, follow=True)
    assert taking.MSG_HANDOVER_TARGET_INVALID in response.content.decode()
    assert bureau.post(_url(submitted, "handover"), {"to_user": coordinator_colleague.pk}).status_code == 302
    assert services.open_task(submitted).owner == coordinator_colleague
    assert colleague.post(_url(submitted, "release")).status_code == 302
    assert services.open_task(submitted).owner_id is None
    actions = [e.action for e in AuditEvent.objects.filter(subject_id=str(submitted.pk)).order_by("pk")]
    assert actions[-3:] == ["workflows.task_taken", "workflows.task_handed_over", "workflows.task_released"]
    assert AuditEvent.objects.get(action="workflows.task_taken").ip == "127.0.0.1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_taking_one_review_at_once_one_takes_it(
    gongan, gongan_applicant, gongan_leader, coordinator, coordinator_colleague
):
    draft = services.campaign_create(
        actor=coordinator, data={"title": "自查", "due_workdays": 10}, departments=[gongan]
    )
    campaign = services.campaign_launch(actor=coordinator, obj=draft)
    report = DepartmentReport.objects.get(campaign=campaign)
    report = send_to_bureau(report, gongan_applicant, gongan_leader, no_self_built=True)

    def take(reviewer):
        services.report_task_take(actor=reviewer, obj=services.open_task(report))
        return reviewer.username

    outcomes = messages(
        run_concurrently(lambda: take(coordinator), lambda: take(coordinator_colleague)), SelfCheckError
    )
    owner = services.open_task(report).owner
    assert sorted(outcomes) == sorted([owner.username, taking.MSG_TASK_TAKEN.format(owner=owner)])
    assert AuditEvent.objects.filter(action="workflows.task_taken").count() == 1
