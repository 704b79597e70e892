"""The audit events that vouch for a record, and what they state: its issue (the hash of its data snapshot)
and its PDF's rendering (the hash of the file). Written by pdf_templates.services; read by the trail."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from workflows.labels import canonical_action

ISSUED = "records.issued"
RENDERED = "records.rendered"
HASH_KEYS = {ISSUED: "data_sha256", RENDERED: "pdf_sha256"}


def issued_data(number: str, data_sha256: str) -> dict[str, str]:
    """The `data` of a record's records.issued event (pdf_templates.services.issue_record)."""
    return {"number": number, "data_sha256": data_sha256}


def rendered_data(number: str, pdf_sha256: str) -> dict[str, str]:
    """The `data` of a record's records.rendered event (pdf_templates.services.render_record)."""
    return {"number": number, "pdf_sha256": pdf_sha256}


class Stated(NamedTuple):
    kind: str  # ISSUED or RENDERED
    number: str  # the record's number
    sha256: str  # of its data snapshot (ISSUED) or of its PDF (RENDERED)


def stated_record(action: str, data: Any, comment: str) -> Stated | None:
    """What a records.issued or records.rendered event states of its record; None for other events."""
    kind = canonical_action(action)
    if kind not in HASH_KEYS:
        return None
    if isinstance(data, dict) and data:
        number, digest = data.get("number"), data.get(HASH_KEYS[kind])
        return Stated(kind, number, digest) if isinstance(number, str) and isinstance(digest, str) else None
    if action != kind:  # an old code: a legacy row
        return _stated_in_legacy_comment(kind, comment)
    return None


# Events recorded before audit events had `data` (old codes record_issued and record_rendered, empty data)
# state the record only in their comment, in the words pdf_templates.services wrote then (and migration 0003
# wrote, with a note after the hash). Those rows are on the chain for good and are read back from the words
# here; nothing written since is: new events carry the number and hash in `data`.
_LEGACY_COMMENTS = {
    ISSUED: re.compile(r"签发(?P<number>.+?)《.*》，数据哈希 (?P<hash>[0-9a-f]{64})", re.S),
    RENDERED: re.compile(r"生成(?P<number>.+?)《.*》PDF，文件哈希 (?P<hash>[0-9a-f]{64})(（.*）)?", re.S),
}


def _stated_in_legacy_comment(kind: str, comment: str) -> Stated | None:
    match = _LEGACY_COMMENTS[kind].fullmatch(comment)
    return Stated(kind, match["number"], match["hash"]) if match else None
