"""Who receives a notice: users resolved by role within a department.

Each helper returns a queryset of active users; pass it (or any iterable of
users, e.g. `[application.applicant]`) as `recipients` to `notify()`, which
adds the substitutes of absent recipients itself.
"""

from __future__ import annotations

from django.db.models import QuerySet

from organizations.models import Department, User
from organizations.roles import Role


def by_role(role: Role | str, department: Department | None = None) -> QuerySet[User]:
    """Users with `role` in `department` ("the provider reviewers of 市住建局"); all departments if None."""
    users = User.objects.filter(is_active=True, groups__name=str(role))
    if department is not None:
        users = users.filter(department=department)
    return users.distinct().order_by("pk")


def data_bureau() -> QuerySet[User]:
    """The data bureau (政数局) coordinators, whichever department account holds the role."""
    return by_role(Role.DATA_BUREAU)


def department_leaders(department: Department) -> QuerySet[User]:
    return by_role(Role.DEPT_LEADER, department)
