"""Is this PDF one of our records, as issued? Used by the public verify page."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from pdf_templates.models import Record
from pdf_templates.signing import SignatureCheck, check_signatures
from workflows.hashing import sha256_hex

MATCH = "match"
ALTERED = "altered"
UNKNOWN = "unknown"

OUTCOME_LABELS = {
    MATCH: "一致：该文件与本平台签发的文书完全相同。",
    ALTERED: "已被修改：该文件声称是本平台的文书，但内容与签发时不一致。",
    UNKNOWN: "无法识别：该文件不是本平台签发的文书。",
}

_CODE_RE = re.compile(rb"govshare-verification:([A-Z2-7]{16})")
_DATA_HASH_RE = re.compile(rb"data-sha256:([0-9a-f]{64})")


@dataclass
class UploadCheck:
    outcome: str
    record: Record | None
    signature: SignatureCheck
    sha256: str

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


def claimed_code(pdf: bytes) -> str | None:
    """The verification code the file claims, from its /Keywords metadata."""
    return _claimed(pdf, "/Keywords", _CODE_RE)


def claimed_data_hash(pdf: bytes) -> str | None:
    """The SHA-256 of the record's data snapshot the file states, from its /Subject metadata."""
    return _claimed(pdf, "/Subject", _DATA_HASH_RE)


def _claimed(pdf: bytes, key: str, pattern: re.Pattern[bytes]) -> str | None:
    """Read through pyHanko so an incremental update that rewrote the metadata
    is what counts; a raw byte search is the fallback for damaged files.
    """
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view.get("/Info")
        value = str(info.get_object().get(key, "")) if info is not None else ""
        match = pattern.search(value.encode("utf-8"))
        if match:
            return match.group(1).decode("ascii")
    except Exception:
        pass
    match = pattern.search(pdf)
    if match:
        return match.group(1).decode("ascii")
    # WeasyPrint keeps the metadata in a compressed object stream.
    for stream in _streams(pdf, settings.VERIFY_MAX_STREAMS):
        match = pattern.search(_inflate(stream, settings.VERIFY_MAX_INFLATED_BYTES))
        if match:
            return match.group(1).decode("ascii")
    return None


def _streams(pdf: bytes, limit: int) -> Iterator[bytes]:
    """The raw content of the first `limit` streams, in one pass over the file (a regex searching for the end
    of each stream would rescan the rest of the file per stream)."""
    position = 0
    for _ in range(limit):
        start = pdf.find(b"stream", position)
        if start < 0:
            return
        body = start + len(b"stream")
        body += 2 if pdf.startswith(b"\r\n", body) else 1 if pdf.startswith(b"\n", body) else 0
        end = pdf.find(b"endstream", body)
        if end < 0:
            return
        yield pdf[body:end]
        position = end + len(b"endstream")


def _inflate(data: bytes, limit: int) -> bytes:
    """At most `limit` bytes of a deflated stream: a small stream may inflate to gigabytes."""
    try:
        return zlib.decompressobj().decompress(data, limit)
    except zlib.error:
        return b""


def check_uploaded_pdf(pdf: bytes) -> UploadCheck:
    digest = sha256_hex(pdf)
    record = Record.objects.select_related("issuer").filter(pdf_sha256=digest).first()
    if record is not None:
        return UploadCheck(MATCH, record, check_signatures(pdf), digest)
    code = claimed_code(pdf)
    record = Record.objects.select_related("issuer").filter(verification_code=code).first() if code else None
    signature = check_signatures(pdf) if pdf.startswith(b"%PDF") else SignatureCheck()
    return UploadCheck(ALTERED if record else UNKNOWN, record, signature, digest)
