"""Logging filters named in settings.LOGGING."""

import logging


class RefusalsInOneLine(logging.Filter):
    """A refused request (a 4xx: PermissionDenied's 403, a 404, a bad request) is the client's doing, and
    Django logs it with the traceback of the exception that refused it. Keep the line, drop the traceback;
    a server error (5xx) keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
