"""What every share-application transition needs: the row lock, the resource lock, the reply clock, the notices."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from catalog.models import PUBLISHED_STATES, DataResource
from notifications import recipients as who
from notifications.services import notify
from organizations.roles import Role
from requests.messages import MSG_RESOURCE_WITHDRAWN
from requests.models import (
    ScenarioPart,
    ShareApplication,
)
from requests.services.errors import ApplicationError
from workflows import deadlines

DEADLINE_KIND = "provider_reply"


APPLICATION_FIELDS = [
    "scenario",
    "business_matter",
    "purposes",
    "share_method",
    "period_start",
    "period_end",
    "call_volume",
    "need_legal_basis",
    "applied_before",
    "earlier_outcome",
    "cited_scenario",
]


REUSED_RELATED = ("applicant_department", "provider_department", "applicant")


def lock_application(application: ShareApplication) -> ShareApplication:
    """The application's row, locked until commit (SELECT … FOR UPDATE), with its resource, departments and applicant.

    Those related rows are not locked, only read. The resource is read afresh: its status and
    version decide what the service may do. The departments and the applicant already loaded on
    `application` (by the view a moment ago, or by the service that returned it) are reused.
    """
    loaded = {
        name: ShareApplication._meta.get_field(name).get_cached_value(application, None)  # type: ignore[union-attr]
        for name in REUSED_RELATED
    }
    missing = [name for name, obj in loaded.items() if obj is None]
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
    rows = ShareApplication.objects.select_for_update(of=("self",)).select_related("resource", *missing)
    locked = rows.get(pk=application.pk)
    for name, obj in loaded.items():
        if obj is not None:
            setattr(locked, name, obj)  # the same rows: these keys never change
    return locked


def hold_published_resource(application: ShareApplication | ScenarioPart) -> None:
    """The resource stays published until commit, or the grant stops here with MSG_RESOURCE_WITHDRAWN.

    FOR SHARE (raw SQL: Django has no such lock): grants on one resource do not wait for each
    other, but a withdrawal (the catalog's FOR NO KEY UPDATE) waits for them and then revokes what
    they granted, and a grant after a withdrawal sees it. Call it before the first audit event:
    a withdrawal holds the resource while it waits for the audit chain. (SQLite serialises writers.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = DataResource._meta.db_table
            cursor.execute(f"SELECT status FROM {table} WHERE id = %s FOR SHARE", [application.resource_id])
            (status,) = cursor.fetchone()
    else:
        status = DataResource.objects.values_list("status", flat=True).get(pk=application.resource_id)
    if status not in PUBLISHED_STATES:
        raise ApplicationError(MSG_RESOURCE_WITHDRAWN)


def start_clock(application: ShareApplication, workdays: int, *, replace: bool = True) -> dt.datetime:
    """The provider's reply clock runs (again) from now; its due time, also set on the application."""
    deadline = deadlines.register(
        subject=application,
        kind=DEADLINE_KIND,
        title="提供方答复期限",
        start=timezone.now(),
        workdays=workdays,
        remind_before=deadlines.remind_lead(settings.SHARE_REMIND_BEFORE_WORKDAYS, workdays),
        on_remind="share_requests.remind_reviewers",
        on_expiry="share_requests.escalate_overdue",
        replace=replace,
    )
    application.due_at = deadline.due_at
    return deadline.due_at


def stop_clock(application: ShareApplication) -> None:
    deadlines.complete_for(application, kind=DEADLINE_KIND)
    application.due_at = None


def tell_applicant(application: ShareApplication, message: str, event: str = "share_application_decided") -> None:
    notify(
        recipients=[application.applicant],
        event=event,
        subject=application,
        context={"message": message},
    )


def tell_reviewers(application: ShareApplication, message: str, event: str = "share_application_task") -> None:
    notify(
        recipients=who.by_role(Role.PROVIDER_REVIEWER, application.provider_department),
        event=event,
        subject=application,
        context={"message": message},
    )
