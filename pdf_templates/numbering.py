"""Gapless document numbers (文号): one counter row per issuer, type and year.

A number is taken by locking the counter row until the caller's transaction
ends. If that transaction rolls back, so does the increment: no gap. Two
issuers of the same series queue on the row lock: no duplicate.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from organizations.models import Department
from pdf_templates.models import RecordCounter


def _locked_counter(issuer: Department, type: str, year: int) -> RecordCounter:
    for _ in range(3):
        try:
            return RecordCounter.objects.select_for_update().get(issuer=issuer, type=type, year=year)
        except RecordCounter.DoesNotExist:
            pass
        try:
            # The first number of a series: two callers may race to create the
            # row. The loser's savepoint rolls back and it locks the winner's row.
            with transaction.atomic():
                RecordCounter.objects.create(issuer=issuer, type=type, year=year, last_number=0)
        except IntegrityError:
            pass
    raise RuntimeError("文号计数器无法创建或锁定。")  # pragma: no cover - needs three lost races in a row


def take_next_number(*, issuer: Department, type: str, year: int) -> int:
    """The next number of the series, inside the caller's transaction (which must be open)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next_number must run inside transaction.atomic().")
    counter = _locked_counter(issuer, type, year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number
