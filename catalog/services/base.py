"""What every catalog service shares: its error, the permission messages and the notices it sends."""

from __future__ import annotations

from django.urls import reverse

from catalog.models import DataResource
from notifications import recipients as who
from workflows import textlimits

MSG_NOT_YOUR_DEPARTMENT = "只能编制和维护本部门的资源目录。"
MSG_BUREAU_ONLY = "只有政数局可以执行此操作。"


class CatalogError(Exception):
    """A catalog rule or precondition failed. `errors` maps fields to messages when they are field errors."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def resource_link(resource: DataResource) -> str:
    return reverse("catalog:resource_detail", args=[resource.pk])


def tell(recipients, event: str, resource: DataResource, message: str) -> None:
    from notifications.services import notify

    notify(
        recipients=recipients,
        event=event,
        subject=resource,
        context={"resource": resource, "message": message, "link": resource_link(resource)},
    )


def tell_provider(resource: DataResource, message: str) -> None:
    """Whoever entered the resource, and the provider department's leaders, hear how its review went."""
    leaders = who.department_leaders(resource.provider_department)
    recipients = {user for user in [resource.created_by, *leaders] if user is not None}
    tell(recipients, "catalog_review_result", resource, message)


def check_text(model, name: str, value: str | None, *, field: str = "") -> None:
    """Refuse a text longer than `model.name` holds (workflows.textlimits), as an error on the form's `field`."""
    if message := textlimits.too_long(model, name, value):
        raise CatalogError(message, {field or name: [message]})
