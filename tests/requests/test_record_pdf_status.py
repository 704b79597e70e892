"""A page listing records says 生成中, without a download link, until the record's PDF exists."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from pdf_templates.models import Record
from pdf_templates.services import render_record
from requests.models import ShareApplication
from tests.requests.helpers import client_for, make_application

pytestmark = pytest.mark.django_db

PARTIAL = "pdf_templates/_record_pdf.html"


def _records_of(subject) -> list[Record]:
    return list(
        Record.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
        ).order_by("pk")
    )


def _shows(user, url: str, records: list[Record]) -> tuple[bool, bool]:
    """(says 生成中, links a PDF of one of `records`) on the page at url."""
    response = client_for(user).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert all(record.number in page for record in records)
    pdf_links = any(reverse("records:pdf", args=[record.pk]) in page for record in records)
    return '<span data-testid="record-pending">生成中</span>' in page, pdf_links


def test_the_application_page_says_being_rendered_until_the_pdf_exists(gongan_applicant, open_resource):
    application = make_application(gongan_applicant, open_resource)  # granted at once: records issued, not rendered
    records = _records_of(application)
    assert records and not any(record.is_rendered for record in records)

    assert _shows(gongan_applicant, application.get_absolute_url(), records) == (True, False)
    for record in records:
        render_record(record_id=record.pk)
    assert _shows(gongan_applicant, application.get_absolute_url(), records) == (False, True)


def test_the_grant_page_says_being_rendered_until_the_pdf_exists(housing_grant, gongan_applicant):
    application = ShareApplication.objects.get(pk=housing_grant.application_id)
    records = _records_of(application) + _records_of(housing_grant)
    assert records and not any(record.is_rendered for record in records)

    assert _shows(gongan_applicant, housing_grant.get_absolute_url(), records) == (True, False)
    for record in records:
        render_record(record_id=record.pk)
    assert _shows(gongan_applicant, housing_grant.get_absolute_url(), records) == (False, True)


def test_the_record_list_says_being_rendered_until_the_pdf_exists(gongan_applicant, open_resource):
    application = make_application(gongan_applicant, open_resource)
    records = _records_of(application)
    url = reverse("records:index")
    assert _shows(gongan_applicant, url, records) == (True, False)
    for record in records:
        render_record(record_id=record.pk)
    assert _shows(gongan_applicant, url, records) == (False, True)


# ------------------------------------------------------------------ the rule, for every template

LOOP_VARIABLE = re.compile(r"{%\s*for\s+(\w+)\s+in\b")
RECORD_LINK = re.compile(r"{%\s*url\s+['\"]records:(?:detail|pdf)['\"]\s+(\w+)\.pk")
PDF_LINK = re.compile(r"{%\s*url\s+['\"]records:pdf['\"]")


def _project_templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(
        path
        for path in base.glob("**/templates/**/*.html")
        if not any(part in (".venv", "node_modules", "var") for part in path.relative_to(base).parts)
        and not path.as_posix().endswith(PARTIAL)
    )


def test_the_rule_finds_the_pages_that_list_records():
    listing = {path.relative_to(settings.BASE_DIR).as_posix() for path in _project_templates() if _lists_records(path)}
    assert {
        "requests/templates/requests/detail.html",
        "requests/templates/requests/grants/detail.html",
        "pdf_templates/templates/pdf_templates/record_list.html",
    } <= listing


def _lists_records(path: Path) -> bool:
    text = path.read_text()
    loop_variables = set(LOOP_VARIABLE.findall(text))
    return any(variable in loop_variables for variable in RECORD_LINK.findall(text))


@pytest.mark.parametrize("path", _project_templates(), ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_every_page_listing_records_shows_their_pdf_through_the_one_partial(path):
    text = path.read_text()
    if _lists_records(path):
        assert PARTIAL in text, f"{path} lists records: include {PARTIAL} for each (PDF link or 生成中)"
    if PDF_LINK.search(text):
        # Only a record's own page links its PDF itself, and only once rendered.
        assert path.name == "record_detail.html", f"{path} links a record's PDF: use {PARTIAL}"
        assert "{% if record.is_rendered %}" in text and "生成中" in text
