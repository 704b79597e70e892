"""The applicant's receipt on submission: in-app and email, in the submit's transaction, with the reply deadline."""

import pytest
from django.db import transaction
from django.urls import reverse

from notifications.email import transport as email_transport
from notifications.models import Notification, OutboundEmail
from requests.models import ApplicationState, ShareApplication
from requests.services import application_return, application_submit
from tests.factories import UserFactory
from tests.requests.helpers import attach_letter, client_for, form_post, make_application

pytestmark = pytest.mark.usefixtures("frozen")  # Monday 2026-03-02 10:00: ten working days end on 2026-03-16

RECEIPT = "share_application_received"


def receipts(user, application):
    return Notification.objects.filter(recipient=user, event=RECEIPT, subject_id=str(application.pk))


def test_a_submission_sends_the_applicant_a_receipt_with_the_reply_deadline(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)

    [receipt] = receipts(gongan_applicant, application)
    assert receipt.title == f"共享申请提交回执：{application}"
    assert receipt.body == (
        f"共享申请{application.reference}（房屋登记信息）已提交至市住建局。"
        "提供部门应于2026年3月16日（北京时间）前答复；逾期未答复的，由政数局协调。"
    )
    email = OutboundEmail.objects.get(notification=receipt)
    assert email.to_address == gongan_applicant.email
    assert "2026年3月16日（北京时间）" in email.body_text and "2026年3月16日（北京时间）" in email.body_html


def test_the_deadline_is_the_beijing_date_late_in_the_evening(gongan_applicant, housing_resource, frozen):
    # 23:30 in Beijing is still 15:30 of the same day in UTC; on a Friday the deadline skips the weekend.
    frozen.move_to("2026-03-06 23:30 +0800")
    application = make_application(gongan_applicant, housing_resource)
    assert "应于2026年3月20日（北京时间）前答复" in receipts(gongan_applicant, application).get().body


def test_a_colleague_who_submits_gets_the_receipt_as_well_as_the_author(gongan, gongan_applicant, housing_resource):
    colleague = UserFactory(username="ga_colleague", department=gongan, roles=["applicant"])
    draft = make_application(gongan_applicant, housing_resource, submit=False)
    application_submit(actor=colleague, obj=draft)
    assert receipts(gongan_applicant, draft).count() == 1 and receipts(colleague, draft).count() == 1


def test_a_resubmission_after_correction_gets_a_receipt_with_the_new_deadline(
    gongan_applicant, housing_resource, zhujian_reviewer, frozen
):
    application = make_application(gongan_applicant, housing_resource)
    application_return(actor=zhujian_reviewer, obj=application, comment="请补充申请函")
    attach_letter(ShareApplication.objects.get(pk=application.pk))
    frozen.move_to("2026-03-04 10:00 +0800")
    application_submit(actor=gongan_applicant, obj=ShareApplication.objects.get(pk=application.pk))
    first, second = receipts(gongan_applicant, application).order_by("pk")
    assert "已提交至市住建局" in first.body
    assert "已重新提交（补正后）至市住建局" in second.body and "2026年3月18日（北京时间）" in second.body


def test_the_receipt_commits_or_rolls_back_with_the_submission(gongan_applicant, housing_resource):
    draft = make_application(gongan_applicant, housing_resource, submit=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        application_submit(actor=gongan_applicant, obj=draft)
        assert receipts(gongan_applicant, draft).exists()
        raise RuntimeError("the submission fails after the notice was written")
    assert ShareApplication.objects.get(pk=draft.pk).state == ApplicationState.DRAFT
    assert not receipts(gongan_applicant, draft).exists()
    assert not OutboundEmail.objects.filter(event=RECEIPT).exists()


def test_an_application_decided_at_once_gets_its_decision_not_a_receipt(gongan_applicant, open_resource):
    application = make_application(gongan_applicant, open_resource)
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.GRANTED
    assert not receipts(gongan_applicant, application).exists()


def test_the_applicant_submitting_in_the_browser_finds_the_receipt_in_their_messages(
    gongan_applicant, housing_resource, django_capture_on_commit_callbacks
):
    client = client_for(gongan_applicant)
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url, {**form_post(housing_resource), "submit": "1"})
    application = ShareApplication.objects.get()
    assert response.status_code == 302 and application.state == ApplicationState.IN_REVIEW
    email = OutboundEmail.objects.get(event=RECEIPT, recipient=gongan_applicant)
    handed_over = [c.args[0] for c in queued if getattr(c, "func", None) is email_transport.enqueue]
    assert any(email.pk in ids for ids in handed_over), "the receipt's email goes to the worker after commit"
    messages = client.get(reverse("notifications:index")).content.decode()
    assert f"共享申请提交回执：{application}" in messages
