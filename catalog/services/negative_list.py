"""The negative list (负面清单): resources, or items of them, that may never be shared."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from catalog.models import DataItem, DataResource, LegalBasis, NegativeListEntry
from catalog.permissions import reviews_catalog
from catalog.services.base import MSG_BUREAU_ONLY, CatalogError, check_text
from workflows.audit import record_event

MSG_NEGATIVE_ITEM_OTHER_RESOURCE = "所选信息项不属于该资源。"
MSG_NEGATIVE_NEEDS_ARTICLE = "负面清单必须引用含具体条款的法律法规依据。"
MSG_NEGATIVE_NEEDS_REASON = "必须填写原因。"


def negative_entry_create(
    *,
    actor,
    resource: DataResource,
    legal_basis: LegalBasis,
    reason: str,
    items: Iterable[DataItem] = (),
    legal_basis_text: str = "",
    ip: str | None = None,
) -> NegativeListEntry:
    if not reviews_catalog(actor):
        raise CatalogError(MSG_BUREAU_ONLY)
    items = list(items)
    if any(item.resource_id != resource.pk for item in items):
        raise CatalogError(MSG_NEGATIVE_ITEM_OTHER_RESOURCE, {"items": [MSG_NEGATIVE_ITEM_OTHER_RESOURCE]})
    if legal_basis is None or not (legal_basis.article or "").strip():
        raise CatalogError(MSG_NEGATIVE_NEEDS_ARTICLE, {"legal_basis": [MSG_NEGATIVE_NEEDS_ARTICLE]})
    if not (reason or "").strip():
        raise CatalogError(MSG_NEGATIVE_NEEDS_REASON, {"reason": [MSG_NEGATIVE_NEEDS_REASON]})
    check_text(NegativeListEntry, "reason", reason.strip())
    check_text(NegativeListEntry, "legal_basis_text", legal_basis_text)
    with transaction.atomic():
        entry = NegativeListEntry.objects.create(
            resource=resource,
            legal_basis=legal_basis,
            legal_basis_text=legal_basis_text,
            reason=reason.strip(),
            created_by=actor,
        )
        entry.items.set(items)
        record_event(
            subject=entry,
            action="catalog.negative_entry_created",
            actor=actor,
            comment=f"{resource.code}：" + ("、".join(i.name for i in items) or "整个资源"),
            ip=ip,
        )
    return entry


def negative_entry_deactivate(*, actor, obj: NegativeListEntry, ip: str | None = None) -> NegativeListEntry:
    if not reviews_catalog(actor):
        raise CatalogError(MSG_BUREAU_ONLY)
    with transaction.atomic():
        entry = NegativeListEntry.objects.select_for_update().get(pk=obj.pk)
        entry.is_active = False
        entry.save(update_fields=["is_active"])
        record_event(subject=entry, action="catalog.negative_entry_deactivated", actor=actor, ip=ip)
    return entry
