"""System checks. The calendar's is for the operator: `manage.py check` runs it (workflows' own `check`
command); the other commands, which run the system checks before they start, do not repeat it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core import checks
from django.utils import timezone

from workflows.workcalendar import MSG_MISSING_YEAR, MSG_MISSING_YEAR_HINT, missing_years

_FOR_THE_OPERATOR: ContextVar[bool] = ContextVar("calendar_check_for_the_operator", default=False)


@contextmanager
def for_the_operator() -> Iterator[None]:
    """Within it the system checks include the calendar's (what `manage.py check` runs them in)."""
    token = _FOR_THE_OPERATOR.set(True)
    try:
        yield
    finally:
        _FOR_THE_OPERATOR.reset(token)


@checks.register()
def check_official_calendar_years(app_configs, **kwargs):
    """Deadlines run up to a year ahead; warn for a year with no official calendar."""
    if not _FOR_THE_OPERATOR.get():
        return []
    return [
        checks.Warning(
            MSG_MISSING_YEAR.format(year=year), hint=MSG_MISSING_YEAR_HINT.format(year=year), id="workflows.W001"
        )
        for year in missing_years(timezone.localdate())
    ]
