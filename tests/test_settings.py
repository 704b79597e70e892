import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run("manage.py", *args, **env)


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "project.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        DEBUG="0",
        SECRET_KEY="k3y-for-the-deploy-check-" + "x7Qz" * 12,
        ALLOWED_HOSTS="govshare.tonghua.gov.example",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "security.W" not in output, output


def test_production_refuses_to_start_without_a_secret():
    result = _manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_embedded_default_is_sqlite_in_chinese(settings):
    # pytest-django swaps the mail backend for locmem; read what settings.py chose.
    from project.settings import DATABASES as configured
    from project.settings import EMAIL_BACKEND as configured_email

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.AUTH_USER_MODEL == "organizations.User"
    if not os.environ.get("DATABASE_URL"):
        assert configured["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if not os.environ.get("CELERY_BROKER_URL"):
        assert settings.CELERY_BROKER_URL == "filesystem://"
    if not os.environ.get("EMAIL_HOST"):
        assert configured_email == "django.core.mail.backends.console.EmailBackend"


def test_the_embedded_broker_writes_atomically_and_polls_often_enough(tmp_path):
    """Our transport (tests/test_broker.py). Kombu's virtual transports sleep polling_interval whenever
    the worker is busy; at 1 s it ran 1–2 tasks a second."""
    probe = (
        "import django; django.setup()\n"
        "from project.celery import app\n"
        "with app.connection_for_read() as connection:\n"
        "    print(type(connection.transport).__module__, connection.transport.polling_interval)\n"
    )
    clean = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "project.settings", "GOVSHARE_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    module, interval = result.stdout.split()[-2:]
    assert module == "project.broker"
    assert float(interval) <= 0.1


def test_production_collects_static_files_and_serves_pages_with_them(tmp_path):
    """viewflow's CSS names fonts its wheel lacks; collectstatic must still write the manifest,
    without which every page using {% static %} fails with DEBUG off."""
    production = {
        "DJANGO_SETTINGS_MODULE": "tests.production_static_settings",
        "DEBUG": "0",
        "SECRET_KEY": "k3y-for-the-static-check-" + "x7Qz" * 12,
        "ALLOWED_HOSTS": "testserver",
        "GOVSHARE_VAR_DIR": str(tmp_path),
    }
    collected = _manage("collectstatic", "--noinput", **production)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()

    page = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/accounts/login/', secure=True)\n"
        "print(response.status_code)\n"
        "print(response.content.decode())\n"
    )
    rendered = _run("-c", page, **production)
    assert rendered.returncode == 0, rendered.stderr
    status, body = rendered.stdout.split("\n", 1)
    assert status == "200", rendered.stdout + rendered.stderr
    # The page links the hashed names the manifest lists.
    assert re.search(r"/static/viewflow/[^\"']+\.[0-9a-f]{12}\.css", body), body
