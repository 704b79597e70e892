"""Each app registers its roles' permissions with organizations; the backend grants them."""

import pytest
from django.conf import settings

from organizations import permissions
from organizations.permissions import ROLE_PERMISSIONS, register_role_permissions


def test_the_backend_is_the_one_in_settings():
    assert "organizations.permissions.RolePermissionBackend" in settings.AUTHENTICATION_BACKENDS


def test_the_share_application_permissions_are_registered_by_requests():
    assert ROLE_PERMISSIONS["provider_reviewer"] >= {"share_requests.can_review_application"}
    assert ROLE_PERMISSIONS["dept_leader"] >= {"share_requests.can_countersign_application"}
    assert ROLE_PERMISSIONS["data_bureau"] >= {"share_requests.can_arbitrate_application"}


def test_a_user_has_the_permissions_of_their_roles_only(zhujian_reviewer, gongan_applicant, coordinator):
    assert zhujian_reviewer.has_perm("share_requests.can_review_application")
    assert not zhujian_reviewer.has_perm("share_requests.can_arbitrate_application")
    assert coordinator.has_perm("share_requests.can_arbitrate_application")
    assert not gongan_applicant.has_perm("share_requests.can_review_application")


@pytest.fixture
def restored_registry(monkeypatch):
    monkeypatch.setattr(permissions, "ROLE_PERMISSIONS", {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()})


def test_an_app_adds_its_own_permissions_to_a_role(restored_registry, auditor, django_user_model):
    register_role_permissions({"auditor": {"project_approvals.can_read_gates"}})
    register_role_permissions({"auditor": ["project_approvals.can_read_gates"]})  # again: nothing changes
    assert permissions.ROLE_PERMISSIONS["auditor"] == {"project_approvals.can_read_gates"}
    auditor = django_user_model.objects.get(pk=auditor.pk)  # has_perm caches per user object
    assert auditor.has_perm("project_approvals.can_read_gates")


def test_an_inactive_user_has_none(zhujian_reviewer):
    zhujian_reviewer.is_active = False
    assert not zhujian_reviewer.has_perm("share_requests.can_review_application")
