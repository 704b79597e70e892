"""B4N: queue and deliver 10,000 notifications through the outbox with two Celery workers on Redis.

The decisions write 10,000 in-app notifications and outbox rows (100 notify()
calls of 100 recipients, each in its own transaction); two worker processes
send them to the console backend. Every email carries its outbox id in a
header, so the workers' output shows whether any was sent twice.

    BENCH_NOTIFY_COUNT (10000; 500 in smoke mode), BENCH_NOTIFY_TIMEOUT seconds (300; 120 in smoke mode),
    BENCH_REDIS_URL (redis://127.0.0.1:6379/4, flushed first).

It fails (raises) when an email is sent twice, or when in smoke mode not every email is delivered
within the timeout; in a full run the delivered count is reported as measured.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.harness import SMOKE, bench_database, department, setup_django, sized

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
COUNT = int(os.environ.get("BENCH_NOTIFY_COUNT", sized("10000", "500")))
TIMEOUT = float(os.environ.get("BENCH_NOTIFY_TIMEOUT", sized("300", "120")))
RECIPIENTS = 100
WORKERS = 2
HEADER = re.compile(rb"X-Govshare-Outbox-Id: (\d+)")


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _publish_to(url: str) -> None:
    """Point this process's Celery producer at `url` (the embedded default is the filesystem broker)."""
    from project.celery import app

    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.broker_write_url = url
    app.conf.broker_transport_options = {}
    app.conf.task_always_eager = False


def _start_workers(logs: list[Path]) -> list[subprocess.Popen]:
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "EMAIL_HOST": "",
    }
    workers = []
    for n, log in enumerate(logs):
        command = [
            sys.executable, "-m", "celery", "-A", "project", "worker", "--pool=prefork", "--concurrency=1",
            "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", f"bench-notify-{n}@%h",
        ]  # fmt: skip
        workers.append(
            subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        )
    return workers


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run() -> str:
    import redis
    from django.db import connection, transaction

    from notifications.models import Notification, OutboundEmail
    from notifications.services import notify
    from organizations.models import User

    redis.Redis.from_url(REDIS_URL).flushdb()
    _publish_to(REDIS_URL)
    notified = department("BENCH-NOTIFY", "基准测试通知局", short_name="基准通知")
    users = [
        User.objects.get_or_create(
            username=f"bench-notify-{n}", defaults={"email": f"bench{n}@gov.example", "department": notified}
        )[0]
        for n in range(RECIPIENTS)
    ]
    # Earlier benchmarks in the same database (B1) leave notifications and emails of their own.
    notifications_before = Notification.objects.count()
    sent_before = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()
    with tempfile.TemporaryDirectory(prefix="b_notify-") as tmp:
        logs = [Path(tmp) / f"worker{n}.log" for n in range(WORKERS)]
        workers = _start_workers(logs)
        try:
            started = time.perf_counter()
            for batch in range(COUNT // RECIPIENTS):
                with transaction.atomic():
                    notify(recipients=users, event="test", subject=notified, context={"message": f"第{batch}批"})
            queued_s = time.perf_counter() - started
            sent = 0
            while time.perf_counter() - started < TIMEOUT:
                sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() - sent_before
                if sent >= COUNT:
                    break
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
        finally:
            _stop(workers)
        seen = Counter(int(m) for log in logs for m in HEADER.findall(log.read_bytes()))
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    if duplicates or (SMOKE and sent < COUNT):
        raise RuntimeError(f"B4N: {sent} of {COUNT} emails delivered in {TIMEOUT:.0f} s, {duplicates} sent twice")
    notifications = Notification.objects.count() - notifications_before
    return (
        f"B4N notifications db={connection.vendor} workers={WORKERS} queued={notifications} "
        f"delivered={sent} printed={len(seen)} duplicates={duplicates} queue_s={queued_s:.1f} "
        f"total_s={elapsed:.1f} per_s={sent / elapsed:.0f}"
    )


if __name__ == "__main__":
    setup_django()
    with bench_database():
        print(run())
