"""pdf_templates' demo: every record type is issued for real by its domain app's demo, so the loader issues no
sample; the samples themselves (kept for the layout tests and B3) give dates that agree with the day they are for."""

import datetime as dt
import io
import re

import pytest

from organizations import demo as organizations_demo
from pdf_templates import demo
from pdf_templates.models import Record, RecordType

DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _day(text: str) -> dt.date:
    year, month, day = map(int, DATE.fullmatch(text).groups())
    return dt.date(year, month, day)


@pytest.mark.django_db
def test_every_type_is_issued_by_its_domain_app_so_the_loader_issues_no_sample():
    organizations_demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    assert demo.ISSUED_BY_DOMAIN_APPS == set(RecordType.values)
    assert not Record.objects.exists()


@pytest.mark.django_db
def test_the_samples_are_dated_consistently_with_their_day():
    today = dt.date(2026, 1, 5)
    samples = {sample[0]: sample[-1] for sample in demo.samples(today)}
    assert set(samples) == set(RecordType.values)
    for data in samples.values():
        assert not re.search(r"年0\d月|月0\d日", str(data))
    assert _day(samples[RecordType.SHUTDOWN_NOTICE]["objection_deadline"]) > today
    confirmation = samples[RecordType.SHUTDOWN_CONFIRMATION]
    assert _day(confirmation["shut_down_on"]) <= today
    assert confirmation["system_name"] != samples[RecordType.SHUTDOWN_NOTICE]["system_name"]
