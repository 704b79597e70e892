"""The provider's reply deadline in working days: reminder, escalation to the bureau, and what the bureau does."""

import datetime as dt

import time_machine
from django.utils import timezone

from notifications.models import Notification
from requests.flows import ShareApplicationFlow
from requests.models import ApplicationState, Decision, Grant, ShareApplication
from requests.selectors import overdue_counts_by_provider, overdue_queue
from requests.services import application_grant, application_order_decision
from tests.requests.helpers import full_terms, make_application, open_task
from workflows import deadlines
from workflows.deadlines import for_subject
from workflows.models import Deadline
from workflows.workdays import due_date

TZ = timezone.get_default_timezone()
# The Tuesday before National Day 2026: the golden week falls inside the 10 working days.
SUBMITTED = dt.datetime(2026, 9, 29, 10, 0, tzinfo=TZ)


def _level2(resource):
    return list(resource.items.filter(security_level__lte=2))


def _submit(applicant, resource):
    with time_machine.travel(SUBMITTED, tick=False):
        return make_application(applicant, resource, items=_level2(resource))


def test_it_counts_the_reply_deadline_in_working_days_across_the_holiday(gongan_applicant, housing_resource):
    application = _submit(gongan_applicant, housing_resource)

    deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)
    assert application.due_at == deadline.due_at == due_date(SUBMITTED, 10)
    # Ten working days span more than two calendar weeks because of the National Day holiday.
    assert timezone.localtime(application.due_at).date() > (SUBMITTED + dt.timedelta(days=14)).date()
    assert deadline.on_expiry == "share_requests.escalate_overdue"


def test_it_reminds_the_reviewers_the_provider_has_by_then(
    request, gongan_applicant, housing_resource, zhujian_reviewer
):
    application = _submit(gongan_applicant, housing_resource)
    deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)
    newcomer = request.getfixturevalue("zhujian_colleague")  # joins the department after the submission
    zhujian_reviewer.is_active = False  # left the department meanwhile
    zhujian_reviewer.save(update_fields=["is_active"])

    deadlines.evaluate(now=deadline.remind_at + dt.timedelta(minutes=1))

    reminded = Notification.objects.filter(event="deadline_reminder", subject_id=str(application.pk))
    assert list(reminded.values_list("recipient", flat=True)) == [newcomer.pk]


def test_it_reminds_then_escalates_then_the_bureau_orders_the_provider_to_decide(
    gongan_applicant, housing_resource, zhujian_reviewer, coordinator
):
    application = _submit(gongan_applicant, housing_resource)
    deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)

    deadlines.evaluate(now=deadline.remind_at + dt.timedelta(minutes=1))
    assert Notification.objects.filter(recipient=zhujian_reviewer, event="deadline_reminder").count() == 1
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW

    outcome = deadlines.evaluate(now=deadline.due_at + dt.timedelta(minutes=1))
    assert outcome["expired"] == 1
    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.ESCALATED
    assert application.was_overdue is True
    assert list(overdue_queue()) == [application]
    assert open_task(application).flow_task == ShareApplicationFlow.arbitrate
    assert Notification.objects.filter(recipient=coordinator, event="deadline_escalated").exists()
    assert overdue_counts_by_provider()[0]["count"] == 1
    # A second beat finds nothing left to fire.
    assert deadlines.evaluate(now=deadline.due_at + dt.timedelta(minutes=5))["expired"] == 0

    with time_machine.travel(deadline.due_at + dt.timedelta(hours=1), tick=False):
        application_order_decision(actor=coordinator, obj=application, workdays=3, comment="请尽快答复")
    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.IN_REVIEW
    new_deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)
    assert new_deadline.workdays == 3
    assert open_task(application).flow_task == ShareApplicationFlow.review

    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))
    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.GRANTED
    assert application.was_overdue is True  # kept for the statistics and the project gate


def test_it_lets_the_bureau_decide_in_the_providers_place(gongan_applicant, housing_resource, coordinator):
    application = _submit(gongan_applicant, housing_resource)
    deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)
    deadlines.evaluate(now=deadline.due_at + dt.timedelta(minutes=1))
    application = ShareApplication.objects.get(pk=application.pk)

    decision = application_grant(actor=coordinator, obj=application, terms=full_terms(application))

    assert decision.decided_as == Decision.DecidedAs.DATA_BUREAU
    assert decision.record.issuer == coordinator.department
    assert decision.record.number.startswith("通政数共〔")
    assert "因市住建局未在规定期限内答复，由本局协调作出决定。" in decision.record.content["data"]["body"]
    assert Grant.objects.filter(application=application).exists()
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.GRANTED
    assert not overdue_queue().exists()


def test_it_does_not_escalate_an_application_decided_in_time(gongan_applicant, housing_resource, zhujian_reviewer):
    application = _submit(gongan_applicant, housing_resource)
    deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    assert deadlines.evaluate(now=deadline.due_at + dt.timedelta(minutes=1))["expired"] == 0
    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.GRANTED
    assert application.was_overdue is False


def test_it_escalates_an_unconfirmed_countersign_and_drops_the_proposal(
    gongan_applicant, housing_resource, zhujian_reviewer, coordinator
):
    with time_machine.travel(SUBMITTED, tick=False):
        application = make_application(gongan_applicant, housing_resource)
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))
    deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)

    deadlines.evaluate(now=deadline.due_at + dt.timedelta(minutes=1))

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.ESCALATED
    assert not Decision.objects.exists()
    assert open_task(application).flow_task == ShareApplicationFlow.arbitrate
