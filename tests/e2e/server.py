"""The app served for real to the browser tests: a fresh SQLite database in a folder of its own, migrated, the
demo city loaded (`manage.py load_demo`) with what the journeys add (tests/e2e/world.py), then Django's server
on a free loopback port, in processes of their own with the project's settings (not the tests').

Celery runs eagerly in the server (CELERY_TASK_ALWAYS_EAGER): a decision's record is rendered by the task a
worker would run, after the decision commits and before the page answers, so a journey downloads a real PDF
without waiting for a worker. The demo's own records were queued on the folder's filesystem broker, which no
worker reads: they show 生成中, as they do in `make run` before its worker catches up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# Settings of the machine or of the test run that must not reach the server: it keeps everything in its folder.
NOT_INHERITED = (
    "DATABASE_URL",
    "CACHE_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "PYTEST_XDIST_WORKER",
    "GOVSHARE_TEST_VAR_WORKER",
)
STARTUP_SECONDS = 60


@dataclass
class Server:
    url: str
    folder: Path
    process: subprocess.Popen

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(folder: Path) -> Server:
    """Prepare the database in `folder` and serve it; raises when any step fails, with its output."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _environment(folder, url)
    _manage(env, folder, "migrate", "--noinput", "-v", "0")
    _manage(env, folder, "load_demo")
    _manage(env, folder, "shell", "-c", "from tests.e2e import world; world.build()")
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env={**env, "CELERY_TASK_ALWAYS_EAGER": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(url=url, folder=folder, process=process)
    _wait_until_serving(server)
    return server


def _environment(folder: Path, url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DEBUG="1",
        GOVSHARE_VAR_DIR=str(folder),
        CELERY_BROKER_URL="filesystem://",
        SITE_URL=url,  # the records' QR codes and verification links point here
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env: dict[str, str], folder: Path, *args: str) -> None:
    with (folder / "setup.log").open("ab") as log:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    if done.returncode:
        tail = "\n".join((folder / "setup.log").read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"manage.py {args[0]} failed (exit {done.returncode}):\n{tail}")


def _wait_until_serving(server: Server) -> None:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy of the machine
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {server.process.returncode}):\n{server.log_tail()}")
        try:
            with direct.open(f"{server.url}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"the server did not answer within {STARTUP_SECONDS} s:\n{server.log_tail()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
