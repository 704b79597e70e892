"""A real Celery worker subprocess on Redis for the integration tests.

The worker reaches the test database through DATABASE_URL: the SQLite test
database is a file (settings TEST NAME under var/), and on PostgreSQL we pass
the test database's name. Tests using it need `django_db(transaction=True)`
so that what they write is committed and visible to the worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings

from project.celery import app
from tests.celery_worker import subprocess_database_url


def _own_database(url: str) -> str:
    """`url` moved on by the pytest-xdist worker's number (gw0 → /4, gw1 → /5, …).

    These tests flush their Redis database and their worker consumes the default queue: parallel
    test processes sharing one database would flush and consume each other's messages.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    base, _, db = url.rpartition("/")
    return f"{base}/{int(db or 0) + int(worker[2:])}"


REDIS_URL = _own_database(os.environ.get("GOVSHARE_NOTIFY_TEST_REDIS_URL", "redis://127.0.0.1:6379/4"))
# Nothing listens on port 1: a broker that is down.
DEAD_BROKER_URL = "redis://127.0.0.1:1/4"


def _point_producer_at(url: str, transport_options: dict) -> None:
    """Make this process's Celery app publish to `url`.

    Only the app's references are dropped: kombu keeps one global pool per
    broker URL, and closing it would break the next switch back.
    """
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.broker_write_url = url
    app.conf.broker_transport_options = transport_options


@contextmanager
def producer_broker(url: str) -> Iterator[None]:
    saved = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    _point_producer_at(url, {})
    try:
        yield
    finally:
        _point_producer_at(*saved)


def flush_redis() -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()


@contextmanager
def celery_worker(log_path: Path, *, concurrency: int = 1, **env_extra: str) -> Iterator[subprocess.Popen]:
    env = {
        **os.environ,
        # Not settings.SETTINGS_MODULE: under a test's overridden settings it reads None.
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": subprocess_database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        **env_extra,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "project", "worker",
        "--pool=prefork", f"--concurrency={concurrency}", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"notify-test-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(condition: Callable[[], bool], *, timeout: float, log_path: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    log = log_path.read_text(errors="replace")[-4000:] if log_path else ""
    raise AssertionError(f"condition not met within {timeout}s\n--- worker log ---\n{log}")
