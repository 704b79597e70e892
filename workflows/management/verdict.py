"""Checking commands (verify_audit, verify_flows): their verdict is their output.

`OK: …` or `BROKEN: …` is the command's result and goes to standard output, as README.md says; a
BROKEN verdict also exits 1. Raise `Broken(message)`: from the command line the line is printed on
standard output (not Django's `CommandError: …` on standard error) and the process exits 1; through
`call_command` it is written to the command's stdout too and then raised, so callers and tests see
the exception with `returncode == 1`. Usage errors stay plain `CommandError`s (standard error, exit 2).
"""

from django.core.management.base import BaseCommand, CommandError


class Broken(CommandError):
    """The check found damage (exit code 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=1)


class VerdictCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except Broken as broken:
            self.stdout.write(str(broken))
            if getattr(self, "_called_from_command_line", False):
                raise SystemExit(broken.returncode) from None
            raise
