"""The hash-chained audit trail: writing events and verifying the chain."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from workflows.hashing import canonical_json, chain_hash, sha256_hex
from workflows.models import GENESIS_HASH, AuditEvent

# The advisory lock workflows_audit_append takes (migrations 0004, 0005): every writer of the chain holds it until commit.
CHAIN_LOCK_KEY = 1618321617


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """What the hash covers. Changing this breaks every existing chain.

    The row id is left out: it is known only after the insert, and the
    prev_hash links already fix the order. `data` is covered only when it is
    not empty: the events written before it existed (all empty) hash as they did.
    """
    payload = {
        "actor": event.actor_id,
        "action": event.action,
        "subject_type": f"{event.subject_type.app_label}.{event.subject_type.model}",
        "subject_id": str(event.subject_id),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "comment": event.comment,
        "ip": event.ip,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
    }
    if event.data:
        payload["data"] = event.data
    return payload


def record_event(
    *,
    subject: models.Model,
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    ip: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    `comment` is for people; `data` (a JSON object) is for programs that read the event back, e.g. the
    number and hash of the record an event is about. It is stored as it was hashed (dates become strings).

    Writers are serialised until commit, so no two events take the same
    predecessor: on PostgreSQL by the advisory lock in workflows_audit_append
    (migrations 0004, 0005), on SQLite by the database lock (write transactions are
    IMMEDIATE, see settings). The unique constraint on prev_hash is the
    backstop either way.
    """
    event = AuditEvent(
        actor=actor,
        action=action,
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        subject_id=str(subject.pk),
        from_state=from_state or "",
        to_state=to_state or "",
        comment=comment,
        data=json.loads(canonical_json(data)) if data else {},
        ip=ip or None,
        created_at=timezone.now(),
    )
    payload = canonical_json(event_payload(event))
    # No savepoint: an event that fails to write fails the caller's whole transition.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _append_in_postgresql(event, payload)
        else:
            last = AuditEvent.objects.order_by("-id").only("id", "hash").first()
            event.prev_hash = last.hash if last else GENESIS_HASH
            event.hash = sha256_hex(event.prev_hash + payload)  # chain_hash, with the JSON already made
            event.save()
    return event


def record_events(
    *,
    model: type[models.Model],
    subject_ids: Iterable[Any],
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
) -> int:
    """Append one event per subject of `model`, in the order given, inside the caller's transaction.

    For writes of thousands of rows at once (a catalog import), where record_event's round trip per
    event would dominate: the hashes are computed here and the rows inserted in batches. The head is
    read after taking the chain's lock, as workflows_audit_append does, and ids are drawn in insert
    order after it, so the chain stays one line in id order. Take it after the rows the transaction
    locks, like any event (a writer waiting for such a row while holding the chain would block all others).
    """
    subject_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    created_at = timezone.now()
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        # SQLite: write transactions are IMMEDIATE (settings), so this one already holds the database lock.
        last = AuditEvent.objects.order_by("-id").only("id", "hash").first()
        prev_hash = last.hash if last else GENESIS_HASH
        events = []
        for subject_id in subject_ids:
            event = AuditEvent(
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=str(subject_id),
                from_state=from_state,
                to_state=to_state,
                comment=comment,
                created_at=created_at,
                prev_hash=prev_hash,
            )
            event.hash = prev_hash = sha256_hex(prev_hash + canonical_json(event_payload(event)))
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def _append_in_postgresql(event: AuditEvent, payload: str) -> None:
    """Lock, read the head, hash and insert in one round trip; the database hashes as chain_hash does."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM workflows_audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)",
            [
                event.actor_id,
                event.action,
                event.subject_type_id,
                event.subject_id,
                event.from_state,
                event.to_state,
                event.comment,
                event.ip,
                event.created_at,
                payload,
                canonical_json(event.data),
            ],
        )
        event.pk, event.prev_hash, event.hash = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def verify_chain(events: Iterator[AuditEvent] | None = None) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in order; return the count checked and the first break."""
    if events is None:
        events = AuditEvent.objects.select_related("subject_type").order_by("id").iterator(chunk_size=2000)
    expected_prev = GENESIS_HASH
    count = 0
    for event in events:
        if event.prev_hash != expected_prev:
            return count, ChainBreak(event.pk, "前一事件哈希不衔接（链条被删改或插入）")
        if chain_hash(event.prev_hash, event_payload(event)) != event.hash:
            return count, ChainBreak(event.pk, "事件内容与其哈希不符（记录被篡改）")
        expected_prev = event.hash
        count += 1
    return count, None


def client_ip(request) -> str | None:
    """The client address as the proxy in front of us reports it."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None
