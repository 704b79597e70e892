"""What the projects' pages share: the visible project (404 otherwise), the 403 of a step not offered, errors put
back on forms or shown as messages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from project_approvals.models import ConstructionProject
from project_approvals.services import ProjectError
from workflows import visibility


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def visible_project(user, pk: int) -> ConstructionProject:
    """The project as its registered rule allows (workflows.visibility: its page, gate, records and downloads)."""
    project = get_object_or_404(ConstructionProject.objects.select_related("department", "created_by"), pk=pk)
    if not visibility.can_view(user, project):
        raise Http404
    return project


def apply_errors(form, exc: ProjectError) -> None:
    """A service's field errors onto the form (unknown fields and whole-project problems above it)."""
    for field, field_messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)
    if not exc.errors:
        form.add_error(None, exc.message)


def run(request, step: Callable[[], str]) -> bool:
    """Run a step; its message, or every reason it was refused, on the next page. Whether it was done."""
    try:
        messages.success(request, step())
    except ProjectError as exc:
        for field_messages in exc.errors.values() or [[exc.message]]:
            for message in field_messages:
                messages.error(request, message)
        return False
    return True
