"""Building share applications in tests, through the services."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from requests.models import ApplicationAttachment
from requests.selectors import open_task  # noqa: F401  (tests read the open task as the pages do)
from requests.services import GrantTerms, application_create, application_submit, application_update

START, END = dt.date(2026, 3, 1), dt.date(2026, 12, 31)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def day(offset: int) -> str:
    """The day `offset` days from today (Beijing time), as a form field gives it: read when the test runs."""
    return (timezone.localdate() + dt.timedelta(days=offset)).isoformat()


def application_data(**overrides):
    data = {
        "scenario": "户籍迁入住所核验",
        "business_matter": "户口迁入登记",
        "purposes": ["fewer_materials"],
        "share_method": "bulk_exchange",
        "period_start": START,
        "period_end": END,
        "call_volume": "每日约 200 次",
        "need_legal_basis": "《户口登记条例》第十三条",
        "applied_before": False,
        "earlier_outcome": "",
    }
    data.update(overrides)
    return data


def make_application(applicant, resource, *, items=None, submit=True, attachments=(), **data):
    items = list(resource.items.all()) if items is None else items
    if "share_method" not in data:
        data["share_method"] = (resource.share_methods or ["query_api"])[0]
    application = application_create(
        actor=applicant, resource=resource, data=application_data(**data), items=items, attachments=attachments
    )
    if submit:
        application = application_submit(actor=applicant, obj=application)
    return application


def level2_items(resource):
    """The resource's items of security level 1 or 2: a grant of these alone needs no countersign."""
    return list(resource.items.filter(security_level__lte=2))


def full_terms(application, **overrides):
    values = {
        "items": list(application.items.all()),
        "share_method": application.share_method,
        "period_start": application.period_start,
        "period_end": application.period_end,
        "conditions": "仅用于住房保障资格审核",
        "standard_clauses": ["purpose_only", "no_onward_sharing"],
        "adjustment_reason": "其余部分超出办理事项的需要。",  # kept only when the terms are partial
    }
    values.update(overrides)
    return GrantTerms(**values)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_post(resource, **overrides):
    """The application form as a browser posts it, for a period from today."""
    data = {
        "items": [str(pk) for pk in resource.items.values_list("pk", flat=True)],
        "scenario": "户籍迁入住所核验",
        "business_matter": "户口迁入登记",
        "purposes": ["fewer_materials", "coordination"],
        "share_method": resource.share_methods[0],
        "period_start": day(0),
        "period_end": day(300),
        "call_volume": "每日约 200 次",
        "need_legal_basis": "《户口登记条例》第十三条",
    }
    data.update(overrides)
    return data


def letter_upload() -> SimpleUploadedFile:
    """An application letter (申请函) as the browser uploads it."""
    return SimpleUploadedFile("函.pdf", PDF, content_type="application/pdf")


def attach_letter(application) -> ApplicationAttachment:
    """An application letter on `application` (a draft, or returned for correction), uploaded by its applicant
    through the edit service, the rest of the application unchanged."""
    data = {name: getattr(application, name) for name in application_data()}
    application_update(
        actor=application.applicant,
        obj=application,
        data=data,
        items=list(application.items.all()),
        attachments=[letter_upload()],
    )
    return application.attachments.latest("pk")
