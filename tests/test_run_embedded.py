"""`make run`'s stack (scripts/run_embedded.sh): Ctrl-C stops the web server, the worker and beat, with
every process they started, within 10 seconds.

The script runs as `make run` runs it, on a free port, against a database and broker folders of its own
under a temporary var/ (nothing is migrated), with tests/run_embedded_settings.py: the project's settings
plus a task that sleeps, queued before the start, so the worker is busy when Ctrl-C comes (a warm shutdown
would wait for it to finish).
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 90  # three Django processes starting on a busy machine
STOP_SECONDS = 10
TASK = "tests.run_embedded_tasks.sleep"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _state(pid: int) -> str | None:
    """The process's state letter, or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _running(pid: int) -> bool:
    return _state(pid) not in (None, "Z", "X")  # an exited process not yet reaped is no longer running


def _descendants(root: int) -> dict[int, str]:
    """Every process below root (through setsid too: sessions do not change the parent), with its command."""
    parents, commands = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = commands[pid]
                frontier.append(pid)
    return found


@pytest.fixture
def stack(tmp_path):
    """Start the stack in a process group of its own, as a terminal's foreground job is."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER")
    }
    env.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="tests.run_embedded_settings",
        GOVSHARE_VAR_DIR=str(tmp_path / "var"),
        GOVSHARE_ADDR=f"127.0.0.1:{port}",
    )
    _queue(TASK, 300, broker=tmp_path / "var" / "celery")
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/run_embedded.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Ctrl-C must reach it even where the test runner ignores SIGINT (ignored signals are inherited).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    started = {}
    try:
        yield process, port, log, started
    finally:
        # Whatever is left, also when the stack did not start: the services run in sessions of their own.
        for pid in [*_descendants(process.pid), *started, process.pid]:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)


def _queue(task: str, *args, broker: Path) -> None:
    """Send a task to the filesystem broker under broker/, as project/settings.py lays it out."""
    for folder in ("queue", "processed", "control"):
        (broker / folder).mkdir(parents=True, exist_ok=True)
    app = Celery(broker="filesystem://", set_as_current=False)
    app.conf.broker_transport_options = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
    }
    # Named here: a CELERY_BROKER_URL in the environment (a PostgreSQL + Redis run) wins over the app's broker.
    with app.connection_for_write("filesystem://") as connection:
        app.send_task(task, args=args, connection=connection)


def _wait_until_served(process, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        with socket.socket() as s:
            web = s.connect_ex(("127.0.0.1", port)) == 0
        if web and f"Task {TASK}[" in text and "beat: Starting" in text:
            return
        assert process.poll() is None, text[-3000:]
        time.sleep(0.5)
    raise AssertionError("the stack did not start:\n" + log.read_text(errors="replace")[-3000:])


def test_ctrl_c_stops_the_web_server_worker_and_beat_within_ten_seconds(stack):
    process, port, log, started = stack
    _wait_until_served(process, port, log)
    started.update(_descendants(process.pid))
    commands = " | ".join(started.values())
    assert "runserver" in commands and " worker " in commands and " beat " in commands, commands
    assert len(started) >= 5, commands  # the dev server's reloaded child and the worker's pool too

    os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    signalled = time.monotonic()
    while time.monotonic() - signalled < STOP_SECONDS:
        if process.poll() is not None and not any(_running(pid) for pid in started):
            break
        time.sleep(0.1)
    elapsed = time.monotonic() - signalled
    left = {pid: command for pid, command in started.items() if _running(pid)}
    assert not left and process.poll() is not None, f"still running after {elapsed:.1f} s: {left}"
    assert process.returncode == 130
    assert "govshare: stopping the web server, worker and beat" in log.read_text(errors="replace")
