"""What a person is told when a share-application action is refused: the messages and the one exception."""

from __future__ import annotations

from requests.messages import MSG_ALREADY_DECIDED, MSG_NOT_AT_STEP, MSG_NOT_OPEN
from requests.models import DECIDED_STATES, OPEN_STATES, ShareApplication


class ApplicationError(Exception):
    """A share-application action is refused. `errors` maps form fields to messages ("" = the whole form)."""

    def __init__(self, message: str, *, field: str = "", stale: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, list[str]] = {field: [message]}
        self.stale = stale  # the step is no longer open: the page the user acted on is out of date

    @classmethod
    def from_errors(cls, errors: dict[str, list[str]]) -> ApplicationError:
        first_field = next(iter(errors))
        exc = cls(errors[first_field][0], field=first_field)
        exc.errors = errors
        return exc


def not_open(application: ShareApplication) -> ApplicationError:
    """The step acted on is not open (any more): decided meanwhile, or waiting at another step."""
    if application.state in OPEN_STATES:
        return ApplicationError(MSG_NOT_AT_STEP.format(state=application.get_state_display()), stale=True)
    if application.state in DECIDED_STATES:
        return ApplicationError(MSG_ALREADY_DECIDED.format(state=application.get_state_display()), stale=True)
    return ApplicationError(MSG_NOT_OPEN, stale=True)
