"""Which permissions each role carries: a registry every app fills with its own, and the backend that reads it.

Roles are groups (organizations.roles.Role). An app that names permissions in its flows or views (a flow's
`.Permission("share_requests.can_review_application")`) registers, in its AppConfig.ready, which roles hold
them:

    from organizations.permissions import register_role_permissions
    register_role_permissions({Role.PROVIDER_REVIEWER: {"share_requests.can_review_application"}})

RolePermissionBackend (settings.AUTHENTICATION_BACKENDS) then grants a user the permissions of their
roles, so viewflow's queues and `user.has_perm` agree with the role tables. Nothing is stored: no data
migration assigns permissions to the groups (a flushed test database would lose it), the registry is
rebuilt at every start. A permission says *what* a role does; department scoping (*where*) is each app's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth.backends import BaseBackend

ROLE_PERMISSIONS: dict[str, set[str]] = {}  # role code → "app_label.codename", as registered


def register_role_permissions(permissions: Mapping[str, Iterable[str]]) -> None:
    """Add `permissions` (role → permission names) to what the roles carry. Idempotent."""
    for role, names in permissions.items():
        ROLE_PERMISSIONS.setdefault(str(role), set()).update(names)


def role_permissions(roles: Iterable[str]) -> set[str]:
    perms: set[str] = set()
    for role in roles:
        perms |= ROLE_PERMISSIONS.get(str(role), set())
    return perms


class RolePermissionBackend(BaseBackend):
    """Grants the registered permissions of a user's roles (never authenticates anyone)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return role_permissions(getattr(user_obj, "role_names", ()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
