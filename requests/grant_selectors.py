"""Reads of grants and API tokens: who sees which grant (the consumer and provider departments, the data
bureau and auditors; see grants_visible_to)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from organizations.roles import Role
from pdf_templates.models import Record
from pdf_templates.selectors import records_visible_to
from requests.models import ApiToken, Grant, GrantState
from requests.permissions import sees_all


def sees_all_grants(user) -> bool:
    return sees_all(user)  # as for applications: the bureau, auditors and whoever stands in for one


def manages_api_tokens(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DATA_BUREAU)


def grants_visible_to(user) -> QuerySet[Grant]:
    """The consumer and the provider department see a grant; the data bureau and auditors see all."""
    grants = Grant.objects.select_related("consumer_department", "provider_department", "resource", "application")
    if not user.is_authenticated:
        return grants.none()
    if sees_all_grants(user):
        return grants
    if user.department_id is None:
        return grants.none()
    return grants.filter(Q(consumer_department_id=user.department_id) | Q(provider_department_id=user.department_id))


SCOPES = {"held": "本部门获得的授权", "given": "本部门给出的授权", "all": "全部授权"}


def grant_scopes(user) -> list[str]:
    return [*(["held", "given"] if user.department_id else []), *(["all"] if sees_all_grants(user) else [])]


def grant_list(user, *, scope: str, state: str = "") -> QuerySet[Grant]:
    grants = grants_visible_to(user).annotate(item_count=Count("items"))
    if scope == "held":
        grants = grants.filter(consumer_department_id=user.department_id)
    elif scope == "given":
        grants = grants.filter(provider_department_id=user.department_id)
    elif scope != "all" or not sees_all_grants(user):
        return grants.none()
    if state:
        grants = grants.filter(state=state)
    return grants.order_by("-id")


def active_grant_count(resource) -> int:
    """Grants a catalog withdrawal would revoke (the withdraw form says how many)."""
    return Grant.objects.filter(resource=resource, state=GrantState.ACTIVE).count()


def grant_records(user, grant: Grant) -> QuerySet[Record]:
    """The records of the grant (revocation) and of its source application (the decision), as far as visible."""
    from django.contrib.contenttypes.models import ContentType

    subjects = Q()
    for obj in (grant, grant.application):
        subjects |= Q(subject_type=ContentType.objects.get_for_model(obj), subject_id=str(obj.pk))
    return records_visible_to(user).filter(subjects).order_by("issued_at", "id")


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("department").order_by("-is_active", "name")
