from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from organizations.models import Substitution, User


def substitution_in_force(on: dt.date, through: str = "") -> Q:
    """A substitution stands on `on` if it has begun and not ended; `through` names the relation to it."""
    prefix = f"{through}__" if through else ""
    return Q(**{f"{prefix}starts_on__lte": on, f"{prefix}ends_on__gte": on})


def principals_of(substitute: User, on: dt.date | None = None) -> QuerySet[User]:
    """The users `substitute` is acting for today."""
    on = on or timezone.localdate()
    return User.objects.filter(
        substitution_in_force(on, "substitutions_given"), substitutions_given__substitute=substitute, is_active=True
    ).distinct()


def acting_user_ids(user: User, on: dt.date | None = None) -> list[int]:
    """The user themself plus everyone they stand in for today."""
    return [user.pk, *principals_of(user, on).values_list("pk", flat=True)]


def active_substitutions(on: dt.date | None = None) -> QuerySet[Substitution]:
    on = on or timezone.localdate()
    return Substitution.objects.filter(substitution_in_force(on)).select_related("principal", "substitute")
