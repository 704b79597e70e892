"""`make install`'s apt step (scripts/apt_install.sh) waits for another package manager's lock and says so.

apt-get and dpkg are stand-ins on PATH: dpkg reports every package missing, and apt-get fails as the
real `apt-get update` does when the lock is held, or records how it was called.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "apt_install.sh"

APT_GET = f"""#!{sys.executable}
import fcntl, sys
with open({{lock!r}}, "w") as lock:
    try:
        fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.exit("E: Could not get lock")
with open({{calls!r}}, "a") as calls:
    calls.write(" ".join(sys.argv[1:]) + "\\n")
"""
HOLD = """
import fcntl, sys, time
lock = open(sys.argv[1], "w")
fcntl.lockf(lock, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def apt(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lock, calls = tmp_path / "lock-frontend", tmp_path / "calls"
    lock.touch()
    (bin_dir / "apt-get").write_text(APT_GET.format(lock=str(lock), calls=str(calls)))
    (bin_dir / "dpkg").write_text("#!/bin/sh\nexit 1\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)

    def run(*packages: str, timeout: int = 60) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "SUDO": "",
            "APT_LOCK_FILES": f"{tmp_path / 'absent'} {lock}",
            "APT_LOCK_TIMEOUT": str(timeout),
        }
        return subprocess.run(["bash", str(SCRIPT), *packages], env=env, capture_output=True, text=True, timeout=90)

    def hold(seconds: float) -> subprocess.Popen:
        holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE)
        assert holder.stdout.readline() == b"held\n"
        return holder

    run.hold, run.calls = hold, calls
    return run


def test_it_waits_for_the_lock_saying_so_then_installs(apt):
    holder = apt.hold(2)
    started = time.monotonic()
    result = apt("fonts-noto-cjk", "libharfbuzz-subset0")
    holder.wait()
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 1.5
    assert f"another package manager (process {holder.pid}, python" in result.stdout
    assert "waiting for it to finish (up to 60 s)" in result.stdout
    assert apt.calls.read_text().splitlines() == [
        "-o DPkg::Lock::Timeout=60 update -qq",
        "-o DPkg::Lock::Timeout=60 install -y -qq --no-install-recommends fonts-noto-cjk libharfbuzz-subset0",
    ]


def test_it_goes_straight_on_when_nobody_holds_the_lock(apt):
    result = apt("fonts-noto-cjk")
    assert result.returncode == 0, result.stderr
    assert "waiting" not in result.stdout
    assert len(apt.calls.read_text().splitlines()) == 2


def test_it_gives_up_waiting_after_the_timeout_and_apt_get_fails(apt):
    holder = apt.hold(10)
    try:
        result = apt("fonts-noto-cjk", timeout=1)
    finally:
        holder.kill()
    assert result.returncode != 0
    assert "still locked after 1 s; trying anyway" in result.stdout
    assert "Could not get lock" in result.stderr
    assert not apt.calls.exists()


def test_it_does_nothing_when_every_package_is_installed(apt, tmp_path):
    (tmp_path / "bin" / "dpkg").write_text("#!/bin/sh\nexit 0\n")
    result = apt("fonts-noto-cjk")
    assert result.returncode == 0 and result.stdout == ""
    assert not apt.calls.exists()
