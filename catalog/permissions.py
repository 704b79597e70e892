"""Who may do what in the catalog. Roles are groups; explicit permissions widen them for special staff."""

from __future__ import annotations

from organizations.roles import Role


def is_bureau(user) -> bool:
    """The data bureau reviews, registers, links demands and keeps the negative list."""
    return user.is_authenticated and (user.has_role(Role.DATA_BUREAU) or user.has_perm("catalog.can_review_resources"))


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
    return is_bureau(user) or is_catalog_staff(user)


def can_view_unpublished(user, resource) -> bool:
    """Drafts and entries under review: their department, the bureau and auditors."""
    return (
        can_manage_department(user, resource.provider_department_id) or is_bureau(user) or user.has_role(Role.AUDITOR)
    )


def can_view(user, resource) -> bool:
    if not user.is_authenticated:
        return False
    return resource.is_published or resource.status == "withdrawn" or can_view_unpublished(user, resource)


def can_see_completeness(user) -> bool:
    return is_bureau(user) or (user.is_authenticated and user.has_role(Role.AUDITOR))
