"""Share applications over HTTP as the users would: applicant → reviewer → leader → applicant, and the wrong users."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pdf_templates.models import Record
from requests.models import ApplicationAttachment, ApplicationState, Decision, ShareApplication
from requests.services import applications as svc
from tests.factories import UserFactory
from tests.requests.helpers import application_data, full_terms, make_application
from workflows.models import AuditEvent

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = dt.date.today()
START, END = TODAY.isoformat(), (TODAY + dt.timedelta(days=300)).isoformat()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _letter(application) -> ApplicationAttachment:
    """An application letter (申请函) on `application`, as its applicant uploaded it."""
    return ApplicationAttachment.objects.create(
        application=application,
        file=SimpleUploadedFile("函.pdf", PDF),
        original_name="函.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=application.applicant,
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_post(resource, **overrides):
    data = {
        "items": [str(pk) for pk in resource.items.values_list("pk", flat=True)],
        "scenario": "户籍迁入住所核验",
        "business_matter": "户口迁入登记",
        "purposes": ["fewer_materials", "coordination"],
        "share_method": resource.share_methods[0],
        "period_start": START,
        "period_end": END,
        "call_volume": "每日约 200 次",
        "need_legal_basis": "《户口登记条例》第十三条",
    }
    data.update(overrides)
    return data


def test_it_runs_applicant_reviewer_leader_applicant(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader
):
    applicant, reviewer, leader = client_for(gongan_applicant), client_for(zhujian_reviewer), client_for(zhujian_leader)

    page = applicant.get(reverse("catalog:resource_detail", args=[housing_resource.pk]))
    assert f"{reverse('share_requests:apply')}?resource={housing_resource.pk}" in page.content.decode()

    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    assert "申请共享" in applicant.get(url).content.decode()
    letter = SimpleUploadedFile("申请函.pdf", PDF, content_type="application/pdf")
    response = applicant.post(url, {**form_post(housing_resource), "attachments": [letter], "submit": "1"})
    application = ShareApplication.objects.get()
    assert response.status_code == 302 and response.url == reverse("share_requests:detail", args=[application.pk])
    assert application.state == ApplicationState.IN_REVIEW
    assert application.purposes == ["fewer_materials", "coordination"]
    assert application.attachments.get().content_type == "application/pdf"

    tasks = reviewer.get(reverse("share_requests:tasks")).content.decode()
    assert application.reference in tasks
    detail = reviewer.get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    assert 'data-testid="grant-form"' in detail
    assert 'data-testid="history"' in detail
    assert 'data-testid="workdays-left"' in detail
    assert f"v{housing_resource.current_version.number}" in detail

    assert reviewer.post(reverse("share_requests:action", args=[application.pk, "take"])).status_code == 302
    grant = {
        "items": [str(pk) for pk in application.items.values_list("pk", flat=True)],
        "share_method": application.share_method,
        "period_start": START,
        "period_end": END,
        "standard_clauses": ["purpose_only", "no_onward_sharing", "retention_limit"],
        "conditions": "仅用于户口迁入业务",
    }
    assert reviewer.post(reverse("share_requests:action", args=[application.pk, "grant"]), grant).status_code == 302
    assert ShareApplication.objects.get().state == ApplicationState.COUNTERSIGNING

    assert application.reference in leader.get(reverse("share_requests:tasks")).content.decode()
    response = leader.post(reverse("share_requests:action", args=[application.pk, "countersign"]), {"approve": "1"})
    assert response.status_code == 302
    application = ShareApplication.objects.get()
    assert application.state == ApplicationState.GRANTED

    detail = applicant.get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    assert "已授权" in detail
    assert application.decision.record.number in detail
    assert "产权人身份证号" in detail
    mine = applicant.get(reverse("share_requests:index")).content.decode()
    assert application.reference in mine


def test_it_shows_each_party_only_what_it_may_see(
    gongan_applicant, housing_resource, zhujian_reviewer, finance_officer, auditor, coordinator
):
    application = make_application(gongan_applicant, housing_resource, submit=False)
    attachment = _letter(application)
    detail = reverse("share_requests:detail", args=[application.pk])
    download = reverse("share_requests:attachment", args=[attachment.pk])

    # A draft is the applicant department's alone.
    assert client_for(zhujian_reviewer).get(detail).status_code == 404
    svc.application_submit(actor=gongan_applicant, obj=application)

    stranger = client_for(finance_officer)
    for url in (
        detail,
        download,
        reverse("share_requests:edit", args=[application.pk]),
    ):
        assert stranger.get(url).status_code == 404, url
    for action in ("take", "grant", "refuse", "withdraw", "submit"):
        assert stranger.post(reverse("share_requests:action", args=[application.pk, action])).status_code == 404
    assert application.reference not in stranger.get(reverse("share_requests:tasks")).content.decode()
    assert stranger.get(reverse("share_requests:all")).status_code == 403
    assert stranger.get(reverse("share_requests:overdue")).status_code == 403

    owner = client_for(gongan_applicant)
    assert b"".join(owner.get(download).streaming_content) == PDF
    # The applicant may not review; the reviewer may not edit or withdraw; the auditor reads only.
    assert owner.post(reverse("share_requests:action", args=[application.pk, "take"])).status_code == 403
    reviewer = client_for(zhujian_reviewer)
    assert reviewer.get(download).status_code == 200
    assert reviewer.get(reverse("share_requests:edit", args=[application.pk])).status_code == 403
    assert reviewer.post(reverse("share_requests:action", args=[application.pk, "withdraw"])).status_code == 403
    watcher = client_for(auditor)
    assert watcher.get(detail).status_code == 200
    assert application.reference in watcher.get(reverse("share_requests:all")).content.decode()
    assert watcher.post(reverse("share_requests:action", args=[application.pk, "take"])).status_code == 403
    assert ShareApplication.objects.get().state == ApplicationState.IN_REVIEW

    # Records of a decision follow the same rule (pdf_templates scopes them by the application's departments).
    svc.application_refuse(
        actor=zhujian_reviewer,
        obj=application,
        reason=svc.RefusalReason.objects.get(code="BASIS_MISSING"),
        text="缺少履职依据",
    )
    record = Record.objects.get()
    assert stranger.get(reverse("records:detail", args=[record.pk])).status_code == 404
    assert owner.get(reverse("records:detail", args=[record.pk])).status_code == 200


def test_a_draft_withdrawn_unsent_stays_the_applicant_departments_alone(
    gongan_applicant, housing_resource, zhujian_reviewer, auditor, coordinator
):
    draft = make_application(gongan_applicant, housing_resource, submit=False)
    attachment = _letter(draft)
    svc.application_withdraw(actor=gongan_applicant, obj=draft)

    for user in (zhujian_reviewer, auditor, coordinator):
        client = client_for(user)
        assert client.get(reverse("share_requests:detail", args=[draft.pk])).status_code == 404
        assert client.get(reverse("share_requests:attachment", args=[attachment.pk])).status_code == 404
    assert draft.reference not in client_for(auditor).get(reverse("share_requests:all")).content.decode()
    assert client_for(gongan_applicant).get(reverse("share_requests:detail", args=[draft.pk])).status_code == 200
    # Nor is it "applied before" for the next application.
    assert svc.previous_application(gongan_applicant.department, housing_resource) is None


def test_the_history_on_the_application_page_reads_in_words(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)
    svc.task_take(actor=zhujian_reviewer, task=svc.open_task(application))

    page = client_for(gongan_applicant).get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    history = page[page.index('data-testid="events"') :]

    assert "创建申请" in history and "提交申请" in history and "认领任务" in history and "提供方审核" in history
    assert "草稿 → 审核中" in history
    for code in ("application_created", "application_submitted", "task_taken", "in_review", "Review"):
        assert code not in history, code


def test_a_reviewer_too_late_is_told_why_on_the_page(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_colleague
):
    application = make_application(
        gongan_applicant, housing_resource, items=list(housing_resource.items.filter(security_level=2))
    )
    first, second = client_for(zhujian_reviewer), client_for(zhujian_colleague)
    detail = reverse("share_requests:detail", args=[application.pk])
    assert first.post(reverse("share_requests:action", args=[application.pk, "take"])).status_code == 302

    # The colleague clicks 认领 on the page they opened before: a message, not a bare 403.
    response = second.post(reverse("share_requests:action", args=[application.pk, "take"]), follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == detail
    assert svc.TASK_NOT_YOURS.format(owner=zhujian_reviewer) in response.content.decode()

    # The owner grants; the colleague's grant posted a moment later says it was decided meanwhile.
    grant = {
        "items": [str(pk) for pk in application.items.values_list("pk", flat=True)],
        "share_method": application.share_method,
        "period_start": application.period_start.isoformat(),
        "period_end": application.period_end.isoformat(),
        "standard_clauses": ["purpose_only"],
    }
    assert first.post(reverse("share_requests:action", args=[application.pk, "grant"]), grant).status_code == 302
    response = second.post(reverse("share_requests:action", args=[application.pk, "grant"]), grant, follow=True)
    assert response.status_code == 200 and svc.ALREADY_DECIDED.format(state="已授权") in response.content.decode()
    assert Decision.objects.count() == 1


def test_task_actions_out_of_turn_say_what_is_the_matter(gongan_applicant, housing_resource, zhujian_reviewer, auditor):
    application = make_application(gongan_applicant, housing_resource)
    reviewer = client_for(zhujian_reviewer)
    action = lambda name: reverse("share_requests:action", args=[application.pk, name])  # noqa: E731
    reviewer.post(action("take"))

    page = reviewer.post(action("take"), follow=True).content.decode()
    assert svc.ALREADY_YOURS in page

    page = reviewer.post(action("countersign"), {"approve": "1"}, follow=True).content.decode()  # a stale page
    assert svc.NOT_AT_STEP.format(state="审核中") in page

    assert client_for(auditor).post(action("grant"), {}).status_code == 403  # not "taken by a colleague"
    assert not Decision.objects.exists()

    svc.application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))  # to 会签
    response = reviewer.post(action("grant"), {}, follow=True)  # the page from before: not a bare 403
    assert response.status_code == 200
    assert svc.NOT_AT_STEP.format(state="待负责人会签") in response.content.decode()


def test_the_application_page_shows_the_whole_grant(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(
        gongan_applicant, housing_resource, items=list(housing_resource.items.filter(security_level=2))
    )
    decision = svc.application_grant(
        actor=zhujian_reviewer,
        obj=application,
        terms=full_terms(application, standard_clauses=["purpose_only", "no_onward_sharing"]),
    )
    grant = decision.application.grant
    url = reverse("share_requests:detail", args=[application.pk])

    page = client_for(gongan_applicant).get(url).content.decode()
    assert "仅用于申请所述用途；不得向第三方转授或提供" in page
    assert f'<a href="{reverse("grants:detail", args=[grant.pk])}">{grant.number}</a>（有效' in page

    with time_machine.travel(grant.valid_to + dt.timedelta(days=1)):  # before the hourly sweep expires it
        page = client_for(gongan_applicant).get(url).content.decode()
    assert f"{grant.number}</a>（已过有效期" in page


def test_the_form_warns_of_the_departments_pending_application_for_the_resource(gongan_applicant, housing_resource):
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    assert "请勿重复申请" not in client_for(gongan_applicant).get(url).content.decode()
    pending = make_application(gongan_applicant, housing_resource)

    page = client_for(gongan_applicant).get(url).content.decode()

    assert f"本部门已有该资源的申请 {pending.reference}（审核中），请勿重复申请" in page


def test_an_action_url_opened_after_logging_in_again_leads_back_to_the_page(
    gongan_applicant, housing_resource, zhujian_reviewer, outsider
):
    application = make_application(gongan_applicant, housing_resource)
    url = reverse("share_requests:action", args=[application.pk, "grant"])

    response = Client().post(url, {})  # the session ran out: to the login page, then back here by GET
    assert response.status_code == 302 and response.url.startswith(reverse("login"))

    response = client_for(zhujian_reviewer).get(url)
    assert response.status_code == 302 and response.url == reverse("share_requests:detail", args=[application.pk])
    assert not Decision.objects.exists()
    assert client_for(outsider).get(url).status_code == 404


def test_the_handover_form_shows_only_when_there_is_a_colleague_to_hand_to(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian
):
    application = make_application(gongan_applicant, housing_resource)
    reviewer = client_for(zhujian_reviewer)
    reviewer.post(reverse("share_requests:action", args=[application.pk, "take"]))
    detail = reverse("share_requests:detail", args=[application.pk])

    assert reviewer.get(detail).context.get("handover_form") is None
    UserFactory(username="zj_second", department=zhujian, roles=["provider_reviewer"])
    assert reviewer.get(detail).context["handover_form"] is not None


def test_a_reversed_grant_period_names_the_grant_period(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)
    with pytest.raises(svc.ApplicationError) as exc:
        svc.application_grant(
            actor=zhujian_reviewer,
            obj=application,
            terms=full_terms(application, period_start=application.period_end, period_end=application.period_start),
        )
    assert exc.value.errors == {"period_end": [svc.GRANT_PERIOD_INVALID]}


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
    client.post(url, {**data, "form_token": str(fresh), "period_end": END})
    assert ShareApplication.objects.count() == 2


def test_an_auditor_downloads_the_trail_of_an_application_without_records(gongan_applicant, housing_resource, auditor):
    import io
    import json
    import zipfile

    application = make_application(gongan_applicant, housing_resource)
    svc.application_withdraw(actor=gongan_applicant, obj=application)
    page = client_for(auditor).get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    url = page.split('data-testid="trail"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")

    response = client_for(auditor).get(url)

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    actions = [row["action"] for row in json.loads(archive.read("events.json"))]
    assert actions[:2] == ["application_created", "application_submitted"] and "application_withdrawn" in actions
    # Someone who does not see all records gets no trail of a subject without records.
    assert client_for(gongan_applicant).get(url).status_code == 404


def test_applying_for_ones_own_resource_says_so_before_the_form(zhujian_clerk, housing_resource):
    response = client_for(zhujian_clerk).get(
        f"{reverse('share_requests:apply')}?resource={housing_resource.pk}", follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("catalog:resource_detail", args=[housing_resource.pk])
    assert svc.OWN_RESOURCE in response.content.decode()


def test_it_hides_another_departments_review_task(gongan_applicant, housing_resource, caizheng):
    other_reviewer = UserFactory(username="cz_reviewer", department=caizheng, roles=["provider_reviewer"])
    application = make_application(gongan_applicant, housing_resource)
    client = client_for(other_reviewer)

    assert application.reference not in client.get(reverse("share_requests:tasks")).content.decode()
    assert client.get(reverse("share_requests:detail", args=[application.pk])).status_code == 404
    assert client.post(reverse("share_requests:action", args=[application.pk, "take"])).status_code == 404


def test_it_shows_a_field_error_for_a_refusal_without_reason_and_writes_nothing(
    gongan_applicant, closed_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, closed_resource)
    client = client_for(zhujian_reviewer)
    url = reverse("share_requests:action", args=[application.pk, "refuse"])

    response = client.post(url, {"text": "不予共享"})
    assert response.status_code == 400
    assert svc.REFUSAL_REASON_REQUIRED in response.content.decode()

    reason = svc.RefusalReason.objects.get(code="PURPOSE_UNRELATED")
    response = client.post(url, {"reason": reason.pk, "text": "不予共享"})
    assert response.status_code == 400
    assert svc.LEGAL_BASIS_REQUIRED in response.content.decode()
    assert not Decision.objects.exists()
    assert not Record.objects.exists()
    assert ShareApplication.objects.get().state == ApplicationState.IN_REVIEW


def test_a_grant_of_a_period_already_over_is_refused_with_a_field_error(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    began = TODAY - dt.timedelta(days=200)
    application = make_application(gongan_applicant, housing_resource, period_start=began)
    grant = {
        "items": [str(pk) for pk in application.items.values_list("pk", flat=True)],
        "share_method": application.share_method,
        "period_start": began.isoformat(),
        "period_end": (TODAY - dt.timedelta(days=1)).isoformat(),
        "adjustment_reason": "只授权已经过去的半年。",
    }

    response = client_for(zhujian_reviewer).post(
        reverse("share_requests:action", args=[application.pk, "grant"]), grant
    )

    assert response.status_code == 400
    assert svc.GRANT_PERIOD_OVER in response.content.decode()
    assert not Decision.objects.exists()
    assert ShareApplication.objects.get().state == ApplicationState.IN_REVIEW


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"period_start": END, "period_end": START}, svc.PERIOD_INVALID),
        ({"period_end": (TODAY + dt.timedelta(days=366 * 5 + 1)).isoformat()}, svc.PERIOD_TOO_LONG.format(years=5)),
        (
            {"period_start": "2025-01-01", "period_end": (TODAY - dt.timedelta(days=1)).isoformat()},
            svc.PERIOD_OVER,
        ),
        ({"purposes": []}, svc.PURPOSES_REQUIRED),
    ],
)
def test_it_shows_a_field_error_for_bad_application_input(gongan_applicant, housing_resource, overrides, message):
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    response = client_for(gongan_applicant).post(url, {**form_post(housing_resource), **overrides, "submit": "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ShareApplication.objects.exists()


def test_it_refuses_items_not_in_the_resource(gongan_applicant, housing_resource, open_resource):
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    foreign = open_resource.items.get(name="企业名称")
    post = form_post(housing_resource, items=[str(foreign.pk)])
    response = client_for(gongan_applicant).post(url, post)
    assert svc.ITEMS_NOT_IN_RESOURCE.format(names="企业名称") in response.content.decode()
    assert not ShareApplication.objects.exists()


def test_it_refuses_an_oversized_or_disguised_attachment(gongan_applicant, housing_resource, settings):
    settings.SHARE_ATTACHMENT_MAX_BYTES = 1024
    url = f"{reverse('share_requests:apply')}?resource={housing_resource.pk}"
    client = client_for(gongan_applicant)

    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(url, {**form_post(housing_resource), "attachments": [big]})
    assert svc.ATTACHMENT_TOO_LARGE.format(name="大文件.pdf", limit="1 KB") in response.content.decode()

    disguised = SimpleUploadedFile("申请函.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf")
    response = client.post(url, {**form_post(housing_resource), "attachments": [disguised]})
    assert svc.ATTACHMENT_BAD_TYPE.format(name="申请函.pdf") in response.content.decode()

    assert not ShareApplication.objects.exists()
    assert not ApplicationAttachment.objects.exists()


def test_the_applicant_removes_an_attachment_from_a_draft(
    gongan_applicant, housing_resource, tmp_path, django_capture_on_commit_callbacks
):
    application = make_application(gongan_applicant, housing_resource, submit=False)
    wrong, right = _letter(application), _letter(application)
    applicant = client_for(gongan_applicant)
    edit = reverse("share_requests:edit", args=[application.pk])
    assert applicant.get(edit).context["form"].fields["remove_attachments"].queryset.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = applicant.post(edit, {**form_post(housing_resource), "remove_attachments": [wrong.pk]})

    assert response.status_code == 302
    assert list(application.attachments.all()) == [right]
    assert not (tmp_path / wrong.file.name).exists()
    assert (tmp_path / right.file.name).exists()
    event = AuditEvent.objects.filter(action="application_updated").latest("pk")
    assert event.comment == "删除附件：函.pdf"


def test_an_attachment_the_provider_was_sent_stays(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource, submit=False)
    sent = _letter(application)
    application = svc.application_submit(actor=gongan_applicant, obj=application)
    svc.application_return(actor=zhujian_reviewer, obj=application, comment="请补充盖章的申请函")
    added = _letter(application)  # after the return: nobody has seen it yet
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
    assert refused.value.message == svc.ATTACHMENT_NOT_REMOVABLE.format(name="函.pdf")
    assert application.attachments.count() == 2


def test_it_returns_for_correction_and_the_applicant_resubmits(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)
    reviewer, applicant = client_for(zhujian_reviewer), client_for(gongan_applicant)

    response = reviewer.post(reverse("share_requests:action", args=[application.pk, "return"]), {"comment": ""})
    assert response.status_code == 400 and svc.COMMENT_REQUIRED in response.content.decode()
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
        reason=svc.RefusalReason.objects.get(code="BASIS_MISSING"),
        text="缺少依据",
    )
    page = client_for(gongan_applicant).get(f"{reverse('share_requests:apply')}?resource={housing_resource.pk}")
    form = page.context["form"]
    assert form.initial["applied_before"] is True
    assert "缺少履职依据" in form.initial["earlier_outcome"]


def test_the_form_marks_negative_listed_items_and_leaves_them_unticked(
    gongan_applicant, housing_resource, coordinator, privacy_law
):
    from catalog.models import NegativeListEntry

    owner_id = housing_resource.items.get(name="产权人身份证号")
    entry = NegativeListEntry.objects.create(
        resource=housing_resource, legal_basis=privacy_law, reason="身份证号不对外共享", created_by=coordinator
    )
    entry.items.set([owner_id])

    page = client_for(gongan_applicant).get(f"{reverse('share_requests:apply')}?resource={housing_resource.pk}")

    form = page.context["form"]
    assert set(form.initial["items"]) == set(
        housing_resource.items.exclude(pk=owner_id.pk).values_list("pk", flat=True)
    )
    labels = dict(form.fields["items"].widget.choices)
    assert labels[owner_id.pk] == "产权人身份证号（3级，列入负面清单，不予共享）"
    assert "列入负面清单" not in labels[housing_resource.items.get(name="房屋坐落").pk]


def test_it_gives_the_bureau_an_overdue_queue_and_the_menu(coordinator, gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)
    from workflows.deadlines import for_subject

    svc.escalate_overdue(for_subject(application).get(status="active"))
    client = client_for(coordinator)

    page = client.get(reverse("share_requests:overdue")).content.decode()
    assert application.reference in page and "超期未答复" in page
    assert application.reference in client.get(reverse("share_requests:tasks")).content.decode()
    response = client.post(reverse("share_requests:action", args=[application.pk, "order"]), {"workdays": 3})
    assert response.status_code == 302
    assert ShareApplication.objects.get().state == ApplicationState.IN_REVIEW
    home = client.get(reverse("share_requests:index")).content.decode()
    assert "逾期协调" in home and "全部申请" in home


def test_an_auditor_reads_the_overdue_queue_and_counts(auditor, gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)
    from workflows.deadlines import for_subject

    svc.escalate_overdue(for_subject(application).get(status="active"))
    client = client_for(auditor)

    page = client.get(reverse("share_requests:overdue")).content.decode()
    assert application.reference in page and "超期答复件数" in page
    assert "逾期协调" in client.get(reverse("share_requests:index")).content.decode()
    assert (
        client.post(reverse("share_requests:action", args=[application.pk, "order"]), {"workdays": 3}).status_code
        == 403
    )
