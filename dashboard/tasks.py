"""Beat's work for the dashboard: the daily aggregates, and the scheduled 情况通报 draft."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import IntegrityError
from django.utils import timezone

from dashboard import aggregates
from dashboard.models import Bulletin
from notifications import recipients


@shared_task
def refresh_daily_figures() -> int:
    return aggregates.refresh()


def scheduled_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The week before the one `today` is in (Monday to Sunday): what Monday's draft reports."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)


def draft_scheduled(today: dt.date | None = None) -> Bulletin | None:
    """The period's draft, once: run again, it finds the one already drafted. None without a bureau user to
    read the figures as."""
    from dashboard.services import bulletin_draft

    start, end = scheduled_period(today or timezone.localdate())
    existing = Bulletin.objects.filter(scheduled=True, period_start=start, period_end=end).first()
    if existing is not None:
        return existing
    reader = recipients.data_bureau().filter(is_active=True).order_by("pk").first()
    if reader is None:
        return None
    try:
        return bulletin_draft(actor=None, reader=reader, period_start=start, period_end=end, scheduled=True)
    except IntegrityError:  # drafted meanwhile by another run (the unique constraint)
        return Bulletin.objects.get(scheduled=True, period_start=start, period_end=end)


@shared_task
def draft_scheduled_bulletin() -> int | None:
    bulletin = draft_scheduled()
    return bulletin.pk if bulletin else None
