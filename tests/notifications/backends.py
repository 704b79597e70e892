"""Email backends for the tests; a worker subprocess imports them by dotted path."""

import os
import signal
import smtplib
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class DieOnceFileBackend(FileBackend):
    """The first send kills the worker process before anything is delivered; later sends write files."""

    def send_messages(self, email_messages):
        marker = Path(os.environ["NOTIFY_TEST_DIE_MARKER"])
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return super().send_messages(email_messages)


class DisconnectedBackend(BaseEmailBackend):
    """A mail server that is down: a transient error."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient: a permanent error."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@gov.example": (550, b"No such user")})
