"""Who may do what in the catalog. Roles are groups; explicit permissions widen them for special staff."""

from __future__ import annotations

from catalog.models import ResourceAction, ResourceStatus
from organizations.roles import Role, is_bureau
from pdf_templates.selectors import sees_all_records


def reviews_catalog(user) -> bool:
    """The data bureau, or staff given catalog.can_review_resources: they review, register, link demands and keep
    the negative list."""
    return is_bureau(user) or (user.is_authenticated and user.has_perm("catalog.can_review_resources"))


def can_manage_department(user, department_id: int | None) -> bool:
    """A department's catalog staff (its applicants and its leader) manage its own entries only."""
    if not user.is_authenticated or department_id is None or user.department_id != department_id:
        return False
    return (
        user.has_role(Role.APPLICANT)
        or user.has_role(Role.DEPT_LEADER)
        or user.has_perm("catalog.can_manage_department_resources")
    )


def is_catalog_staff(user) -> bool:
    return can_manage_department(user, getattr(user, "department_id", None))


def can_import(user) -> bool:
    return reviews_catalog(user) or is_catalog_staff(user)


def can_view_unpublished(user, resource) -> bool:
    """Drafts and entries under review: their department, the bureau and auditors."""
    return (
        can_manage_department(user, resource.provider_department_id)
        or reviews_catalog(user)
        or user.has_role(Role.AUDITOR)
    )


def can_view(user, resource) -> bool:
    if not user.is_authenticated:
        return False
    return resource.is_published or resource.status == ResourceStatus.WITHDRAWN or can_view_unpublished(user, resource)


def may(user, resource, action: str) -> bool:
    """Whether `user` may take `action` (a ResourceAction) on the entry, whatever its state.

    Its department prepares it (edit, submit); the bureau reviews it (register, return); either
    keeps it once published (mount, withdraw). Whether the state allows it is DataResource.allows().
    """
    if action in (ResourceAction.REGISTER, ResourceAction.RETURN):
        return reviews_catalog(user)
    manages = can_manage_department(user, resource.provider_department_id)
    if action in (ResourceAction.MOUNT, ResourceAction.WITHDRAW):
        return manages or reviews_catalog(user)
    return manages


def available_actions(user, resource) -> set[ResourceAction]:
    """What `user` may do to the entry now: the buttons its page shows, and what the services accept."""
    return {action for action in ResourceAction if may(user, resource, action) and resource.allows(action)}


def can_see_completeness(user) -> bool:
    return reviews_catalog(user) or (user.is_authenticated and user.has_role(Role.AUDITOR))


def can_see_events(user, resource) -> bool:
    """An entry's 办理记录: its own department, the 政数局 and auditors."""
    return (
        can_manage_department(user, resource.provider_department_id) or reviews_catalog(user) or sees_all_records(user)
    )


def sees_all_demands(user) -> bool:
    """The bureau and auditors see every department's demands; others their own department's."""
    return reviews_catalog(user) or (user.is_authenticated and user.has_role(Role.AUDITOR))


def can_see_import_job(user, job) -> bool:
    return user.is_authenticated and (job.created_by_id == user.pk or reviews_catalog(user))


def can_view_demand(user, demand) -> bool:
    """A demand and its history: its department, and those who see every department's demands."""
    return user.is_authenticated and (sees_all_demands(user) or demand.department_id == user.department_id)


def can_view_negative_entry(user, entry) -> bool:
    """A negative-list entry's history: the bureau that keeps the list, and auditors."""
    return reviews_catalog(user) or sees_all_records(user)


def can_view_source(user, source) -> bool:
    """The list of authoritative sources (一数一源) is every department's to read: it says where to apply."""
    return user.is_authenticated


def register_visibility() -> None:
    """What each catalog subject's page shows to whom, for every download about it (workflows.visibility).

    An entry's page is open to every user once published, but its 办理记录 only to can_see_events: a trail
    holds that history, so the entry is registered with the history's rule.
    """
    from catalog.models import AuthoritativeSource, DataResource, DemandItem, ImportJob, NegativeListEntry
    from workflows import visibility

    visibility.register(DataResource, can_see_events)
    visibility.register(DemandItem, can_view_demand)
    visibility.register(NegativeListEntry, can_view_negative_entry)
    visibility.register(ImportJob, can_see_import_job)
    visibility.register(AuthoritativeSource, can_view_source)
