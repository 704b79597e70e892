from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
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


def _stood_in_for(user: User) -> list[str | None]:
    """The roles of everyone `user` stands in for today: one query, kept on the user for the day.

    A request's user is loaded per request, so the day's substitutions are read at most once per request.
    """
    today = timezone.localdate()
    cached = getattr(user, "_stood_in_for", None)
    if cached is None or cached[0] != today:
        cached = (today, list(principals_of(user, today).values_list("groups__name", flat=True)))
        user._stood_in_for = cached
    return cached[1]


def acts_with_role(user: User, *roles: str) -> bool:
    """The user has one of `roles`, or stands in today for someone who has.

    For what a substitute sees, never for what they may do: powers stay with the roles themselves.
    """
    if any(user.has_role(role) for role in roles):
        return True  # no query
    return any(role in roles for role in _stood_in_for(user))


def active_substitutions(on: dt.date | None = None) -> QuerySet[Substitution]:
    on = on or timezone.localdate()
    return Substitution.objects.filter(substitution_in_force(on)).select_related("principal", "substitute")


def _current_first(substitutions: QuerySet[Substitution]) -> QuerySet[Substitution]:
    """Running and coming substitutions first, then those that have ended; each by start date."""
    ended = ExpressionWrapper(Q(ends_on__lt=timezone.localdate()), output_field=BooleanField())
    return substitutions.alias(ended=ended).order_by("ended", "starts_on", "pk")


def substitutions_given(principal: User) -> QuerySet[Substitution]:
    """代理人设置: whom the user named to act for them."""
    return _current_first(Substitution.objects.filter(principal=principal).select_related("substitute"))


def substitutions_taken(substitute: User) -> QuerySet[Substitution]:
    """我受托代理: whom the user was named to act for."""
    return _current_first(Substitution.objects.filter(substitute=substitute).select_related("principal"))
