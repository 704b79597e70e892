"""Canonical JSON and SHA-256 chaining. No Django: used by the audit trail and records."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> str:
    """One byte-exact spelling per value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_hex(text: str | bytes) -> str:
    if isinstance(text, str):
        text = text.encode("utf-8")
    return hashlib.sha256(text).hexdigest()


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    """The hash of an event: its canonical JSON bound to the hash before it."""
    return sha256_hex(prev_hash + canonical_json(payload))
