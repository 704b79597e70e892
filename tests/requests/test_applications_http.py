"""Share applications over HTTP as the users would: applicant → reviewer → leader → applicant, and the wrong users."""

import datetime as dt

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pdf_templates.models import Record
from requests import selectors
from requests import services as svc
from requests.models import ApplicationState, Decision, RefusalReason, ShareApplication
from tests.factories import UserFactory
from tests.requests.helpers import (
    PDF,
    attach_letter,
    client_for,
    day,
    form_post,
    full_terms,
    make_application,
    open_task,
)


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
        "period_start": day(0),
        "period_end": day(300),
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
    attachment = attach_letter(application)
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
        reason=RefusalReason.objects.get(code="BASIS_MISSING"),
        text="缺少履职依据",
    )
    record = Record.objects.get()
    assert stranger.get(reverse("records:detail", args=[record.pk])).status_code == 404
    assert owner.get(reverse("records:detail", args=[record.pk])).status_code == 200


def test_a_draft_withdrawn_unsent_stays_the_applicant_departments_alone(
    gongan_applicant, housing_resource, zhujian_reviewer, auditor, coordinator
):
    draft = make_application(gongan_applicant, housing_resource, submit=False)
    attachment = attach_letter(draft)
    svc.application_withdraw(actor=gongan_applicant, obj=draft)

    for user in (zhujian_reviewer, auditor, coordinator):
        client = client_for(user)
        assert client.get(reverse("share_requests:detail", args=[draft.pk])).status_code == 404
        assert client.get(reverse("share_requests:attachment", args=[attachment.pk])).status_code == 404
    assert draft.reference not in client_for(auditor).get(reverse("share_requests:all")).content.decode()
    assert client_for(gongan_applicant).get(reverse("share_requests:detail", args=[draft.pk])).status_code == 200
    # Nor is it "applied before" for the next application.
    assert selectors.previous_application(gongan_applicant.department, housing_resource) is None


def test_the_history_on_the_application_page_reads_in_words(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)
    svc.task_take(actor=zhujian_reviewer, obj=open_task(application))

    page = client_for(gongan_applicant).get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    history = page[page.index('data-testid="events"') :]

    assert "创建申请" in history and "提交申请" in history and "认领任务" in history and "提供方审核" in history
    assert "草稿 → 审核中" in history
    for code in (
        "application_created",
        "application_submitted",
        "task_taken",
        "share_requests.",
        "in_review",
        "Review",
    ):
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
    assert svc.MSG_TASK_NOT_YOURS.format(owner=zhujian_reviewer) in response.content.decode()

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
    assert response.status_code == 200 and svc.MSG_ALREADY_DECIDED.format(state="已授权") in response.content.decode()
    assert Decision.objects.count() == 1


def test_task_actions_out_of_turn_say_what_is_the_matter(gongan_applicant, housing_resource, zhujian_reviewer, auditor):
    application = make_application(gongan_applicant, housing_resource)
    reviewer = client_for(zhujian_reviewer)
    action = lambda name: reverse("share_requests:action", args=[application.pk, name])  # noqa: E731
    reviewer.post(action("take"))

    page = reviewer.post(action("take"), follow=True).content.decode()
    assert svc.MSG_ALREADY_YOURS in page

    page = reviewer.post(action("countersign"), {"approve": "1"}, follow=True).content.decode()  # a stale page
    assert svc.MSG_NOT_AT_STEP.format(state="审核中") in page

    assert client_for(auditor).post(action("grant"), {}).status_code == 403  # not "taken by a colleague"
    assert not Decision.objects.exists()

    svc.application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))  # to 会签
    response = reviewer.post(action("grant"), {}, follow=True)  # the page from before: not a bare 403
    assert response.status_code == 200
    assert svc.MSG_NOT_AT_STEP.format(state="待负责人会签") in response.content.decode()


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
    request, gongan_applicant, housing_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource)
    reviewer = client_for(zhujian_reviewer)
    reviewer.post(reverse("share_requests:action", args=[application.pk, "take"]))
    detail = reverse("share_requests:detail", args=[application.pk])

    assert reviewer.get(detail).context.get("handover_form") is None
    request.getfixturevalue("zhujian_colleague")  # joins the department now
    assert reviewer.get(detail).context["handover_form"] is not None


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
    assert (
        actions[:2]
        == [
            "share_requests.application_created",
            "share_requests.application_submitted",
        ]
        and "share_requests.application_withdrawn" in actions
    )
    # Someone who does not see all records gets no trail of a subject without records.
    assert client_for(gongan_applicant).get(url).status_code == 404


def test_it_hides_another_departments_review_task(gongan_applicant, housing_resource, caizheng):
    other_reviewer = UserFactory(username="cz_reviewer", department=caizheng, roles=["provider_reviewer"])
    application = make_application(gongan_applicant, housing_resource)
    client = client_for(other_reviewer)

    assert application.reference not in client.get(reverse("share_requests:tasks")).content.decode()
    assert client.get(reverse("share_requests:detail", args=[application.pk])).status_code == 404
    assert client.post(reverse("share_requests:action", args=[application.pk, "take"])).status_code == 404


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
