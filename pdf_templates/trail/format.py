"""What a trail holds: its format, and each audit event as a row of events.json and events.csv."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from workflows.audit import event_payload
from workflows.hashing import canonical_json
from workflows.models import AuditEvent

CHUNK = 64 * 1024
# 3: each rendered record's record_rendered event, stating its PDF's hash, is in the trail.
# 4: each event carries its structured `data`, which its hash covers when not empty.
# 5: events.csv cells that would start a formula carry a leading quote (workflows.spreadsheets).
TRAIL_FORMAT = "govshare-trail/5"
TRAIL_FORMATS = (  # what verify_trail reads
    "govshare-trail/1",
    "govshare-trail/2",
    "govshare-trail/3",
    "govshare-trail/4",
    TRAIL_FORMAT,
)
WITHOUT_DATA = ("govshare-trail/1", "govshare-trail/2", "govshare-trail/3")
NOT_NEUTRALISED = ("govshare-trail/1", "govshare-trail/2", "govshare-trail/3", "govshare-trail/4")
EVENT_FIELDS = [
    "id",
    "created_at",
    "actor",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "from_state",
    "to_state",
    "comment",
    "data",
    "ip",
    "prev_hash",
    "hash",
]


def event_row(event: AuditEvent) -> dict[str, Any]:
    """An event as events.json holds it: what its hash covers (workflows.audit.event_payload), and more."""
    payload = event_payload(event)
    return {
        "id": event.pk,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "actor": event.actor.username if event.actor else "",
        "actor_id": event.actor_id,
        "action": event.action,
        "subject_type": payload["subject_type"],
        "subject_id": event.subject_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "comment": event.comment,
        "data": event.data,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def csv_text(name: str, value: Any) -> str:
    """A field of an events.json row as events.csv spells it."""
    if value is None:
        return ""
    if name == "data":
        return canonical_json(value) if value else ""
    return str(value)


def csv_row(row: dict[str, Any]) -> dict[str, str]:
    return {name: csv_text(name, value) for name, value in row.items()}
