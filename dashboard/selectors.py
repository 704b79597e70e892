"""Reads: the bulletins a user may list."""

from __future__ import annotations

from django.db.models import QuerySet

from dashboard import permissions
from dashboard.models import Bulletin, BulletinState


def drafts() -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(state=BulletinState.DRAFT)


def bulletins_visible_to(user, state: str = "") -> QuerySet[Bulletin]:
    """Issued bulletins for everyone logged in; drafts too for the bureau and auditors."""
    found = Bulletin.objects.select_related("record")
    if not user.is_authenticated:
        return found.none()
    if not permissions.sees_city(user):
        found = found.filter(state=BulletinState.ISSUED)
    if state in BulletinState.values:
        found = found.filter(state=state)
    return found
