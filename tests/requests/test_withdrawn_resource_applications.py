"""Applications still open when their resource leaves the catalog get a reasoned refusal, after the
withdrawal commits: a refusal notice, the applicant told, the reviewers' task gone."""

import json

import pytest
from django.urls import reverse

from catalog.services import resource_withdraw
from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from requests import tasks
from requests.models import ApplicationState, Decision, Grant, ShareApplication
from requests.selectors import open_task
from requests.services import (
    ApplicationError,
    application_grant,
    application_return,
    application_submit,
    automatic,
    refuse_for_withdrawn_resources,
)
from tests.requests.grant_factory import login
from tests.requests.helpers import full_terms, make_application
from workflows.models import AuditEvent, Deadline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

REASON = "系统关停，数据迁入省平台"


@pytest.fixture
def queued(monkeypatch):
    """The task the withdrawal queues after commit (the broker itself is not under test here)."""
    calls = []
    monkeypatch.setattr(tasks.refuse_for_withdrawn_resources, "delay", lambda: calls.append("queued"))
    return calls


def low_items(resource):
    return list(resource.items.filter(security_level__lte=2))


def reload(application):
    return ShareApplication.objects.get(pk=application.pk)


def test_a_withdrawal_queues_the_refusals_after_it_commits(
    queued, django_capture_on_commit_callbacks, gongan_applicant, housing_resource, zhujian_clerk
):
    application = make_application(gongan_applicant, housing_resource, items=low_items(housing_resource))

    with django_capture_on_commit_callbacks(execute=True):
        resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
        assert queued == []  # not before the withdrawal is committed

    assert queued == ["queued"]
    assert reload(application).state == ApplicationState.IN_REVIEW  # the worker refuses it, not the withdrawal


def test_it_refuses_an_application_in_review_with_a_notice_and_closes_its_task(
    queued, gongan_applicant, housing_resource, zhujian_clerk
):
    application = make_application(gongan_applicant, housing_resource, items=low_items(housing_resource))
    assert open_task(application) is not None
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)

    assert refuse_for_withdrawn_resources() == 1

    application = reload(application)
    assert application.state == ApplicationState.REFUSED and application.due_at is None
    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.decided_as, decision.refusal_reason.code) == (
        "refused",
        Decision.DecidedAs.AUTOMATIC,
        "RESOURCE_WITHDRAWN",
    )
    assert (
        decision.refusal_text == f"数据资源“房屋登记信息”已于2026年3月2日从政务数据资源目录撤销（{REASON}），不再共享。"
    )
    record = Record.objects.get(type=RecordType.REFUSAL_NOTICE, subject_id=str(application.pk))
    assert decision.record == record and record.addressee == "市公安局"
    assert decision.refusal_text in json.dumps(json.loads(record.snapshot), ensure_ascii=False)
    assert open_task(application) is None and application.process.status == "CANCELED"
    assert not Deadline.objects.filter(subject_id=str(application.pk), status=Deadline.Status.ACTIVE).exists()
    [event] = AuditEvent.objects.filter(subject_id=str(application.pk), action="share_requests.application_refused")
    assert (event.actor, event.from_state, event.to_state) == (None, "in_review", "refused")
    [notice] = Notification.objects.filter(recipient=gongan_applicant, event="share_application_decided")
    assert "不予授权" in notice.body and REASON in notice.body


def test_it_refuses_an_application_returned_for_correction(
    queued, gongan_applicant, housing_resource, zhujian_clerk, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource, items=low_items(housing_resource))
    application_return(actor=zhujian_reviewer, obj=application, comment="请补充申请函")
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)

    assert refuse_for_withdrawn_resources() == 1

    application = reload(application)
    assert application.state == ApplicationState.REFUSED
    assert open_task(application) is None  # the applicant's 补正 task is gone too


def test_a_second_run_refuses_nothing_twice(queued, gongan_applicant, housing_resource, zhujian_clerk):
    make_application(gongan_applicant, housing_resource, items=low_items(housing_resource))
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
    refuse_for_withdrawn_resources()
    written = Decision.objects.count(), Record.objects.count(), AuditEvent.objects.count(), Notification.objects.count()

    assert refuse_for_withdrawn_resources() == 0
    assert automatic._refuse_for_withdrawn_resource(ShareApplication.objects.get().pk) is False
    assert (
        Decision.objects.count(),
        Record.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    ) == written


def test_it_leaves_applications_on_published_resources_alone(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource, items=low_items(housing_resource))

    assert refuse_for_withdrawn_resources() == 0
    assert reload(application).state == ApplicationState.IN_REVIEW


def test_a_draft_on_a_withdrawn_resource_cannot_be_submitted(queued, gongan_applicant, housing_resource, zhujian_clerk):
    draft = make_application(gongan_applicant, housing_resource, items=low_items(housing_resource), submit=False)
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)
    events = AuditEvent.objects.count()

    with pytest.raises(ApplicationError) as exc:
        application_submit(actor=gongan_applicant, obj=draft)

    assert exc.value.message == "该资源已撤销，不能提交共享申请。"
    assert reload(draft).state == ApplicationState.DRAFT and AuditEvent.objects.count() == events
    assert refuse_for_withdrawn_resources() == 0  # drafts stay the applicant's to delete or withdraw


def test_the_withdraw_form_says_how_many_applications_it_will_refuse(
    client, gongan_applicant, housing_resource, zhujian_clerk
):
    make_application(gongan_applicant, housing_resource, items=low_items(housing_resource))
    make_application(gongan_applicant, housing_resource, items=low_items(housing_resource), submit=False)
    login(client, zhujian_clerk)

    page = client.get(reverse("catalog:resource_detail", args=[housing_resource.pk])).content.decode()

    assert "该资源有 1 件未办结的共享申请，撤销资源后将自动作出不予授权决定，并通知申请部门。" in page


def test_it_runs_as_an_hourly_beat_task(settings, queued, gongan_applicant, housing_resource, zhujian_clerk):
    application = make_application(gongan_applicant, housing_resource, items=low_items(housing_resource))
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)

    entry = settings.CELERY_BEAT_SCHEDULE["requests-refuse-for-withdrawn-resources"]
    assert entry["task"] == tasks.refuse_for_withdrawn_resources.name
    assert tasks.refuse_for_withdrawn_resources.apply().get() == 1
    assert reload(application).state == ApplicationState.REFUSED


def test_it_refuses_a_grant_awaiting_the_leaders_countersign(
    queued, gongan_applicant, housing_resource, zhujian_clerk, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource)  # with its level-3 item
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))
    assert reload(application).state == ApplicationState.COUNTERSIGNING
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason=REASON)

    assert refuse_for_withdrawn_resources() == 1

    application = reload(application)
    assert application.state == ApplicationState.REFUSED
    assert application.decision.refusal_reason.code == "RESOURCE_WITHDRAWN"
    assert open_task(application) is None  # the leader's countersign task is gone
    assert not Grant.objects.filter(application=application).exists()
    assert Decision.objects.filter(application=application).count() == 1  # the refusal; the proposal is gone
