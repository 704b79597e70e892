"""The sample records of the apps not built yet (pdf_templates/demo.py): dates that agree with the day they are issued."""

import io
import re

import pytest
import time_machine

from organizations import demo as organizations_demo
from pdf_templates import demo
from pdf_templates.dates import chinese_date
from pdf_templates.models import Record, RecordType
from pdf_templates.rendering import record_html

DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _day(text: str):
    import datetime as dt

    year, month, day = map(int, DATE.fullmatch(text).groups())
    return dt.date(year, month, day)


@pytest.mark.django_db
@time_machine.travel("2026-01-05 10:00 +0800")
def test_the_samples_are_dated_consistently_with_their_issue():
    organizations_demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())

    records = {record.type: record for record in Record.objects.all()}
    assert set(records) == set(RecordType.values) - demo.ISSUED_BY_DOMAIN_APPS  # those are real ones
    for record in records.values():
        issued = record.issued_at.astimezone().date()
        html = record_html(record, will_sign=False)
        assert chinese_date(record.issued_at) == "2026年1月5日" and "2026年1月5日" in html  # the 成文日期
        assert not re.search(r"年0\d月|月0\d日", record.snapshot + html)
        if record.type == RecordType.SHUTDOWN_NOTICE:
            assert _day(record.data["objection_deadline"]) > issued
        if record.type == RecordType.SHUTDOWN_CONFIRMATION:
            # Shut down before it is confirmed, and not the system whose objection period is still running.
            assert _day(record.data["shut_down_on"]) <= issued
            assert record.data["system_name"] != records[RecordType.SHUTDOWN_NOTICE].data["system_name"]
            (ended,) = DATE.findall(record.data["body"][0])
            assert _day("{}年{}月{}日".format(*ended)) <= issued
