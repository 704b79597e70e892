"""A substitute (代理人) sees what the colleague they stand in for sees, and acts on their tasks, for the period only."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from pdf_templates.models import Record
from requests import services as svc
from requests.models import ApplicationState, Decision, RefusalReason, ShareApplication
from tests.factories import UserFactory
from tests.requests.helpers import PDF, client_for, letter_upload, make_application
from workflows.deadlines import for_subject
from workflows.models import AuditEvent

pytestmark = [pytest.mark.usefixtures("frozen"), pytest.mark.frozen_at("2026-11-23 10:00 +0800")]
MONDAY = dt.date(2026, 11, 23)
AFTER = MONDAY + dt.timedelta(days=3)  # the substitution below ends on Wednesday


def _stand_in(principal, substitute) -> None:
    """`principal` names `substitute` on 代理人设置, Monday to Wednesday."""
    response = client_for(principal).post(
        "/home/substitutions/",
        {"substitute": substitute.pk, "starts_on": "2026-11-23", "ends_on": "2026-11-25", "reason": "外出培训"},
    )
    assert response.status_code == 302


def _urls(application, attachment) -> list[str]:
    return [
        reverse("share_requests:detail", args=[application.pk]),
        reverse("share_requests:attachment", args=[attachment.pk]),
    ]


@pytest.fixture
def escalated(gongan_applicant, housing_resource):
    """An application (with its letter) the provider left unanswered, now in the 政数局's 逾期协调 queue."""
    application = make_application(gongan_applicant, housing_resource, attachments=[letter_upload()])
    svc.escalate_overdue(for_subject(application).get(status="active"))
    return ShareApplication.objects.get(pk=application.pk)


def test_the_bureaus_substitute_opens_and_decides_the_task_it_took(escalated, coordinator, zhengshu_leader, zhengshu):
    bystander = UserFactory(username="zs_other", department=zhengshu, roles=["dept_leader"])
    attachment = escalated.attachments.get()
    taken = client_for(coordinator).post(reverse("share_requests:action", args=[escalated.pk, "take"]))
    assert taken.status_code == 302
    _stand_in(coordinator, zhengshu_leader)
    substitute = client_for(zhengshu_leader)

    assert escalated.reference in substitute.get(reverse("share_requests:tasks")).content.decode()
    detail = substitute.get(reverse("share_requests:detail", args=[escalated.pk]))
    assert detail.status_code == 200
    assert 'data-testid="grant-form"' in detail.content.decode()
    assert b"".join(substitute.get(_urls(escalated, attachment)[1]).streaming_content) == PDF
    assert substitute.get(reverse("share_requests:overdue")).status_code == 403  # sees, takes nothing new
    for url in _urls(escalated, attachment):
        assert client_for(bystander).get(url).status_code == 404, url  # same department, but stands in for nobody

    grant = {
        "items": [str(pk) for pk in escalated.items.values_list("pk", flat=True)],
        "share_method": escalated.share_method,
        "period_start": escalated.period_start.isoformat(),
        "period_end": escalated.period_end.isoformat(),
        "standard_clauses": ["purpose_only"],
        "conditions": "仅用于户口迁入业务",
    }
    with time_machine.travel(AFTER, tick=False):
        for url in _urls(escalated, attachment):
            assert client_for(zhengshu_leader).get(url).status_code == 404, url
        response = client_for(zhengshu_leader).post(
            reverse("share_requests:action", args=[escalated.pk, "grant"]), grant
        )
        assert response.status_code == 404
    assert ShareApplication.objects.get(pk=escalated.pk).state == ApplicationState.ESCALATED

    response = substitute.post(reverse("share_requests:action", args=[escalated.pk, "grant"]), grant)
    assert response.status_code == 302
    decision = Decision.objects.get(application=escalated)
    assert (decision.decided_by, decision.decided_as) == (zhengshu_leader, Decision.DecidedAs.DATA_BUREAU)
    on_behalf = AuditEvent.objects.get(action="workflows.task_done_for", subject_id=str(escalated.pk))
    assert (on_behalf.actor, on_behalf.comment) == (zhengshu_leader, f"代理{coordinator}办理政数局协调")
    assert ShareApplication.objects.get(pk=escalated.pk).state == ApplicationState.GRANTED
    assert substitute.get(reverse("grants:detail", args=[escalated.grant.pk])).status_code == 200  # the link it got


def test_an_auditors_substitute_reads_the_application_and_its_records_for_the_period(
    gongan_applicant, housing_resource, zhujian_reviewer, auditor, shenji_colleague, finance_officer
):
    application = make_application(gongan_applicant, housing_resource, attachments=[letter_upload()])
    attachment = application.attachments.get()
    svc.application_refuse(
        actor=zhujian_reviewer,
        obj=application,
        reason=RefusalReason.objects.get(code="BASIS_MISSING"),
        text="缺少履职依据",
    )
    record = Record.objects.get()  # issued by 住建局 to 公安局: neither is 审计局
    urls = [*_urls(application, attachment), reverse("records:detail", args=[record.pk])]
    for url in urls:
        assert client_for(shenji_colleague).get(url).status_code == 404, url

    _stand_in(auditor, shenji_colleague)
    substitute = client_for(shenji_colleague)
    for url in urls:
        assert substitute.get(url).status_code == 200, url
    assert record.number in substitute.get(urls[0]).content.decode()
    assert application.reference in substitute.get(reverse("share_requests:all")).content.decode()
    for url in urls:
        assert client_for(finance_officer).get(url).status_code == 404, url

    with time_machine.travel(AFTER, tick=False):
        for url in urls:
            assert client_for(shenji_colleague).get(url).status_code == 404, url


def test_the_bureaus_substitute_on_a_stale_page_is_told_where_it_stands(escalated, coordinator, zhengshu_leader):
    client_for(coordinator).post(reverse("share_requests:action", args=[escalated.pk, "take"]))
    _stand_in(coordinator, zhengshu_leader)
    svc.application_order_decision(actor=coordinator, obj=escalated, workdays=3)  # meanwhile

    response = client_for(zhengshu_leader).post(
        reverse("share_requests:action", args=[escalated.pk, "order"]), {"workdays": 2}, follow=True
    )

    assert response.status_code == 200  # not a bare 403
    assert svc.MSG_NOT_AT_STEP.format(state="审核中") in response.content.decode()
