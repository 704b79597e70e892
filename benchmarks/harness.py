"""Shared benchmark plumbing: a throwaway database, shared fixtures, smoke mode and robust statistics.

Conventions for every module `benchmarks/b*.py` (python -m benchmarks runs them all, in one database):

- `run() -> str` returns the benchmark's one line, starting with its name (`B3 …`).
- Smoke mode: `python -m benchmarks --smoke` or `BENCH_SMOKE=1` (CI runs it on PostgreSQL after the tests).
  A module takes every size, round count and duration through `sized(full, smoke)` (or reads `SMOKE`) so
  that the whole set runs in a minute or two; the line is marked as a smoke run and its targets are not
  judged there. A benchmark must still fail (raise) when what it measures does not work, in both modes:
  `python -m benchmarks` exits 1 when any benchmark raised, never for a missed target.
- Shared rows: departments through `department(code, name, …)` (get_or_create by the unique code; each
  benchmark its own code and name), users through get_or_create by a username prefixed with the
  benchmark's name, so benchmarks run in any order and any subset.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import django

T = TypeVar("T")

# Set before the benchmark modules are imported (benchmarks.__main__ also exports it for child processes).
SMOKE = "--smoke" in sys.argv[1:] or os.environ.get("BENCH_SMOKE", "") not in ("", "0")
SMOKE_NOTE = "smoke=1 (small sizes; targets not judged)"


def sized(full: T, smoke: T) -> T:
    """`smoke` in smoke mode, else `full`: every size, round count and duration goes through here."""
    return smoke if SMOKE else full


def marked(line: str) -> str:
    """A benchmark's line, marked when it ran in smoke mode."""
    return f"{line} {SMOKE_NOTE}" if SMOKE else line


def department(code: str, name: str, *, short_name: str = "", seal_text: str = ""):
    """The benchmark department with this code, created once. Codes and names are unique in the schema:
    a name already used under another code is a benchmark bug, said plainly (not a DoesNotExist)."""
    from organizations.models import Department

    taken = Department.objects.filter(name=name).exclude(code=code).values_list("code", flat=True).first()
    if taken is not None:
        raise RuntimeError(f"benchmark department {code}: the name {name} is already used by {taken}")
    return Department.objects.get_or_create(
        code=code, defaults={"name": name, "short_name": short_name or code[:16], "seal_text": seal_text or name}
    )[0]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    django.setup()


@contextlib.contextmanager
def bench_database() -> Iterator[None]:
    """A fresh test database (SQLite file or PostgreSQL, per DATABASE_URL), dropped afterwards."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
