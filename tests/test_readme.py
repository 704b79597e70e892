"""The README's commands exist and take the arguments they are shown with; tests/requests/test_demo.py
runs the ones a newcomer types against the loaded demo (tests/readme_commands.py)."""

import re

import pytest
from django.core.management import CommandError

from tests import readme_commands
from tests.readme_commands import README, command, make_targets, manage_argvs, shell_lines

TEXT = README.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv", manage_argvs(TEXT), ids=" ".join)
def test_every_manage_py_command_shown_exists_and_parses(argv):
    name, *args = argv
    command(name).create_parser("manage.py", name).parse_args(args)


def test_it_finds_the_commands_in_blocks_and_in_inline_code():
    names = {argv[0] for argv in manage_argvs(TEXT)}
    assert {"issue_api_token", "verify_audit", "verify_trail", "check", "load_demo"} <= names


def test_a_command_that_does_not_parse_is_caught():
    text = "Run `manage.py verify_audit --no-such-option`.\n"
    ((name, *args),) = manage_argvs(text)
    with pytest.raises(CommandError):
        command(name).create_parser("manage.py", name).parse_args(args)


def test_every_make_target_shown_exists():
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([\w.-]+):", makefile, re.M))
    shown = set(make_targets(TEXT))
    assert {"run", "test"} <= shown
    assert shown <= defined, shown - defined


def test_the_replayed_blocks_hold_only_commands_the_replay_runs():
    replayed = [line for line in shell_lines(TEXT) if line.section not in readme_commands.NOT_REPLAYED]
    assert any(line.argv[0] == "curl" for line in replayed)
    for line in replayed:
        argv = line.argv
        assert argv[0] in ("make", "curl") or readme_commands.after_manage(argv), line.text
