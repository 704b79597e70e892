"""The side menus of a page (each app's and the site's), drawn once per user and page and then kept.

Drawing them asks every app which of its pages the user may open: permissions, roles, the department, whom they
stand in for today. That cost every page as much as the rows of a 50-row list, for a menu that changes only when
those facts do. So the drawn menus are kept in the shared cache (`{% cached_menus %}`, in
templates/viewflow/base_page.html) under a key of:

- the user (never a role: a menu also reads the department and today's substitutions, which a role does not name),
- the page (its URL name and arguments: a menu may mark the page's app or viewset),
- the language and the local date (a substitution starts and ends on a date),

and good only while the **stamp** is the one they were drawn at. The stamp moves when a write that can change a
menu commits (`connect()`): a user, a department, a group, a permission, a substitution, a user's groups or
permissions, a group's permissions. A menu drawn before such a commit is not used after it. A new release's menus
show within MENU_CACHE_SECONDS, the kept menus' lifetime.

Only with a cache every web process shares (MENU_CACHE, on by default with CACHE_URL): a memory cache per process
could not tell the others that the stamp moved. An unreachable cache draws the menus afresh.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

STAMP_KEY = "menus:stamp"
logger = logging.getLogger(__name__)


def key_for(request) -> str | None:
    """The kept menus' key for this request, or None when menus are drawn each time (off, anonymous, no page)."""
    if not settings.MENU_CACHE or request is None:
        return None
    user, match = getattr(request, "user", None), getattr(request, "resolver_match", None)
    if user is None or not user.is_authenticated or match is None:
        return None
    page = f"{match.view_name}{sorted(match.args)}{sorted(match.kwargs.items())}"
    return f"menus:{user.pk}:{page}:{translation.get_language()}:{timezone.localdate().isoformat()}"


def kept(key: str, draw: Callable[[], str]) -> SafeString:
    """The menus kept under `key` at the current stamp, else drawn now and kept (with the stamp read before)."""
    try:
        values = cache.get_many([STAMP_KEY, key])
        stamp = values.get(STAMP_KEY)
        if stamp is None:
            cache.add(STAMP_KEY, time.time_ns(), None)  # past every stamp given out before (each move adds one)
            stamp = cache.get(STAMP_KEY)
    except Exception:  # the cache is down: the page still shows, drawn afresh
        logger.warning("menus drawn without the cache", exc_info=True)
        return mark_safe(draw())  # noqa: S308 (the template's own output)
    found = values.get(key)
    if found is not None and found[0] == stamp:
        return mark_safe(found[1])  # noqa: S308 (drawn by the template, kept as drawn)
    html = draw()
    cache.set(key, (stamp, str(html)), settings.MENU_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308


def _move() -> None:
    try:
        cache.incr(STAMP_KEY)
    except ValueError:  # no stamp: the next page starts one, past every stamp before
        pass


def invalidate(*, update_fields: frozenset[str] | None = None, **_: Any) -> None:
    """Every kept menu is drawn again once the caller's transaction commits (a login's time stamp changes none)."""
    if settings.MENU_CACHE and update_fields != {"last_login"}:
        transaction.on_commit(_move)


def connect() -> None:
    """Move the stamp on every write a menu reads (called from workflows' ready())."""
    from django.contrib.auth.models import Group, Permission

    from organizations.models import Department, Substitution, User

    for model in (User, Department, Group, Permission, Substitution):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"menus_saved_{model.__name__}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"menus_deleted_{model.__name__}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(invalidate, sender=through, dispatch_uid=f"menus_m2m_{through.__name__}")
