from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from organizations.models import Substitution, User


def principals_of(substitute: User, on: dt.date | None = None) -> QuerySet[User]:
    """The users `substitute` is acting for today."""
    on = on or timezone.localdate()
    return User.objects.filter(
        substitutions_given__substitute=substitute,
        substitutions_given__starts_on__lte=on,
        substitutions_given__ends_on__gte=on,
        is_active=True,
    ).distinct()


def acting_user_ids(user: User, on: dt.date | None = None) -> list[int]:
    """The user themself plus everyone they stand in for today."""
    return [user.pk, *principals_of(user, on).values_list("pk", flat=True)]


def active_substitutions(on: dt.date | None = None) -> QuerySet[Substitution]:
    on = on or timezone.localdate()
    return Substitution.objects.filter(starts_on__lte=on, ends_on__gte=on).select_related("principal", "substitute")
