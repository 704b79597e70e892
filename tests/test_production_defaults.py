"""Without any environment the settings are production's: DEBUG off, and no start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY[:8], settings.SESSION_COOKIE_SECURE)"
)


def _settings(**env: str) -> subprocess.CompletedProcess:
    bare = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**bare, "DJANGO_SETTINGS_MODULE": "project.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_no_environment_the_settings_refuse_to_load_without_a_secret():
    result = _settings()
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_a_secret_alone_gives_debug_off_and_the_production_hardening():
    result = _settings(SECRET_KEY="k3y-for-the-defaults-test-" + "x7Qz" * 12)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "k3y-for-", "True"]


def test_development_asks_for_debug_and_gets_the_dev_key():
    result = _settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "dev-only", "False"]
