"""What other apps add to the catalog's pages; each registers its own in its AppConfig.ready().

- register_resource_link(key, func): func(user, resource) returns a Link to offer on the entry's
  page (for example 申请共享), or None when the user has nothing to do there.
- register_withdrawal_warning(key, func): func(resource) returns what withdrawing the entry would
  also end, as a sentence for the withdraw form, or None when it ends nothing.

`key` names the contribution (the page's data-testid); registering a key again replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str


@dataclass(frozen=True)
class Warning:
    key: str
    message: str


_LINKS: dict[str, Callable[[Any, Any], Link | None]] = {}
_WITHDRAWAL_WARNINGS: dict[str, Callable[[Any], str | None]] = {}


def register_resource_link(key: str, func: Callable[[Any, Any], Link | None]) -> None:
    _LINKS[key] = func


def register_withdrawal_warning(key: str, func: Callable[[Any], str | None]) -> None:
    _WITHDRAWAL_WARNINGS[key] = func


def resource_links(user, resource) -> list[Link]:
    return [link for func in _LINKS.values() if (link := func(user, resource)) is not None]


def withdrawal_warnings(resource) -> list[Warning]:
    warnings = ((key, func(resource)) for key, func in _WITHDRAWAL_WARNINGS.items())
    return [Warning(key, message) for key, message in warnings if message]
