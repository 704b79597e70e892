"""What every 共享申请 page shares: who may see an application, and errors shown on its forms."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from requests import permissions
from requests.models import ShareApplication
from requests.services import ApplicationError


def visible_application(request, pk: int) -> ShareApplication:
    # Someone who may not see an application learns nothing, not even that it exists.
    application = get_object_or_404(
        ShareApplication.objects.select_related(
            "applicant_department", "provider_department", "resource", "applicant", "resource_version"
        ),
        pk=pk,
    )
    if not permissions.can_view(request.user, application):
        raise Http404
    return application


def form_errors(form, exc: ApplicationError) -> None:
    for field, errors in exc.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
