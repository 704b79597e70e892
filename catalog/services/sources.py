"""一数一源: the bureau designates authoritative sources, keeps their equivalent names, and registers a duplicate
resource as a copy pointing to its sources."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from catalog import permissions, selectors
from catalog.models import AuthoritativeSource, DataItem, DataResource, DatumAlias, SourceCopy
from catalog.services.base import MSG_BUREAU_ONLY, CatalogError, check_text, tell_provider
from catalog.services.resources import resource_register
from workflows.audit import record_event

MSG_SOURCE_DATUM_REQUIRED = "请填写数据名称。"
MSG_SOURCE_NAME_TAKEN = "“{name}”已是权威数源“{datum}”的数据名称或等价名称。"
MSG_SOURCE_ITEM_UNPUBLISHED = "权威数源须为已注册发布资源的现有信息项。"
MSG_NO_DUPLICATES = "该资源没有与权威数源重复的信息项，请直接注册。"


def _check_bureau(actor) -> None:
    if not permissions.reviews_catalog(actor):
        raise CatalogError(MSG_BUREAU_ONLY)


def _clean_names(datum: str, aliases: Sequence[str], *, keep: AuthoritativeSource | None = None) -> list[str]:
    """The equivalent names, each once and not the datum itself; no name another source's already."""
    names = list(dict.fromkeys(name.strip() for name in aliases if name.strip() and name.strip() != datum))
    for name in names:
        check_text(DatumAlias, "name", name, field="aliases")
    for name in [datum, *names]:
        owner = _owner_of(name, keep)
        if owner is not None:
            message = MSG_SOURCE_NAME_TAKEN.format(name=name, datum=owner.datum)
            raise CatalogError(message, {"datum" if name == datum else "aliases": [message]})
    return names


def _owner_of(name: str, keep: AuthoritativeSource | None) -> AuthoritativeSource | None:
    """The other source that already answers to `name`, if any."""
    taken = AuthoritativeSource.objects.filter(datum=name)
    aliases = DatumAlias.objects.filter(name=name)
    if keep is not None:
        taken, aliases = taken.exclude(pk=keep.pk), aliases.exclude(source=keep)
    if (owner := taken.first()) is not None:
        return owner
    alias = aliases.select_related("source").first()
    return alias.source if alias is not None else None


def source_designate(
    *, actor, item: DataItem, datum: str, aliases: Sequence[str] = (), basis: str = "", ip: str | None = None
) -> AuthoritativeSource:
    """The bureau marks `item` as the authoritative source of `datum` (一数一源)."""
    _check_bureau(actor)
    datum = (datum or "").strip()
    if not datum:
        raise CatalogError(MSG_SOURCE_DATUM_REQUIRED, {"datum": [MSG_SOURCE_DATUM_REQUIRED]})
    check_text(AuthoritativeSource, "datum", datum)
    check_text(AuthoritativeSource, "basis", basis.strip())
    if item.retired_at is not None or not item.resource.is_published:
        raise CatalogError(MSG_SOURCE_ITEM_UNPUBLISHED, {"item": [MSG_SOURCE_ITEM_UNPUBLISHED]})
    with transaction.atomic():
        names = _clean_names(datum, aliases)
        source = AuthoritativeSource.objects.create(datum=datum, item=item, basis=basis.strip(), designated_by=actor)
        DatumAlias.objects.bulk_create([DatumAlias(source=source, name=name) for name in names])
        resource = item.resource
        record_event(
            subject=source,
            action="catalog.source_designated",
            actor=actor,
            ip=ip,
            comment=f"{datum}：{resource.provider_department.name}“{resource.name}”（{resource.code}）信息项“{item.name}”"
            + (f"；等价名称：{'、'.join(names)}" if names else ""),
            data={"item": item.pk, "aliases": names},
        )
    return source


def source_set_aliases(
    *, actor, obj: AuthoritativeSource, aliases: Sequence[str], ip: str | None = None
) -> AuthoritativeSource:
    """The bureau's mapping of equivalent names for the datum, as it is now."""
    _check_bureau(actor)
    with transaction.atomic():
        source = AuthoritativeSource.objects.select_for_update().get(pk=obj.pk)
        names = _clean_names(source.datum, aliases, keep=source)
        before = sorted(source.aliases.values_list("name", flat=True))
        source.aliases.exclude(name__in=names).delete()
        DatumAlias.objects.bulk_create([DatumAlias(source=source, name=name) for name in names if name not in before])
        record_event(
            subject=source,
            action="catalog.source_aliases_changed",
            actor=actor,
            ip=ip,
            comment=f"{'、'.join(before) or '无'} → {'、'.join(names) or '无'}",
            data={"aliases": names},
        )
    return source


def source_deactivate(*, actor, obj: AuthoritativeSource, ip: str | None = None) -> AuthoritativeSource:
    _check_bureau(actor)
    with transaction.atomic():
        source = AuthoritativeSource.objects.select_for_update().get(pk=obj.pk)
        if source.is_active:
            source.is_active = False
            source.save(update_fields=["is_active"])
            record_event(subject=source, action="catalog.source_deactivated", actor=actor, ip=ip, comment=source.datum)
    return source


def resource_register_as_copy(*, actor, obj: DataResource, comment: str = "", ip: str | None = None) -> DataResource:
    """Register a submitted resource whose items duplicate authoritative sources, each such item as a copy of its
    source: whoever applies for it is then pointed to the source's department."""
    with transaction.atomic():
        found = selectors.duplicates(obj)
        if not found:
            raise CatalogError(MSG_NO_DUPLICATES)
        resource = resource_register(actor=actor, obj=obj, comment=comment, ip=ip)  # checks who, locks, registers
        SourceCopy.objects.bulk_create(
            [SourceCopy(item=item, source=source, registered_by=actor) for item, source in found]
        )
        said = "；".join(
            f"“{item.name}”的权威数源为{source.item.resource.provider_department.name}“{source.item.resource.name}”"
            for item, source in found
        )
        record_event(
            subject=resource,
            action="catalog.resource_registered_as_copy",
            actor=actor,
            ip=ip,
            comment=said,
            data={"copies": [[item.pk, source.pk] for item, source in found]},
        )
        tell_provider(
            resource,
            f"资源目录“{resource.code} {resource.name}”已注册为权威数源的副本：{said}。其他部门申请共享时，将提示其向权威部门申请。",
        )
    return resource
