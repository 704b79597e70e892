"""The commands the README shows, read from its text, and a replay of them against a loaded demo.

tests/test_readme.py checks that every `manage.py` command it names exists and takes the arguments it is
shown with, and that every `make` target exists; tests/requests/test_demo.py replays the shell blocks a
newcomer runs against the demo (all but "Running in production"): `manage.py` lines with call_command and
`curl` lines with Django's test Client, each answer checked.
"""

from __future__ import annotations

import io
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.core.management import BaseCommand, call_command, get_commands, load_command_class
from django.test import Client

README = Path(__file__).resolve().parent.parent / "README.md"
# Its commands need a production environment (DEBUG off, PostgreSQL, a superuser typed in); they are
# only checked to exist and to parse.
NOT_REPLAYED = {"Running in production"}
# A placeholder in a later command and the command whose standard output fills it.
PLACEHOLDERS = {"<token>": "issue_api_token"}

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
_HEADING = re.compile(r"^#{2,3} (.+)$", re.M)
_SPAN = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class ShellLine:
    section: str  # the README heading above it
    text: str  # one command: continuation lines joined

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.text, comments=True)


def shell_lines(text: str) -> list[ShellLine]:
    """Every command of every ```sh block, in order."""
    headings = [(m.start(), m.group(1).strip()) for m in _HEADING.finditer(text)]
    lines = []
    for block in _FENCE.finditer(text):
        if block.group(1) != "sh":
            continue
        section = next((title for start, title in reversed(headings) if start < block.start()), "")
        joined = re.sub(r"\\\n\s*", " ", block.group(2))
        lines += [ShellLine(section, line.strip()) for line in joined.splitlines() if line.strip()]
    return lines


def after_manage(argv: list[str]) -> list[str] | None:
    """What follows `manage.py` in a command line (the command's name and arguments), or None."""
    where = next((i for i, word in enumerate(argv) if word.endswith("manage.py")), None)
    return None if where is None else argv[where + 1 :]


def manage_argvs(text: str) -> list[list[str]]:
    """The name and arguments of every `manage.py` command shown: in blocks, or in `inline code` with
    `manage.py` or starting with a command's name (`verify_audit --anchor …`)."""
    shown = [after_manage(line.argv) for line in shell_lines(text)]
    for span in _SPAN.findall(_FENCE.sub("", text)):
        first = (span.split() or [""])[0]
        if "manage.py " in span or first in get_commands():
            argv = shlex.split(span)
            shown.append(after_manage(argv) or argv)
    return [argv for argv in shown if argv]


def make_targets(text: str) -> list[str]:
    """The targets of every `make` command shown (the VAR=value arguments left out)."""
    shown = [line.argv for line in shell_lines(text)]
    shown += [span.split() for span in _SPAN.findall(_FENCE.sub("", text)) if span.startswith("make ")]
    return [word for argv in shown if argv[0] == "make" for word in argv[1:] if "=" not in word]


def command(name: str) -> BaseCommand:
    app = get_commands()[name]
    return app if isinstance(app, BaseCommand) else load_command_class(app, name)


@dataclass
class Replay:
    """What each replayed command answered."""

    outputs: dict[str, str] = field(default_factory=dict)  # command name → its standard output
    answers: list[dict] = field(default_factory=list)  # the JSON of each curl call


def replay(text: str, *, client: Client | None = None) -> Replay:
    """Run the README's shell commands outside NOT_REPLAYED; an AssertionError says which one failed."""
    result = Replay()
    client = client or Client()
    for line in shell_lines(text):
        if line.section in NOT_REPLAYED:
            continue
        argv = line.argv
        for placeholder, source in PLACEHOLDERS.items():
            argv = [word.replace(placeholder, result.outputs.get(source, placeholder)) for word in argv]
        if argv[0] == "make":
            continue  # installs and serves; tests/test_readme.py checks the targets exist
        if after_manage(argv):
            name, *args = after_manage(argv)
            out = io.StringIO()
            call_command(name, *args, stdout=out, stderr=io.StringIO())
            result.outputs[name] = out.getvalue().strip()
        elif argv[0] == "curl":
            result.answers.append(_curl(argv, client, line.text))
        else:
            raise AssertionError(f"README 中的命令无法在测试中重放：{line.text}")
    return result


def _curl(argv: list[str], client: Client, shown: str) -> dict:
    """One curl call through the test Client; only the options the README uses are understood."""
    url, method, headers, pairs = "", "", {}, []
    words = iter(argv[1:])
    for word in words:
        if word == "-G":
            method = "GET"
        elif word == "-H":
            name, _, value = next(words).partition(":")
            headers[name.strip()] = value.strip()
        elif word in ("--data-urlencode", "-d", "--data"):
            pairs.append(tuple(next(words).split("=", 1)))
        elif word == "-X":
            method = next(words)
        elif word.startswith("http"):
            url = word
        else:
            raise AssertionError(f"README 的 curl 用了重放不认识的选项 {word}：{shown}")
    parts = urlsplit(url)
    method = method or ("POST" if pairs else "GET")
    headers["host"] = parts.netloc
    if method == "GET":
        response = client.get(parts.path, dict(parse_qsl(parts.query) + pairs), headers=headers)
    else:
        body = urlencode(pairs)
        response = client.generic(method, url, body, "application/x-www-form-urlencoded", headers=headers)
    assert response.status_code == 200, f"{shown}\n→ {response.status_code} {response.content[:500]!r}"
    answer = response.json()
    # The README shows a call the grant check lets through.
    assert answer.get("allowed", True) is True, f"{shown}\n→ {answer}"
    return answer
