"""The race harness: callables started at the same moment, each in its own thread and connection.

Race tests run on PostgreSQL with `@pytest.mark.django_db(transaction=True)`: each thread opens
its own database connection (Django's connections are per thread) and commits for real, so the
database's locks decide who wins. The harness closes each thread's connections when it ends, or
the test database could not be dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_concurrently(*callables: Callable[[], Any], timeout: float = 60.0) -> list[Any]:
    """Run the callables at once and return, in their order, what each returned or the exception it raised.

    All threads wait at a barrier first, so none starts its work before every thread is ready.
    A thread still running after `timeout` seconds (a deadlock) fails the test.
    """
    start = threading.Barrier(len(callables))
    outcomes: list[Any] = [None] * len(callables)

    def run(index: int, function: Callable[[], Any]) -> None:
        try:
            start.wait(timeout)
            outcomes[index] = function()
        except Exception as exc:  # returned to the test, which says what it expected
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, function)) for n, function in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} of {len(threads)} threads still running after {timeout}s"
    return outcomes


def in_own_connection(function: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Run `function` in a thread on its own autocommitting connection (outside the test's transaction)."""
    (outcome,) = run_concurrently(function, timeout=timeout)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def messages(outcomes: list[Any], *errors: type[Exception]) -> list[Any]:
    """The outcomes with each expected error replaced by its text; any other error is raised."""
    shown = []
    for outcome in outcomes:
        if isinstance(outcome, errors):
            shown.append(str(outcome))
        elif isinstance(outcome, Exception):
            raise outcome
        else:
            shown.append(outcome)
    return shown
