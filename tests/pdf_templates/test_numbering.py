from functools import partial

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from organizations.models import Department
from pdf_templates.models import Record, RecordCounter, RecordType, format_number
from pdf_templates.services import issue_record
from tests.races import in_own_connection, run_concurrently


def test_it_formats_the_number_like_the_bureau_does():
    assert format_number("通政数", "共", 2026, 15) == "通政数共〔2026〕15号"


@time_machine.travel("2026-03-05 10:00 +0800")
def test_it_numbers_each_issuer_type_and_year_from_one(issue, zhengshu, gongan):
    first, second = issue(), issue()
    refusal = issue(RecordType.REFUSAL_NOTICE)
    other_issuer = issue(issuer=zhengshu)
    assert [first.number, second.number] == ["通住建共〔2026〕1号", "通住建共〔2026〕2号"]
    assert refusal.number == "通住建共告〔2026〕1号"
    assert other_issuer.number == "通政数共〔2026〕1号"


def test_it_restarts_the_series_in_a_new_year(issue):
    with time_machine.travel("2026-12-31 23:00 +0800"):
        assert issue().number.endswith("〔2026〕1号")
    with time_machine.travel("2027-01-01 00:30 +0800"):
        assert issue().number.endswith("〔2027〕1号")


@time_machine.travel("2026-03-05 10:00 +0800")
def test_it_leaves_no_gap_when_the_deciding_transaction_rolls_back(issue, zhujian, gongan, zhujian_reviewer):
    issue()
    with pytest.raises(RuntimeError), transaction.atomic():
        issue_record(type=RecordType.REVIEW_OPINION, subject=gongan, issuer=zhujian, data={}, actor=zhujian_reviewer)
        raise RuntimeError("the decision failed after the record was written")
    assert issue().number == "通住建共〔2026〕2号"
    assert RecordCounter.objects.get(issuer=zhujian, type=RecordType.REVIEW_OPINION).last_number == 2


def _issue(department_id, subject_id):
    with transaction.atomic():
        record = issue_record(
            type=RecordType.REVIEW_OPINION,
            subject=Department.objects.get(pk=subject_id),
            issuer=Department.objects.get(pk=department_id),
            data={"n": subject_id},
            actor=None,
        )
    return record.sequence


@pytest.mark.postgres
@pytest.mark.django_db
def test_it_numbers_gaplessly_under_many_parallel_issuers(monkeypatch):
    """40 threads, each on its own connection, race for the first numbers of a new series.

    The threads commit for real. The test's own connection stays in its
    rolled-back transaction and the rows are removed on separate connections:
    a transaction=True test would TRUNCATE every table on teardown, which the
    audit trail's append-only trigger refuses on PostgreSQL. The audit write is
    stubbed because its advisory lock would serialise the issuers and hide a
    broken counter lock.
    """
    monkeypatch.setattr("pdf_templates.services._enqueue_render", lambda record_id: None)
    monkeypatch.setattr("pdf_templates.services.record_event", lambda **kwargs: None)
    assert connection.vendor == "postgresql"
    issuer, subject = in_own_connection(
        lambda: (
            Department.objects.create(
                code="TH-CONC", name="市并发测试局", short_name="通并发", seal_text="通化市并发测试局"
            ),
            Department.objects.create(
                code="TH-CONS", name="市并发对象局", short_name="通对象", seal_text="通化市并发对象局"
            ),
        )
    )
    threads_count = 40
    try:
        results = run_concurrently(*[partial(_issue, issuer.pk, subject.pk)] * threads_count, timeout=120)
        errors = [result for result in results if isinstance(result, Exception)]
        assert errors == []
        assert sorted(results) == list(range(1, threads_count + 1))
        numbers, last_number = in_own_connection(
            lambda: (
                list(Record.objects.filter(issuer=issuer).values_list("number", flat=True)),
                RecordCounter.objects.get(issuer=issuer).last_number,
            )
        )
        year = timezone.localdate().year
        assert set(numbers) == {f"通并发共〔{year}〕{n}号" for n in range(1, threads_count + 1)}
        assert len(set(numbers)) == threads_count
        assert last_number == threads_count
    finally:
        in_own_connection(lambda: _remove_rows(issuer, subject))


def _remove_rows(issuer, subject):
    Record.departments.through.objects.filter(record__issuer=issuer).delete()
    Record.objects.filter(issuer=issuer).delete()
    RecordCounter.objects.filter(issuer=issuer).delete()
    Department.objects.filter(pk__in=[issuer.pk, subject.pk]).delete()
