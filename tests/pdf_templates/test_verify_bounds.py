"""The public verify page is bounded: upload size, uploads per address, and the work one file may cost (issue 15, 7)."""

import threading
import time
import zlib

import pytest
from django.core.files.base import ContentFile

from pdf_templates import verification
from pdf_templates.verification import check_uploaded_pdf, claimed_code
from workflows.middleware import RequestBodyLimitMiddleware
from workflows.ratelimit import hit


class _UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_the_verify_upload_limit_is_small_and_the_default_is_larger(settings):
    assert settings.VERIFY_UPLOAD_MAX_BYTES <= 2 * 1024 * 1024
    assert RequestBodyLimitMiddleware.limit_for("/verify/") < 3 * 1024 * 1024
    assert RequestBodyLimitMiddleware.limit_for("/verify/ABCDEFGHIJKLMNOP") < 3 * 1024 * 1024
    assert RequestBodyLimitMiddleware.limit_for("/share_requests/apply/") == settings.REQUEST_BODY_MAX_BYTES


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/verify/", "/verify/ABCDEFGHIJKLMNOP"])
def test_a_large_upload_is_refused_before_its_body_is_read(client, path):
    response = client.post(
        path,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(19 * 1024 * 1024),
        **{"wsgi.input": _UnreadableBody()},
    )
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()


@pytest.mark.django_db
def test_a_real_upload_over_the_limit_is_refused_in_chinese(client, settings):
    response = client.post("/verify/", {"file": ContentFile(b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024), name="a.pdf")})
    assert response.status_code == 413 and "提交的内容过大" in response.content.decode()
    # Between the form's limit and the request's margin: the form says so.
    settings.VERIFY_UPLOAD_MAX_BYTES = 1024
    response = client.post("/verify/", {"file": ContentFile(b"%PDF-1.7\n" + b"0" * 4096, name="a.pdf")})
    assert response.status_code == 400 and "文件超过 1 KB，无法核验" in response.content.decode()


@pytest.mark.django_db
def test_uploads_are_rate_limited_per_address(client, settings):
    settings.VERIFY_UPLOADS_PER_WINDOW = 3

    def upload(address):
        return client.post("/verify/", {"file": ContentFile(b"not a pdf", name="x.pdf")}, REMOTE_ADDR=address)

    assert [upload("10.0.0.1").status_code for _ in range(3)] == [200, 200, 200]
    refused = upload("10.0.0.1")
    assert refused.status_code == 429
    assert "核验请求过于频繁" in refused.content.decode() and refused["Retry-After"] == "60"
    assert upload("10.0.0.2").status_code == 200
    # Looking a record up by its code is not an upload: not counted, not refused.
    assert client.get("/verify/AAAAAAAAAAAAAAAA", REMOTE_ADDR="10.0.0.1").status_code == 404


def test_the_rate_limit_counts_atomically_under_concurrency():
    allowed = []
    lock = threading.Lock()

    def worker():
        mine = [hit("probe", limit=100, window_seconds=60) for _ in range(50)]
        with lock:
            allowed.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 100 and len(allowed) == 400


def test_a_deflate_bomb_inflates_only_to_the_bound(settings):
    settings.VERIFY_MAX_INFLATED_BYTES = 64 * 1024
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nstream\n" + bomb + b"\nendstream\nendobj\n%%EOF"
    assert claimed_code(pdf) is None
    assert len(verification._inflate(bomb, settings.VERIFY_MAX_INFLATED_BYTES)) == 64 * 1024


def test_only_the_first_streams_are_searched(settings):
    settings.VERIFY_MAX_STREAMS = 10
    filler = b"".join(b"stream\n" + zlib.compress(b"x") + b"\nendstream\n" for _ in range(10))
    late = b"stream\n" + zlib.compress(b"govshare-verification:ABCDEFGHIJKLMNOP") + b"\nendstream\n"
    assert claimed_code(b"%PDF-1.7\n" + late) == "ABCDEFGHIJKLMNOP"
    assert claimed_code(b"%PDF-1.7\n" + filler + late) is None


@pytest.mark.django_db
def test_a_pathological_file_at_the_size_limit_is_checked_quickly(settings):
    # Many stream openings and no end: a search for each stream's end rescanned the rest of the file per stream.
    pdf = b"%PDF-1.7\n" + b"stream\n" * (settings.VERIFY_UPLOAD_MAX_BYTES // 7 - 2)
    # This process's CPU time, not the wall clock: other processes on the machine do not count. The quadratic
    # search this guards against took minutes.
    started = time.process_time()
    result = check_uploaded_pdf(pdf)
    assert result.outcome == verification.UNKNOWN
    assert time.process_time() - started < 5


@pytest.mark.django_db
def test_a_file_with_too_many_signatures_is_not_validated(issue, signing, settings):
    record = issue(render=True)
    settings.VERIFY_MAX_SIGNATURES = 0
    result = check_uploaded_pdf(record.pdf.read())
    assert result.signature.present and not result.signature.valid
    assert "签名域过多" in result.signature.label
