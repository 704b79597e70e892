"""Gapless document numbers (文号): one counter row per issuer, type and year.

A number is taken by locking the counter row until the caller's transaction
ends. If that transaction rolls back, so does the increment: no gap. Two
issuers of the same series queue on the row lock: no duplicate.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from organizations.models import Department
from pdf_templates.models import RecordCounter


def _increment(issuer: Department, type: str, year: int) -> int | None:
    """Bump the counter and return its new value in one statement (the UPDATE holds the row lock), or None."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(RecordCounter._meta.db_table)} SET {q('last_number')} = {q('last_number')} + 1 "
            f"WHERE {q('issuer_id')} = %s AND {q('type')} = %s AND {q('year')} = %s RETURNING {q('last_number')}",
            [issuer.pk, type, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _next_number(issuer: Department, type: str, year: int) -> int:
    for _ in range(3):
        number = _increment(issuer, type, year)
        if number is not None:
            return number
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
    return _next_number(issuer, type, year)
