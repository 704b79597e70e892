"""The daily aggregates (DailyFigure) that let the first page read a million applications in a few rows.

Beat runs `refresh()`: every day whose applications changed since the last run (and yesterday) is counted
again, each day in one transaction (its rows deleted and written anew), so the job may run any number of
times. Today is never aggregated: the figures read it live, with whatever days the last run had not
reached yet (`covered_until`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from dashboard.models import DailyFigure
from requests.models import ShareApplication

APPLICATIONS = "applications"  # submitted that day, per provider, by the state they are in now
FLAGS = "application_flags"  # of those, key "overdue" (was_overdue) and "escalated"


def bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def refresh_day(day: dt.date, *, computed_at: dt.datetime | None = None) -> int:
    """Count `day` again, in one transaction. Returns the rows written."""
    computed_at = computed_at or timezone.now()
    start, end = bounds(day, day)
    submitted = ShareApplication.objects.filter(submitted_at__gte=start, submitted_at__lt=end).order_by()
    with transaction.atomic():
        DailyFigure.objects.filter(day=day, measure__in=[APPLICATIONS, FLAGS]).delete()
        rows = [
            DailyFigure(
                day=day,
                measure=APPLICATIONS,
                department_id=r["provider_department_id"],
                key=r["state"],
                value=r["n"],
                computed_at=computed_at,
            )
            for r in submitted.values("provider_department_id", "state").annotate(n=Count("pk"))
        ]
        flags = submitted.values("provider_department_id").annotate(
            overdue=Count("pk", filter=Q(was_overdue=True)), escalated=Count("pk", filter=Q(escalated_at__isnull=False))
        )
        for r in flags:
            for key in ("overdue", "escalated"):
                if r[key]:
                    rows.append(
                        DailyFigure(
                            day=day,
                            measure=FLAGS,
                            department_id=r["provider_department_id"],
                            key=key,
                            value=r[key],
                            computed_at=computed_at,
                        )
                    )
        DailyFigure.objects.bulk_create(rows)
    return len(rows)


def last_run() -> dt.datetime | None:
    """When the aggregates were last computed (every run stamps the rows it writes with its start)."""
    return DailyFigure.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()


def covered_until() -> dt.date | None:
    """The last day the aggregates hold: the day before the last run (today is never aggregated)."""
    last = last_run()
    return timezone.localtime(last).date() - dt.timedelta(days=1) if last else None


def days_to_refresh(today: dt.date) -> list[dt.date]:
    """Days before today whose applications changed since the last run, and yesterday."""
    last = last_run()
    applications = ShareApplication.objects.filter(submitted_at__isnull=False, submitted_at__lt=bounds(today, today)[0])
    if last is not None:
        applications = applications.filter(updated_at__gte=last)
    local = TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())
    days = set(applications.annotate(d=local).values_list("d", flat=True).distinct().order_by())
    days.add(today - dt.timedelta(days=1))
    return sorted(days)


def refresh(*, today: dt.date | None = None) -> int:
    """What beat runs. The run's start stamps every row, so a change made while it runs is counted next time."""
    started = timezone.now()
    today = today or timezone.localdate()
    return sum(refresh_day(day, computed_at=started) for day in days_to_refresh(today))
