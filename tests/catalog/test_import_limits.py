"""An import is bounded before it is read (issue 15): rows, columns, cell references, inflated size and
compression ratio; inline or worker by the workbook's declared size; a job whose process died is failed."""

import io
import tracemalloc
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog import excel
from catalog.excel import ITEM_HEADERS, RESOURCE_HEADERS, check_workbook
from catalog.import_limits import (
    MSG_BAD_RATIO,
    MSG_TOO_LARGE,
    MSG_TOO_MANY_COLUMNS,
    MSG_TOO_MANY_ROWS,
    declared_size,
)
from catalog.models import DataResource, ImportJob
from catalog.services import import_job_create, import_job_run
from catalog.services.imports import MSG_JOB_STALE
from catalog.tasks import fail_stale_import_jobs
from catalog.xlsx_reader import Sheet
from tests.catalog.xlsx import item_row, resource_row, workbook_bytes
from tests.factories import DEFAULT_PASSWORD
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

CODE = "220500-ZJ-00001"
RESOURCES, ITEMS = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"
NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _header(headers) -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in headers)
    return f'<row r="1">{cells}</row>'.encode()


def _sheet(rows, dimension: str = "", headers=ITEM_HEADERS):
    """A worksheet's XML in chunks: a header row (the item sheet's), then `rows` (an iterable of bytes)."""
    yield NS + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"") + b"<sheetData>" + _header(headers)
    yield from rows
    yield b"</sheetData></worksheet>"


def _workbook(chunks, member: str = ITEMS) -> bytes:
    """A valid two-sheet workbook whose `member` is replaced by the streamed `chunks`."""
    base = workbook_bytes([resource_row(CODE)], [item_row(CODE)]).getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == member:
                replaced = zipfile.ZipInfo(member)
                replaced.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(replaced, "w") as stream:
                    for chunk in chunks:
                        stream.write(chunk)
            else:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def _refused(data: bytes, *, department, rows: int = 10) -> tuple[str, int]:
    """check_workbook's single error for `data`, asserting it came after reading at most `rows` rows (not after
    padding up to a far-away row or reading the whole sheet); and the peak memory."""
    read = 0
    iter_rows = Sheet.iter_rows

    def counted(self, *args, **kwargs):
        nonlocal read
        for row in iter_rows(self, *args, **kwargs):
            read += 1
            yield row

    tracemalloc.start()
    try:
        with mock.patch.object(Sheet, "iter_rows", counted):
            result = check_workbook(io.BytesIO(data), department=department).result
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.error_count == 1, result.errors[:3]
    assert read <= rows, read
    return result.errors[0]["message"], peak


def _prefix(message: str) -> str:
    return message.split("{")[0]


def test_a_zip_bomb_is_refused_before_it_is_inflated(zhujian):
    """The issue's file: a few hundred KB that inflates to 1.5 million rows."""
    row = f'<row><c t="inlineStr"><is><t>{CODE}</t></is></c><c t="inlineStr"><is><t>姓名</t></is></c></row>'
    chunk = row.encode() * 10_000
    data = _workbook(_sheet(chunk for _ in range(150)))
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < 1024 * 1024 and declared > 100 * 1024 * 1024

    message, peak = _refused(data, department=zhujian)

    assert message.startswith(_prefix(MSG_BAD_RATIO))
    assert peak < 10 * 1024 * 1024, peak  # nothing of the sheet was held


def test_an_inflated_size_beyond_the_limit_is_refused_from_the_zip_directory(zhujian, settings):
    data = workbook_bytes([resource_row(CODE)], [item_row(CODE)]).getvalue()
    settings.CATALOG_IMPORT_MAX_UNCOMPRESSED_BYTES = len(data)  # every xlsx inflates beyond its own size
    message, _ = _refused(data, department=zhujian)
    assert message.startswith(_prefix(MSG_TOO_LARGE))


def test_more_rows_than_allowed_are_refused_as_soon_as_the_limit_is_passed(zhujian, settings):
    """Rows that compress like real ones (no ratio to catch) and declare no dimension: counted while read."""
    settings.CATALOG_IMPORT_MAX_ROWS = 1000
    rows = (
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>220500-ZJ-{n:05d}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>项{n * 7919 % 100_003}</t></is></c></row>'.encode()
        for n in range(2, 50_000)
    )
    message, _ = _refused(_workbook(_sheet(rows)), department=zhujian, rows=1000)
    assert message == MSG_TOO_MANY_ROWS.format(limit=1000, where="资源") or message.startswith(
        _prefix(MSG_TOO_MANY_ROWS)
    )


def test_the_row_limit_counts_both_sheets_together(zhujian, settings):
    settings.CATALOG_IMPORT_MAX_ROWS = 30
    resources = [resource_row(f"220500-ZJ-{n:05d}") for n in range(1, 21)]
    items = [item_row(f"220500-ZJ-{n:05d}") for n in range(1, 21)]
    message, _ = _refused(workbook_bytes(resources, items).getvalue(), department=zhujian, rows=30)
    assert message == MSG_TOO_MANY_ROWS.format(limit=30, where="信息项")


FAR = 20_000_000


@pytest.mark.parametrize(
    "member, chunks, expected",
    [
        # the row: r="20000000" is not padded up to
        (ITEMS, _sheet([f'<row r="{FAR}"><c r="A{FAR}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()]), "rows"),
        (
            RESOURCES,
            _sheet([f'<row r="{FAR}"><c r="A{FAR}"><v>1</v></c></row>'.encode()], headers=RESOURCE_HEADERS),
            "rows",
        ),
        # a column far to the right, by its letters
        (ITEMS, _sheet([b'<row r="2"><c r="XFD2"><v>1</v></c></row>']), "columns"),
        (ITEMS, _sheet([b'<row r="2"><c r="' + b"Z" * 5000 + b'2"><v>1</v></c></row>']), "columns"),
        # a row of ten thousand cells without references
        (ITEMS, _sheet([b'<row r="2">' + b"<c><v>1</v></c>" * 10_000 + b"</row>"]), "columns"),
        # a declared dimension beyond the limits: refused before sheetData is read
        (ITEMS, _sheet([], dimension=f"A1:G{FAR}"), "rows"),
        (ITEMS, _sheet([], dimension="A1:XFD2"), "columns"),
    ],
    ids=["row-number", "row-number-resources", "column-XFD", "column-5000-letters", "cells", "dim-rows", "dim-cols"],
)
def test_a_far_away_cell_reference_is_refused_before_rows_are_padded(zhujian, member, chunks, expected):
    message, _ = _refused(_workbook(list(chunks), member=member), department=zhujian)
    template = {"rows": MSG_TOO_MANY_ROWS, "columns": MSG_TOO_MANY_COLUMNS}[expected]
    assert message.startswith(_prefix(template)), message
    assert ("资源" if member == RESOURCES else "信息项") in message


def test_the_limits_allow_the_benchmark_size():
    """B4 imports 10,000 resources × 10 items: the default limits must leave it room."""
    from catalog import limits

    assert limits.IMPORT_MAX_ROWS >= 110_000 * 1.5
    assert limits.IMPORT_MAX_UNCOMPRESSED_BYTES >= 42 * 1024 * 1024 * 2
    assert limits.IMPORT_MAX_COLUMNS >= len(excel.RESOURCE_HEADERS)


# --- inline or worker, by the declared size ------------------------------------------------------


def _post(client, user, data: bytes, callbacks_fixture):
    client.login(username=user.username, password=DEFAULT_PASSWORD)
    with callbacks_fixture(execute=False) as callbacks:
        response = client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("a.xlsx", data)})
    assert response.status_code == 302
    return ImportJob.objects.latest("id"), callbacks


def test_a_small_file_that_inflates_past_the_inline_size_goes_to_a_worker(
    client, zhujian, zhujian_clerk, settings, django_capture_on_commit_callbacks
):
    data = workbook_bytes([resource_row(CODE)], [item_row(CODE)]).getvalue()
    inflated = declared_size(io.BytesIO(data)).uncompressed_bytes
    assert inflated > len(data) * 2
    settings.CATALOG_IMPORT_INLINE_MAX_BYTES = (inflated + len(data)) // 2  # the file is under, its content over
    job, callbacks = _post(client, zhujian_clerk, data, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.PENDING and len(callbacks) == 1

    settings.CATALOG_IMPORT_INLINE_MAX_BYTES = inflated
    job, callbacks = _post(client, zhujian_clerk, data, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.SUCCEEDED and not callbacks


def test_a_workbook_declaring_more_rows_than_the_inline_size_goes_to_a_worker(
    client, zhujian, zhujian_clerk, settings, django_capture_on_commit_callbacks
):
    items = [item_row(CODE, f"项{n}") for n in range(3)]
    data = workbook_bytes([resource_row(CODE)], items, write_only=False).getvalue()  # declares its dimensions
    assert declared_size(io.BytesIO(data)).rows == 2 + 4
    settings.CATALOG_IMPORT_INLINE_MAX_ROWS = 5
    job, callbacks = _post(client, zhujian_clerk, data, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.PENDING and len(callbacks) == 1

    settings.CATALOG_IMPORT_INLINE_MAX_ROWS = 6
    job, callbacks = _post(client, zhujian_clerk, data, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.SUCCEEDED and not callbacks


def test_a_bomb_is_refused_in_the_request_not_queued(
    client, zhujian, zhujian_clerk, settings, django_capture_on_commit_callbacks
):
    settings.CATALOG_IMPORT_INLINE_MAX_BYTES = 10
    data = _workbook(_sheet([f'<row r="{FAR}"><c r="A{FAR}"><v>1</v></c></row>'.encode()], dimension=f"A1:B{FAR}"))
    job, callbacks = _post(client, zhujian_clerk, data, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED and not callbacks
    page = client.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
    assert _prefix(MSG_TOO_MANY_ROWS) in page


# --- a job whose process died ---------------------------------------------------------------------


def _running_job(actor, *, silent_for: timedelta) -> ImportJob:
    data = workbook_bytes([resource_row(CODE)], [item_row(CODE)]).getvalue()
    job = import_job_create(actor=actor, upload=SimpleUploadedFile("a.xlsx", data))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, progress=2, message="正在检查资源", heartbeat_at=timezone.now() - silent_for
    )
    return ImportJob.objects.get(pk=job.pk)


def test_a_job_whose_process_died_is_failed_by_the_beat_with_its_message(zhujian, zhujian_clerk, settings):
    timeout = settings.CATALOG_IMPORT_HEARTBEAT_TIMEOUT
    dead = _running_job(zhujian_clerk, silent_for=timedelta(seconds=timeout + 1))
    alive = _running_job(zhujian_clerk, silent_for=timedelta(seconds=timeout - 30))

    assert fail_stale_import_jobs() == 1

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportJob.Status.FAILED and dead.progress == 100 and dead.finished_at
    assert dead.message == MSG_JOB_STALE.format(minutes=timeout // 60)
    assert alive.status == ImportJob.Status.RUNNING
    event = AuditEvent.objects.get(action="catalog.import_abandoned")
    assert event.subject_id == str(dead.pk) and event.to_state == ImportJob.Status.FAILED
    assert fail_stale_import_jobs() == 0  # once


def test_a_job_whose_process_died_says_so_when_its_page_is_opened(client, zhujian, zhujian_clerk, settings):
    job = _running_job(zhujian_clerk, silent_for=timedelta(seconds=settings.CATALOG_IMPORT_HEARTBEAT_TIMEOUT + 1))
    client.login(username=zhujian_clerk.username, password=DEFAULT_PASSWORD)
    status = client.get(reverse("catalog:import_job_status", args=[job.pk])).json()
    assert status["status"] == "failed" and status["finished"] and "处理已中断" in status["message"]
    page = client.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
    assert "处理已中断" in page and "import_job_status" not in page and 'data-testid="failure"' in page


def test_a_job_whose_process_died_says_so_in_the_list_of_recent_imports(client, zhujian, zhujian_clerk, settings):
    job = _running_job(zhujian_clerk, silent_for=timedelta(seconds=settings.CATALOG_IMPORT_HEARTBEAT_TIMEOUT + 1))
    client.login(username=zhujian_clerk.username, password=DEFAULT_PASSWORD)
    page = client.get(reverse("catalog:import")).content.decode()
    assert "处理已中断" in page and ImportJob.Status.RUNNING.label not in page
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.FAILED


def test_a_worker_still_reading_a_job_failed_as_stale_stops_and_writes_nothing(
    zhujian, zhujian_clerk, settings, monkeypatch
):
    """The lease is lost: its next heartbeat finds the job failed, and the user's “nothing imported” stays true."""
    job = _running_job(zhujian_clerk, silent_for=timedelta(0))
    real = excel._read_workbook

    def failed_meanwhile(*args, **kwargs):
        settings.CATALOG_IMPORT_HEARTBEAT_TIMEOUT = 0
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=5))
        assert fail_stale_import_jobs() == 1
        return real(*args, **kwargs)

    monkeypatch.setattr(excel, "_read_workbook", failed_meanwhile)
    job = import_job_run(job.pk)
    assert job.status == ImportJob.Status.FAILED and "处理已中断" in job.message
    assert not DataResource.objects.exists()


def test_a_running_job_renews_its_heartbeat_every_few_thousand_rows(zhujian, zhujian_clerk, monkeypatch):
    from catalog.services import imports

    codes = [f"220500-ZJ-{n:05d}" for n in range(1, 7)]
    items = [item_row(code, f"项{i}") for code in codes for i in range(1_800)]
    data = workbook_bytes([resource_row(code) for code in codes], items).getvalue()
    job = import_job_create(actor=zhujian_clerk, upload=SimpleUploadedFile("a.xlsx", data))
    beats = []
    real = imports._beat

    def counted(job_pk, **fields):
        beats.append(ImportJob.objects.get(pk=job_pk).heartbeat_at)
        real(job_pk, **fields)

    monkeypatch.setattr(imports, "_beat", counted)
    job = import_job_run(job.pk)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors[:3]
    assert len(beats) >= 2 + len(items) // 5000 + 1  # start, sheets, every 5,000 item rows, the write
    assert all(beat is not None for beat in beats)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_and_the_beat_racing_on_one_job_give_one_outcome(zhujian, zhujian_clerk, settings):
    """A redelivered task runs the job twice while beat looks for stale jobs: one import, the job
    succeeded, and neither the second worker nor the beat marks the first one's import failed."""
    from tests.races import run_concurrently

    codes = [f"220500-ZJ-{n:05d}" for n in range(1, 4)]
    data = workbook_bytes([resource_row(c) for c in codes], [item_row(c) for c in codes]).getvalue()
    job = import_job_create(actor=zhujian_clerk, upload=SimpleUploadedFile("a.xlsx", data))

    outcomes = run_concurrently(lambda: import_job_run(job.pk), lambda: import_job_run(job.pk), fail_stale_import_jobs)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.resources_created == 3
    assert DataResource.objects.count() == 3
    assert [o.status for o in outcomes[:2]] == [ImportJob.Status.SUCCEEDED] * 2
    assert not AuditEvent.objects.filter(action__in=["catalog.import_failed", "catalog.import_abandoned"]).exists()
