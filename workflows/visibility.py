"""Who may see a subject: one answer per subject type, for its page and for every download about it.

A subject is anything records are issued about or audit events are written on (a share application, a
grant, a catalog entry, a department). The app that owns the subject's pages registers, in its
`AppConfig.ready()`, the very function its pages decide with:

    visibility.register(ShareApplication, permissions.can_view)

Every download that takes a subject (the trail ZIP of records and events, a record's PDF, an attachment)
asks `can_view(user, subject)` and answers 404 when it says no, so a user who cannot open the page cannot
download what it holds either. A subject type nobody registered is visible to no one: a new app's subjects
are closed until it says who may see them (tests/requests/test_download_visibility.py walks them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

Rule = Callable[[Any, Any], bool]

_RULES: dict[str, Rule] = {}


def _label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def register(model: type[models.Model], rule: Rule) -> None:
    """`rule(user, subject)` says whether `user` may open `subject`'s page (and so download what it holds)."""
    label = _label(model)
    if label in _RULES and _RULES[label] is not rule:
        raise ValueError(f"{label}: visibility is registered already")
    _RULES[label] = rule


def is_registered(model: type[models.Model] | models.Model) -> bool:
    return _label(model) in _RULES


def registered() -> list[str]:
    """The registered subject types, as "app_label.modelname"."""
    return sorted(_RULES)


def can_view(user, subject: models.Model | None) -> bool:
    """Whether `user` may see `subject`; no for an anonymous user, a missing subject or an unregistered type."""
    if subject is None or user is None or not user.is_authenticated:
        return False
    rule = _RULES.get(_label(subject))
    return bool(rule and rule(user, subject))
