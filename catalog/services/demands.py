"""The demand list (需求清单): data a department needs, linked by the bureau to where it is catalogued."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import DataResource, DemandItem, DemandStatus
from catalog.permissions import can_manage_department, reviews_catalog
from catalog.services.base import MSG_BUREAU_ONLY, MSG_NOT_YOUR_DEPARTMENT, CatalogError, resource_link
from workflows.audit import record_event

MSG_DEMAND_WRONG_STATE = "需求已对接或已关闭，不能再次对接。"
MSG_DEMAND_NEEDS_PUBLISHED = "只能对接已注册或已挂载的资源。"
MSG_DEMAND_INCOMPLETE = "需求填写不完整。"


def demand_create(*, actor, data: dict[str, Any], ip: str | None = None) -> DemandItem:
    department = data.get("department") or actor.department
    if not can_manage_department(actor, getattr(department, "pk", department)):
        raise CatalogError(MSG_NOT_YOUR_DEPARTMENT)
    with transaction.atomic():
        demand = DemandItem(created_by=actor, **{**data, "department": department})
        try:
            demand.full_clean(exclude=["status", "created_by"])
        except ValidationError as exc:
            raise CatalogError(MSG_DEMAND_INCOMPLETE, exc.message_dict) from exc
        demand.save()
        record_event(subject=demand, action="catalog.demand_created", actor=actor, to_state=demand.status, ip=ip)
    return demand


def demand_link(*, actor, obj: DemandItem, resource: DataResource, ip: str | None = None) -> DemandItem:
    """The bureau found (or got someone to catalogue) the data: the demander is told where it is."""
    if not reviews_catalog(actor):
        raise CatalogError(MSG_BUREAU_ONLY)
    if not resource.is_published:
        raise CatalogError(MSG_DEMAND_NEEDS_PUBLISHED, {"resource": [MSG_DEMAND_NEEDS_PUBLISHED]})
    with transaction.atomic():
        demand = DemandItem.objects.select_for_update().get(pk=obj.pk)
        if not demand.may_link:
            raise CatalogError(MSG_DEMAND_WRONG_STATE)
        demand.link()
        demand.linked_resource = resource
        demand.linked_by = actor
        demand.linked_at = timezone.now()
        demand.save(update_fields=["status", "linked_resource", "linked_by", "linked_at"])
        record_event(
            subject=demand,
            action="catalog.demand_linked",
            actor=actor,
            from_state=DemandStatus.OPEN,
            to_state=demand.status,
            comment=str(resource),
            ip=ip,
        )
        _announce_demand_linked(demand, resource)
    return demand


def _announce_demand_linked(demand: DemandItem, resource: DataResource) -> None:
    """Tell the demander where their data now is (notifications queue email only after commit)."""
    from notifications.services import notify

    notify(
        recipients=[demand.created_by],
        event="catalog_demand_linked",
        subject=demand,
        context={"demand": demand, "resource": resource, "link": resource_link(resource)},
    )
