"""The lock files (scripts/lock.sh) pin what `make install` installs: they must agree with the ranges
in requirements*.txt, carry hashes, and pin no PyPI `requests` (our `requests/` app shadows it)."""

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _pins(lock: str) -> dict[str, str]:
    return {
        canonicalize_name(match[1]): match[2]
        for line in (ROOT / lock).read_text().splitlines()
        if (match := PIN.match(line))
    }


def _ranges(requirements: str) -> list[Requirement]:
    lines = (re.sub(r"#.*", "", line).strip() for line in (ROOT / requirements).read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_the_lock_pins_every_requirement_inside_its_range(requirements, lock):
    pins = _pins(lock)
    outside = {
        str(requirement): pins.get(canonicalize_name(requirement.name))
        for requirement in _ranges(requirements)
        if not requirement.specifier.contains(pins.get(canonicalize_name(requirement.name), "0.dev0"), prereleases=True)
    }
    assert outside == {}, f"{lock} is stale: run `make lock`"


def test_the_dev_lock_pins_the_runtime_as_the_runtime_lock_does():
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert {"django", "celery", "redis", "holidays", "kombu"} <= set(runtime)  # extras resolved too (celery[redis])
    assert {"pytest", "pytest-xdist", "mypy", "django-stubs"} <= set(dev) - set(runtime)


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_has_hashes_and_requests_is_not_among_them(lock):
    text = (ROOT / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    assert len(blocks) == len(_pins(lock)) > 60
    assert [block.split()[0] for block in blocks if "--hash=sha256:" not in block] == []
    assert "requests" not in _pins(lock)
    assert "file://" not in text and "/tmp/" not in text  # nothing of the machine that compiled it
