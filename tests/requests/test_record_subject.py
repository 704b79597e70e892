"""A record's page names its application by reference and links to it for those who may open it."""

from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from pdf_templates.models import Record
from requests.models import Grant, ShareApplication
from requests.services.grants import grant_revoke
from tests.factories import UserFactory
from tests.requests.helpers import make_application


def _record_page(user, record) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("records:detail", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_record_page_names_and_links_its_application(gongan_applicant, auditor, open_resource, zhengshu):
    application = make_application(gongan_applicant, open_resource)
    record = Record.objects.get(
        subject_type=ContentType.objects.get_for_model(ShareApplication), subject_id=str(application.pk)
    )
    link = f'<a href="{application.get_absolute_url()}">{application.reference}</a>'
    for viewer in (gongan_applicant, auditor):
        page = _record_page(viewer, record)
        assert link in page
        assert f"#{application.pk}<" not in page


def test_the_record_page_names_a_subject_without_a_page(client, gongan, zhujian, zhujian_reviewer):
    from pdf_templates.models import RecordType
    from pdf_templates.services import issue_record

    record = issue_record(
        type=RecordType.REFUSAL_NOTICE,
        subject=gongan,
        issuer=zhujian,
        data={"reason": "与办理事项无关。", "legal_basis": "《个人信息保护法》第六条"},
        actor=zhujian_reviewer,
        title="关于市公安局的不予共享告知书",
        addressee="市公安局",
    )
    page = _record_page(UserFactory(department=gongan), record)
    assert f"<dd>{ContentType.objects.get_for_model(gongan).name} 市公安局</dd>" in page  # no page of its own: no link
    assert f"#{gongan.pk}</dd>" not in page


def test_a_revocation_notice_links_its_grant_for_those_who_may_open_it(
    housing_grant, zhujian_reviewer, gongan_applicant, auditor
):
    grant = grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="超出授权场景批量调用接口")
    record = Record.objects.get(subject_type=ContentType.objects.get_for_model(Grant), subject_id=str(grant.pk))
    link = f'<a href="{reverse("grants:detail", args=[grant.pk])}">'
    for viewer in (auditor, gongan_applicant, zhujian_reviewer):
        assert link in _record_page(viewer, record)
        client = Client()
        client.force_login(viewer)
        assert client.get(reverse("grants:detail", args=[grant.pk])).status_code == 200
