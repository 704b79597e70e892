"""The application and decision forms over HTTP: field errors, attachments, corrections, prefill and repeats."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog.services import negative_entry_create
from pdf_templates.models import Record
from requests import services as svc
from requests.models import ApplicationAttachment, ApplicationState, Decision, RefusalReason, ShareApplication
from tests.requests.helpers import (
    PDF,
    application_data,
    attach_letter,
    client_for,
    day,
    form_post,
    full_terms,
    make_application,
)
from workflows.models import AuditEvent


def test_the_form_warns_of_the_departments_pending_application_for_the_resource(gongan_applicant, housing_resource):
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    assert "请勿重复申请" not in client_for(gongan_applicant).get(url).content.decode()
    pending = make_application(gongan_applicant, housing_resource)

    page = client_for(gongan_applicant).get(url).content.decode()

    assert f"本部门已有该资源的申请 {pending.reference}（审核中），请勿重复申请" in page


def test_a_reversed_grant_period_names_the_grant_period(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)
    with pytest.raises(svc.ApplicationError) as exc:
        svc.application_grant(
            actor=zhujian_reviewer,
            obj=application,
            terms=full_terms(application, period_start=application.period_end, period_end=application.period_start),
        )
    assert exc.value.errors == {"period_end": [svc.MSG_GRANT_PERIOD_INVALID]}


def test_posting_the_same_new_application_form_twice_makes_one_application(gongan_applicant, housing_resource):
    client = client_for(gongan_applicant)
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    token = client.get(url).context["form"].initial["form_token"]
    data = {**form_post(housing_resource), "form_token": str(token), "submit": "1"}

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    application = ShareApplication.objects.get()
    assert first.status_code == 302 and application.state == ApplicationState.IN_REVIEW
    assert second.redirect_chain[-1][0] == reverse("share_requests:detail", args=[application.pk])
    assert f"申请 {application.reference} 已创建，请勿重复提交" in second.content.decode()
    # A form opened afresh is a new application.
    fresh = client.get(url).context["form"].initial["form_token"]
    assert fresh != token
    client.post(url, {**data, "form_token": str(fresh), "period_end": day(300)})
    assert ShareApplication.objects.count() == 2


def test_applying_for_ones_own_resource_says_so_before_the_form(zhujian_clerk, housing_resource):
    response = client_for(zhujian_clerk).get(
        f"{reverse('share_requests:apply')}?resource={housing_resource.pk}", follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("catalog:resource_detail", args=[housing_resource.pk])
    assert svc.MSG_OWN_RESOURCE in response.content.decode()


def test_it_shows_a_field_error_for_a_refusal_without_reason_and_writes_nothing(
    gongan_applicant, closed_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, closed_resource)
    client = client_for(zhujian_reviewer)
    url = reverse("share_requests:action", args=[application.pk, "refuse"])

    response = client.post(url, {"text": "不予共享"})
    assert response.status_code == 400
    assert svc.MSG_REFUSAL_REASON_REQUIRED in response.content.decode()

    reason = RefusalReason.objects.get(code="PURPOSE_UNRELATED")
    response = client.post(url, {"reason": reason.pk, "text": "不予共享"})
    assert response.status_code == 400
    assert svc.MSG_LEGAL_BASIS_REQUIRED in response.content.decode()
    assert not Decision.objects.exists()
    assert not Record.objects.exists()
    assert ShareApplication.objects.get().state == ApplicationState.IN_REVIEW


def test_a_grant_of_a_period_already_over_is_refused_with_a_field_error(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    began = timezone.localdate() - dt.timedelta(days=200)
    application = make_application(gongan_applicant, housing_resource, period_start=began)
    grant = {
        "items": [str(pk) for pk in application.items.values_list("pk", flat=True)],
        "share_method": application.share_method,
        "period_start": began.isoformat(),
        "period_end": day(-1),
        "adjustment_reason": "只授权已经过去的半年。",
    }

    response = client_for(zhujian_reviewer).post(
        reverse("share_requests:action", args=[application.pk, "grant"]), grant
    )

    assert response.status_code == 400
    assert svc.MSG_GRANT_PERIOD_OVER in response.content.decode()
    assert not Decision.objects.exists()
    assert ShareApplication.objects.get().state == ApplicationState.IN_REVIEW


@pytest.mark.parametrize(
    "overrides, message",
    [
        (lambda: {"period_start": day(300), "period_end": day(0)}, svc.MSG_PERIOD_INVALID),
        (lambda: {"period_end": day(366 * 5 + 1)}, svc.MSG_PERIOD_TOO_LONG.format(years=5)),
        (lambda: {"period_start": "2025-01-01", "period_end": day(-1)}, svc.MSG_PERIOD_OVER),
        (lambda: {"purposes": []}, svc.MSG_PURPOSES_REQUIRED),
    ],
    ids=["reversed", "too-long", "over", "no-purpose"],
)
def test_it_shows_a_field_error_for_bad_application_input(gongan_applicant, housing_resource, overrides, message):
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    response = client_for(gongan_applicant).post(url, {**form_post(housing_resource), **overrides(), "submit": "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ShareApplication.objects.exists()


def test_it_refuses_items_not_in_the_resource(gongan_applicant, housing_resource, open_resource):
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    foreign = open_resource.items.get(name="企业名称")
    post = form_post(housing_resource, items=[str(foreign.pk)])
    response = client_for(gongan_applicant).post(url, post)
    assert svc.MSG_ITEMS_NOT_IN_RESOURCE.format(names="企业名称") in response.content.decode()
    assert not ShareApplication.objects.exists()


def test_it_refuses_an_oversized_or_disguised_attachment(gongan_applicant, housing_resource, settings):
    settings.SHARE_ATTACHMENT_MAX_BYTES = 1024
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    client = client_for(gongan_applicant)

    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(url, {**form_post(housing_resource), "attachments": [big]})
    assert svc.MSG_ATTACHMENT_TOO_LARGE.format(name="大文件.pdf", limit="1 KB") in response.content.decode()

    disguised = SimpleUploadedFile("申请函.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf")
    response = client.post(url, {**form_post(housing_resource), "attachments": [disguised]})
    assert svc.MSG_ATTACHMENT_BAD_TYPE.format(name="申请函.pdf") in response.content.decode()

    assert not ShareApplication.objects.exists()
    assert not ApplicationAttachment.objects.exists()


def test_the_applicant_removes_an_attachment_from_a_draft(
    gongan_applicant, housing_resource, media_root, django_capture_on_commit_callbacks
):
    application = make_application(gongan_applicant, housing_resource, submit=False)
    wrong, right = attach_letter(application), attach_letter(application)
    applicant = client_for(gongan_applicant)
    edit = reverse("share_requests:edit", args=[application.pk])
    assert applicant.get(edit).context["form"].fields["remove_attachments"].queryset.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = applicant.post(edit, {**form_post(housing_resource), "remove_attachments": [wrong.pk]})

    assert response.status_code == 302
    assert list(application.attachments.all()) == [right]
    assert not (media_root / wrong.file.name).exists()
    assert (media_root / right.file.name).exists()
    event = AuditEvent.objects.filter(action="share_requests.application_updated").latest("pk")
    assert event.comment == "删除附件：函.pdf"


def test_an_attachment_the_provider_was_sent_stays(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource, submit=False)
    sent = attach_letter(application)
    application = svc.application_submit(actor=gongan_applicant, obj=application)
    svc.application_return(actor=zhujian_reviewer, obj=application, comment="请补充盖章的申请函")
    added = attach_letter(application)  # after the return: nobody has seen it yet
    edit = reverse("share_requests:edit", args=[application.pk])
    applicant = client_for(gongan_applicant)

    assert list(applicant.get(edit).context["form"].fields["remove_attachments"].queryset) == [added]
    with pytest.raises(svc.ApplicationError) as refused:
        svc.application_update(
            actor=gongan_applicant,
            obj=application,
            data=application_data(),
            items=list(application.items.all()),
            remove_attachments=[sent],
        )
    assert refused.value.message == svc.MSG_ATTACHMENT_NOT_REMOVABLE.format(name="函.pdf")
    assert application.attachments.count() == 2


def test_it_returns_for_correction_and_the_applicant_resubmits(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)
    reviewer, applicant = client_for(zhujian_reviewer), client_for(gongan_applicant)

    response = reviewer.post(reverse("share_requests:action", args=[application.pk, "return"]), {"comment": ""})
    assert response.status_code == 400 and svc.MSG_COMMENT_REQUIRED in response.content.decode()
    reviewer.post(reverse("share_requests:action", args=[application.pk, "return"]), {"comment": "请附申请函"})
    assert ShareApplication.objects.get().state == ApplicationState.RETURNED

    page = applicant.get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    assert "当前步骤：申请人补正</h3>" in page  # the applicant's own step: nothing to claim
    edit = reverse("share_requests:edit", args=[application.pk])
    assert "请附申请函" in applicant.get(edit).content.decode()
    letter = SimpleUploadedFile("函.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    response = applicant.post(edit, {**form_post(housing_resource), "attachments": [letter], "submit": "1"})
    assert response.status_code == 302
    application = ShareApplication.objects.get()
    assert application.state == ApplicationState.IN_REVIEW
    assert application.attachments.get().content_type == "image/png"
    page = applicant.get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    assert 'data-testid="return-comment"' not in page  # answered: it stays in 办理记录


def test_an_edit_that_cannot_be_submitted_is_kept_and_the_page_says_why(
    gongan_applicant, housing_resource, zhujian_clerk
):
    from catalog.services import resource_withdraw

    application = make_application(gongan_applicant, housing_resource, submit=False)
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason="系统关停")
    edit = reverse("share_requests:edit", args=[application.pk])

    response = client_for(gongan_applicant).post(
        edit, {**form_post(housing_resource), "scenario": "改过的场景", "submit": "1"}, follow=True
    )

    assert "修改已保存为草稿，但未能提交：该资源已撤销，不能提交共享申请。" in response.content.decode()
    application = ShareApplication.objects.get()
    assert (application.state, application.scenario) == (ApplicationState.DRAFT, "改过的场景")


def test_it_prefills_the_form_from_history(gongan_applicant, housing_resource, zhujian_reviewer):
    first = make_application(gongan_applicant, housing_resource)
    svc.application_refuse(
        actor=zhujian_reviewer,
        obj=first,
        reason=RefusalReason.objects.get(code="BASIS_MISSING"),
        text="缺少依据",
    )
    page = client_for(gongan_applicant).get(f"{reverse('share_requests:apply')}?resource={housing_resource.pk}")
    form = page.context["form"]
    assert form.initial["applied_before"] is True
    assert "缺少履职依据" in form.initial["earlier_outcome"]


def test_the_form_marks_negative_listed_items_and_leaves_them_unticked(
    gongan_applicant, housing_resource, coordinator, privacy_law
):

    owner_id = housing_resource.items.get(name="产权人身份证号")
    negative_entry_create(
        actor=coordinator,
        resource=housing_resource,
        legal_basis=privacy_law,
        reason="身份证号不对外共享",
        items=[owner_id],
    )

    page = client_for(gongan_applicant).get(f"{reverse('share_requests:apply')}?resource={housing_resource.pk}")

    form = page.context["form"]
    assert set(form.initial["items"]) == set(
        housing_resource.items.exclude(pk=owner_id.pk).values_list("pk", flat=True)
    )
    labels = dict(form.fields["items"].widget.choices)
    assert labels[owner_id.pk] == "产权人身份证号（3级，列入负面清单，不予共享）"
    assert "列入负面清单" not in labels[housing_resource.items.get(name="房屋坐落").pk]
