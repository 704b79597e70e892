"""Is this PDF one of our records, as issued? Used by the public verify page."""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass

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
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            match = pattern.search(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
        if match:
            return match.group(1).decode("ascii")
    return None


def check_uploaded_pdf(pdf: bytes) -> UploadCheck:
    digest = sha256_hex(pdf)
    record = Record.objects.select_related("issuer").filter(pdf_sha256=digest).first()
    if record is not None:
        return UploadCheck(MATCH, record, check_signatures(pdf), digest)
    code = claimed_code(pdf)
    record = Record.objects.select_related("issuer").filter(verification_code=code).first() if code else None
    signature = check_signatures(pdf) if pdf.startswith(b"%PDF") else SignatureCheck()
    return UploadCheck(ALTERED if record else UNKNOWN, record, signature, digest)
