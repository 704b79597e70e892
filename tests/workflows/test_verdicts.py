"""Every command that gives a `BROKEN:` verdict prints it on standard output and exits 1 (README)."""

import importlib
import inspect
import io

import pytest
from django.core.management import ManagementUtility, get_commands, load_command_class

from workflows.management.verdict import VerdictCommand

PROJECT_APPS = ("organizations", "workflows", "notifications", "pdf_templates", "catalog", "requests")


def _commands_giving_a_broken_verdict() -> list[str]:
    """The project's management commands whose source says `BROKEN:`, found rather than listed."""
    found = []
    for name, app in get_commands().items():
        if app.split(".")[0] in PROJECT_APPS:
            module = importlib.import_module(f"{app}.management.commands.{name}")
            if "BROKEN:" in inspect.getsource(module):
                found.append(name)
    return sorted(found)


BROKEN_COMMANDS = _commands_giving_a_broken_verdict()


def test_the_commands_giving_a_broken_verdict_are_found():
    assert {"verify_audit", "verify_flows"} <= set(BROKEN_COMMANDS)


@pytest.mark.parametrize("name", BROKEN_COMMANDS)
def test_every_command_giving_a_broken_verdict_is_a_verdict_command(name):
    assert isinstance(load_command_class(get_commands()[name], name), VerdictCommand)


def _run(monkeypatch, capsys, *argv: str) -> tuple[int, str, str]:
    """manage.py <argv> in this process, as from a shell: (exit code, stdout, stderr). The system checks are
    skipped: their warnings (a calendar year the package lacks) would go to stderr too."""
    # run_from_argv closes every connection when done, which would end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", *argv, "--skip-checks"]).execute()
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_verify_audit_prints_broken_on_stdout_and_exits_1_from_the_command_line(db, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, "verify_audit")  # an empty chain
    assert code == 1
    assert out.startswith("BROKEN: 审计链为空") and out.count("\n") == 1
    assert err == ""


def test_verify_flows_prints_broken_on_stdout_and_exits_1_from_the_command_line(db, monkeypatch, capsys):
    from workflows import flowtasks

    monkeypatch.setattr(flowtasks, "disagreements", lambda flow_class: iter(["共享申请 #1：状态为 granted，…"]))
    monkeypatch.setattr("workflows.management.commands.verify_flows.disagreements", flowtasks.disagreements)
    code, out, err = _run(monkeypatch, capsys, "verify_flows")
    assert code == 1
    lines = out.splitlines()
    assert lines[-1].startswith("BROKEN: ") and "共享申请 #1" in out
    assert err == ""


def test_a_usage_error_stays_on_stderr_with_exit_2(db, monkeypatch, capsys):
    code, out, err = _run(monkeypatch, capsys, "verify_audit", "--anchor", "nothex")
    assert code == 2
    assert out == "" and err.startswith("CommandError: --anchor 格式不对")


def test_ok_is_printed_on_stdout_with_exit_0(db, monkeypatch, capsys):
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    ManagementUtility(["manage.py", "verify_audit", "--allow-empty", "--skip-checks"]).execute()
    out, err = capsys.readouterr()
    assert out == "OK: 已核验审计事件 0 条，哈希链完整\n" and err == ""


def test_through_call_command_the_verdict_is_also_raised(db):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", stdout=out)
    assert error.value.returncode == 1 and out.getvalue() == str(error.value) + "\n"
