"""What every command and request prints: the calendar warning only where an operator acts on it (`manage.py
check`, the admin's 工作日历调整, the bureau's 工作台), no pyHanko DSA warning, and a refused request in one
log line."""

import contextlib
import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from project.logfilters import RefusalsInOneLine
from tests.factories import UserFactory
from workflows.workcalendar import MSG_MISSING_YEAR, missing_years

ROOT = Path(__file__).resolve().parent.parent.parent
CALENDAR_2027 = MSG_MISSING_YEAR.format(year=2027)

# manage.py, with the official calendar knowing no year at all (so the calendar warning is due whatever the
# date and the chinesecalendar version), and saying at the end whether pyHanko was imported.
MANAGE = """
import sys
from unittest import mock

import workflows.workcalendar

with mock.patch.object(workflows.workcalendar, "official_calendar_knows", lambda year: False):
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *sys.argv[1:]])
print("pyhanko imported:", "pyhanko.sign.signers.pdf_cms" in sys.modules)
"""


def _manage(tmp_path: Path, *args: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONWARNINGS")},
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "GOVSHARE_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "-c", MANAGE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_a_command_prints_neither_the_calendar_nor_the_dsa_warning(tmp_path):
    output = _manage(tmp_path, "migrate", "--plan")  # runs the system checks first, as most commands do
    assert "pyhanko imported: True" in output  # so the DSA warning would have been printed
    assert "DSA" not in output and "Warning" not in output, output
    assert "workflows.W001" not in output and "放假安排" not in output, output


def test_manage_py_check_shows_the_calendar_warning(tmp_path):
    output = _manage(tmp_path, "check")
    assert "(workflows.W001) chinese-calendar 没有" in output
    assert "DSA" not in output


@pytest.mark.django_db
@time_machine.travel("2026-11-21 09:00 +0800")
def test_the_admin_s_calendar_page_names_the_missing_year(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:workflows_calendaroverride_changelist")).content.decode()
    assert f'data-testid="calendar-notice">{CALENDAR_2027}<' in page


@pytest.mark.django_db
@time_machine.travel("2025-03-01 09:00 +0800")
def test_the_admin_s_calendar_page_is_quiet_while_the_calendar_is_known(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "calendar-notice" not in client.get(reverse("admin:workflows_calendaroverride_changelist")).content.decode()


@time_machine.travel("2026-11-21 09:00 +0800")
def test_the_bureau_s_home_names_the_missing_year_and_others_do_not_see_it(client, coordinator, gongan_applicant):
    assert missing_years() == [2027]
    client.force_login(coordinator)
    assert CALENDAR_2027 in client.get("/home/").content.decode()
    client.force_login(gongan_applicant)
    assert "calendar-notice" not in client.get("/home/").content.decode()


@contextlib.contextmanager
def terminal_log() -> Iterator[io.StringIO]:
    """What the configured log handlers write meanwhile, as a terminal shows it."""
    out = io.StringIO()
    loggers = [logging.getLogger(name) for name in ("", "django", "django.request")]
    handlers = {h for logger in loggers for h in logger.handlers if type(h) is logging.StreamHandler}
    assert handlers  # the root's console handler, from settings.LOGGING
    streams = {handler: handler.setStream(out) for handler in handlers}
    try:
        yield out
    finally:
        for handler, stream in streams.items():
            handler.setStream(stream)


@pytest.fixture
def applicant_client(client, gongan_applicant, settings):
    settings.DEBUG = True  # Django's own console handler writes only then
    client.force_login(gongan_applicant)
    return client


def test_a_403_is_logged_in_one_line(applicant_client):
    with terminal_log() as out:
        assert applicant_client.get(reverse("share_requests:overdue")).status_code == 403
    assert out.getvalue().splitlines() == ["Forbidden (Permission denied): /share_requests/overdue/"]


def test_a_404_is_logged_in_one_line(applicant_client):
    with terminal_log() as out:
        assert applicant_client.get(reverse("share_requests:detail", args=[999999])).status_code == 404
    assert out.getvalue().splitlines() == ["Not Found: /share_requests/999999/"]


def _record(status_code: int) -> logging.LogRecord:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request", logging.ERROR, __file__, 1, "x", (), sys.exc_info(), extra={"status_code": status_code}
        )
    return record


def test_a_server_error_keeps_its_traceback():
    kept, dropped = _record(500), _record(403)
    assert RefusalsInOneLine().filter(kept) and RefusalsInOneLine().filter(dropped)
    assert kept.exc_info is not None and dropped.exc_info is None
