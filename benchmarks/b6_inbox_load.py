"""B6: the reviewer's inbox page (待办) under load, behind gunicorn as in production.

The same server and load generator as B10 (benchmarks.server: 2 sync workers, loopback, concurrency 8
for BENCH_LOAD_SECONDS, 10 by default), a logged-in session cookie, and B2's world at its small size
(1,000 open of 10,000 tasks; in `make bench` B2 has run before and left its full size, whose first
page the partial index keeps as cheap).

Target: at least 150 requests per second.
"""

from __future__ import annotations

from benchmarks import harness
from benchmarks.harness import bench_database, setup_django
from benchmarks.server import gunicorn, load, seconds_per_load

TARGET_PER_SECOND = 150
CONCURRENCY = 8


def run() -> str:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from benchmarks.b2_inbox import SMALL, World

    world = World()
    world.grow(*SMALL)  # B2's small world (smaller in smoke mode: harness.sized there)
    client = Client()
    client.force_login(world.reviewer)  # a session row in the bench database, which the server reads
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    url = reverse("share_requests:tasks")
    seconds = seconds_per_load()
    with gunicorn() as port:
        load(port, url, headers={"Cookie": cookie}, seconds=harness.sized(1, 0.5), concurrency=CONCURRENCY)  # warm
        inbox = load(port, url, headers={"Cookie": cookie}, seconds=seconds, concurrency=CONCURRENCY)
    ok = inbox.per_second >= TARGET_PER_SECOND and not inbox.failures
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return (
        f"B6 inbox req_per_s={inbox.per_second:.0f} p99_ms={inbox.percentile_ms(99):.1f} "
        f"target>={TARGET_PER_SECOND} {'ok' if ok else 'MISSED'} (p50_ms={inbox.median_ms:.1f}, "
        f"failures={inbox.failures}, {vendor}, concurrency {CONCURRENCY}, {seconds:.0f} s)"
    )


if __name__ == "__main__":
    setup_django()
    with bench_database():
        print(run())
