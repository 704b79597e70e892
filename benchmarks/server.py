"""B6 and B10's plumbing: gunicorn serving the bench database, and a load generator (threads + http.client).

The server is production-shaped: 2 sync workers on loopback, DEBUG off, the settings' persistent
database connections, Redis as the cache when CACHE_URL is set. The load generator is plain http.client
(not the PyPI `requests` library, which our `requests` app shadows), `concurrency` threads each sending
one request after the other for `seconds`. Everything is bounded in time; the server is killed at the end.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from benchmarks import harness

STARTUP_TIMEOUT = 60
REQUEST_TIMEOUT = 10


def database_url() -> str:
    """The URL of the database this process uses (the bench's throwaway one), for the server's workers."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[int]:
    """Start gunicorn on a free loopback port; yield the port once it answers; kill it (and its workers) after."""
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.serve_settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "1",  # the dev SECRET_KEY, as the bench process; serve_settings turns DEBUG off
        **(env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "project.wsgi", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "30", "--log-level", "warning"]
    server = subprocess.Popen(command, env=environment, start_new_session=True)
    try:
        _wait_until_up(port, server)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/trivial.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT}s")


@dataclass
class Load:
    requests: int
    failures: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000


def load(port: int, path: str, *, headers: dict[str, str], seconds: float, concurrency: int = 8) -> Load:
    """`concurrency` clients sending GET `path` one after the other for `seconds`; any non-200 counts as a failure."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures = [0] * concurrency
    start = threading.Barrier(concurrency + 1)
    stop_at = [0.0]

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        start.wait(STARTUP_TIMEOUT)
        while time.monotonic() < stop_at[0]:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            latencies[n].append(time.perf_counter() - began)
            failures[n] += not ok
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait(STARTUP_TIMEOUT)
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - began
    samples = [s for per in latencies for s in per]
    return Load(len(samples), sum(failures), elapsed, samples)


def seconds_per_load() -> float:
    """BENCH_LOAD_SECONDS, else 10 s, 2 s in smoke mode (harness.sized)."""
    return float(os.environ.get("BENCH_LOAD_SECONDS") or harness.sized(10, 2))
