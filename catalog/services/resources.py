"""The resource lifecycle: draft, submit, register or return, mount, amend (as a new version), withdraw."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog import permissions, rules, signals
from catalog.models import (
    ITEM_FIELDS,
    RESOURCE_FIELDS,
    DataItem,
    DataResource,
    ResourceAction,
    ResourceStatus,
    ResourceVersion,
)
from catalog.permissions import can_manage_department
from catalog.services.base import (
    MSG_BUREAU_ONLY,
    MSG_NOT_YOUR_DEPARTMENT,
    CatalogError,
    check_text,
    resource_link,
    tell,
    tell_provider,
)
from notifications import recipients as who
from workflows.audit import record_event
from workflows.hashing import canonical_json, sha256_hex

MSG_NOT_EDITABLE = "资源处于“{status}”状态，不能修改。"
MSG_WRONG_STATE = "资源处于“{status}”状态，不能{action}。"
MSG_RETURN_NEEDS_COMMENT = "退回必须填写审核意见。"
MSG_WITHDRAW_NEEDS_REASON = "撤销必须填写原因。"
MSG_MOUNT_COUNT = "挂载记录数不能为负数。"
MSG_NO_CHANGES = "没有任何修改。"
MSG_RESOURCE_INVALID = "资源目录填写不符合要求。"


# --- snapshots and versions -------------------------------------------------------------


def snapshot(resource: DataResource) -> dict[str, Any]:
    """What a version freezes: every catalogued field and every item, as plain JSON."""
    data = {
        field: getattr(resource, field)
        for field in RESOURCE_FIELDS
        if field not in ("provider_department", "legal_basis")
    }
    department = resource.provider_department
    data["provider_department"] = {"id": department.pk, "code": department.code, "name": department.name}
    basis = resource.legal_basis
    data["legal_basis"] = (
        {"id": basis.pk, "code": basis.code, "title": basis.title, "issuer": basis.issuer, "article": basis.article}
        if basis
        else None
    )
    data["status"] = resource.status
    data["mounted_records"] = resource.mounted_records
    data["last_mounted_on"] = resource.last_mounted_on.isoformat() if resource.last_mounted_on else None
    data["items"] = [
        {"id": item.pk, **{field: getattr(item, field) for field in ITEM_FIELDS}}
        for item in resource.current_items().order_by("position", "id")
    ]
    return data


def _new_version(resource: DataResource, *, actor, summary: str, changes: list[str]) -> ResourceVersion:
    data = snapshot(resource)
    resource.version += 1
    return ResourceVersion.objects.create(
        resource=resource,
        number=resource.version,
        snapshot=data,
        snapshot_hash=sha256_hex(canonical_json(data)),
        changes=changes,
        summary=summary[:200],
        created_by=actor,
    )


# --- validation shared by create and update ----------------------------------------------


def _validate(resource: DataResource, items: list[DataItem]) -> None:
    """Model field validation plus the catalog rules; raises CatalogError with every field error."""
    errors: dict[str, list[str]] = {}
    try:
        resource.full_clean(exclude=["status", "created_by"], validate_unique=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, messages in rules.check_all(resource, items).items():
        if field == "code" and "code" in errors:
            continue
        errors.setdefault(field, [])
        errors[field] += [m for m in messages if m not in errors[field]]
    if "query_api" in errors and "share_methods" in errors:
        errors.pop("query_api")  # model clean() and the rules say the same thing
    if errors:
        raise CatalogError(MSG_RESOURCE_INVALID, errors)


def _lock(resource: DataResource) -> DataResource:
    # no_key: catalog writes serialise among themselves, but a row that merely points at the resource
    # (a grant a decision inserts while holding the audit chain) is not blocked: a full FOR UPDATE here
    # and the withdrawal's wait for the chain would deadlock with it.
    return (
        DataResource.objects.select_for_update(of=("self",), no_key=True)
        .select_related("provider_department", "legal_basis")
        .get(pk=resource.pk)
    )


# What an item is: changing one of these on a registered resource makes a new item (the old one
# is retired), so grants and applications keep what they were given. Its description may change.
ITEM_IDENTITY = ["name", "data_type", "length", "precision", "security_level"]


def _build_items(resource: DataResource, items: Iterable[dict[str, Any]]) -> list[DataItem]:
    """Unsaved DataItems from dicts; a dict with "id" updates that item of this resource.

    Once registered, a dict that changes the item's identity (ITEM_IDENTITY) makes a new item.
    """
    existing = {item.pk: item for item in resource.current_items()} if resource.pk else {}
    built = []
    for position, values in enumerate(items, start=1):
        item_id = values.get("id")
        item = existing.get(getattr(item_id, "pk", item_id)) if item_id else None
        if item is not None and resource.version and _redefines(item, values, resource):
            item = None
        item = item or DataItem(resource=resource)
        for field in ITEM_FIELDS:
            if field in values:
                setattr(item, field, values[field])
        if not item.security_level:
            item.security_level = resource.security_level
        item.position = position
        built.append(item)
    return built


def _redefines(item: DataItem, values: dict[str, Any], resource: DataResource) -> bool:
    """Would `values` change what `item` is? A blank security level means the resource's, as when building."""
    given = {field: values[field] for field in ITEM_IDENTITY if field in values}
    if "security_level" in given and not given["security_level"]:
        given["security_level"] = resource.security_level
    return any(value != getattr(item, field) for field, value in given.items())


def _save_items(resource: DataResource, items: list[DataItem]) -> None:
    """Save `items` as the resource's items. Those left out are deleted, or retired once it was registered.

    Applications, decisions, grants and the negative list point at a registered resource's items:
    a retired item stays for them, and only leaves the catalog.
    """
    keep = [item.pk for item in items if item.pk]
    dropped = resource.current_items().exclude(pk__in=keep)
    if resource.version:
        dropped.update(retired_at=timezone.now())
    else:
        dropped.delete()
    for item in items:
        item.resource = resource
        item.save()


# --- resource lifecycle -----------------------------------------------------------------


def _check_actor(actor, resource: DataResource, action: ResourceAction) -> None:
    if not permissions.may(actor, resource, action):
        review = action in (ResourceAction.REGISTER, ResourceAction.RETURN)
        raise CatalogError(MSG_BUREAU_ONLY if review else MSG_NOT_YOUR_DEPARTMENT)


def _check_state(resource: DataResource, action: ResourceAction) -> None:
    """On the locked row: does the entry's state (still) allow `action`?"""
    if not resource.allows(action):
        status = resource.get_status_display()
        if action == ResourceAction.EDIT:
            raise CatalogError(MSG_NOT_EDITABLE.format(status=status))
        raise CatalogError(MSG_WRONG_STATE.format(status=status, action=action.label))


def resource_create(*, actor, data: dict[str, Any], items: list[dict[str, Any]], ip: str | None = None) -> DataResource:
    """A new draft entry of the actor's own department."""
    department = data.get("provider_department")
    department_id = getattr(department, "pk", department)
    if department_id is None or not can_manage_department(actor, department_id):
        raise CatalogError(MSG_NOT_YOUR_DEPARTMENT)
    with transaction.atomic():
        resource = DataResource(created_by=actor, provider_department_id=department_id)
        for field in RESOURCE_FIELDS:
            if field in data and field != "provider_department":
                setattr(resource, field, data[field])
        built = _build_items(resource, items)
        _validate(resource, built)
        resource.save()
        _save_items(resource, built)
        record_event(subject=resource, action="catalog.resource_created", actor=actor, to_state=resource.status, ip=ip)
    return resource


def resource_update(
    *, actor, obj: DataResource, data: dict[str, Any], items: list[dict[str, Any]], ip: str | None = None
) -> DataResource:
    """Edit a draft/returned entry in place, or amend a registered one as a new version."""
    _check_actor(actor, obj, ResourceAction.EDIT)
    with transaction.atomic():
        resource = _lock(obj)
        _check_state(resource, ResourceAction.EDIT)
        before = snapshot(resource)
        for field in RESOURCE_FIELDS:
            if field in data and field != "provider_department":  # an entry never changes hands here
                setattr(resource, field, data[field])
        built = _build_items(resource, items)
        _validate(resource, built)
        resource.save()
        _save_items(resource, built)
        resource = _lock(resource)
        after = snapshot(resource)
        changes = _changed_fields(before, after)
        if resource.is_published:
            if not changes:
                raise CatalogError(MSG_NO_CHANGES)
            _new_version(resource, actor=actor, summary="变更：" + "、".join(changes), changes=changes)
            resource.save(update_fields=["version", "updated_at"])
        record_event(
            subject=resource,
            action="catalog.resource_amended" if resource.is_published else "catalog.resource_edited",
            actor=actor,
            from_state=resource.status,
            to_state=resource.status,
            comment="、".join(changes),
            ip=ip,
        )
    return resource


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    labels = {f.name: str(f.verbose_name) for f in DataResource._meta.get_fields() if hasattr(f, "verbose_name")}
    changed = [labels.get(k, k) for k in after if k != "items" and before.get(k) != after.get(k)]
    if before["items"] != after["items"]:
        changed.append("信息项")
    return changed


def resource_submit(*, actor, obj: DataResource, ip: str | None = None) -> DataResource:
    _check_actor(actor, obj, ResourceAction.SUBMIT)
    with transaction.atomic():
        resource = _lock(obj)
        _check_state(resource, ResourceAction.SUBMIT)
        _validate(resource, list(resource.current_items()))
        from_state = resource.status
        resource.submit()
        resource.submitted_at = timezone.now()
        resource.save(update_fields=["status", "submitted_at", "updated_at"])
        record_event(
            subject=resource,
            action="catalog.resource_submitted",
            actor=actor,
            from_state=from_state,
            to_state=resource.status,
            ip=ip,
        )
        tell(
            who.data_bureau(),
            "catalog_review_requested",
            resource,
            f"{resource.provider_department.name}提交了资源目录“{resource.code} {resource.name}”，请进行注册审核。",
        )
    return resource


def resource_register(*, actor, obj: DataResource, comment: str = "", ip: str | None = None) -> DataResource:
    """The data bureau checked the entry against the standard: it becomes version 1."""
    _check_actor(actor, obj, ResourceAction.REGISTER)
    with transaction.atomic():
        resource = _lock(obj)
        _check_state(resource, ResourceAction.REGISTER)
        check_text(DataResource, "review_comment", comment, field="comment")
        _validate(resource, list(resource.current_items()))
        resource.register()
        resource.registered_at = timezone.now()
        resource.review_comment = comment
        _new_version(resource, actor=actor, summary="注册", changes=[])
        resource.save(update_fields=["status", "registered_at", "review_comment", "version", "updated_at"])
        record_event(
            subject=resource,
            action="catalog.resource_registered",
            actor=actor,
            from_state=ResourceStatus.SUBMITTED,
            to_state=resource.status,
            comment=comment,
            ip=ip,
        )
        note = f"意见：{comment}" if comment else ""
        tell_provider(resource, f"资源目录“{resource.code} {resource.name}”已通过注册审核，已发布。{note}")
    return resource


def resource_return(*, actor, obj: DataResource, comment: str, ip: str | None = None) -> DataResource:
    _check_actor(actor, obj, ResourceAction.RETURN)
    if not (comment or "").strip():
        raise CatalogError(MSG_RETURN_NEEDS_COMMENT, {"comment": [MSG_RETURN_NEEDS_COMMENT]})
    check_text(DataResource, "review_comment", comment.strip(), field="comment")
    with transaction.atomic():
        resource = _lock(obj)
        _check_state(resource, ResourceAction.RETURN)
        resource.return_for_correction()
        resource.review_comment = comment.strip()
        resource.save(update_fields=["status", "review_comment", "updated_at"])
        record_event(
            subject=resource,
            action="catalog.resource_returned",
            actor=actor,
            from_state=ResourceStatus.SUBMITTED,
            to_state=resource.status,
            comment=resource.review_comment,
            ip=ip,
        )
        tell_provider(
            resource,
            f"资源目录“{resource.code} {resource.name}”被退回修改，意见：{resource.review_comment}",
        )
    return resource


def resource_mount(
    *, actor, obj: DataResource, records: int, mounted_on: dt.date | None = None, ip: str | None = None
) -> DataResource:
    """Data attached to a registered entry (挂载); re-mounting updates the count and date."""
    _check_actor(actor, obj, ResourceAction.MOUNT)
    if records is None or records < 0:
        raise CatalogError(MSG_MOUNT_COUNT, {"records": [MSG_MOUNT_COUNT]})
    with transaction.atomic():
        resource = _lock(obj)
        _check_state(resource, ResourceAction.MOUNT)
        from_state = resource.status
        resource.mount()
        resource.mounted_records = records
        resource.last_mounted_on = mounted_on or timezone.localdate()
        _new_version(resource, actor=actor, summary=f"挂载数据 {records} 条", changes=["挂载记录数", "最近挂载日期"])
        resource.save(update_fields=["status", "mounted_records", "last_mounted_on", "version", "updated_at"])
        record_event(
            subject=resource,
            action="catalog.resource_mounted",
            actor=actor,
            from_state=from_state,
            to_state=resource.status,
            comment=f"挂载 {records} 条",
            ip=ip,
        )
    return resource


def resource_withdraw(*, actor, obj: DataResource, reason: str, ip: str | None = None) -> DataResource:
    _check_actor(actor, obj, ResourceAction.WITHDRAW)
    if not (reason or "").strip():
        raise CatalogError(MSG_WITHDRAW_NEEDS_REASON, {"reason": [MSG_WITHDRAW_NEEDS_REASON]})
    check_text(DataResource, "withdraw_reason", reason.strip(), field="reason")
    with transaction.atomic():
        resource = _lock(obj)
        _check_state(resource, ResourceAction.WITHDRAW)
        from_state = resource.status
        resource.withdraw()
        resource.withdraw_reason = reason.strip()
        resource.withdrawn_at = timezone.now()
        _new_version(resource, actor=actor, summary="撤销：" + resource.withdraw_reason, changes=["状态"])
        resource.save(update_fields=["status", "withdraw_reason", "withdrawn_at", "version", "updated_at"])
        # What ends with the entry (its grants) ends before this transaction's first audit event: a
        # revocation holds its grant and then waits for the audit chain's lock, so locking grants after
        # taking that lock could deadlock.
        try:
            signals.resource_withdrawing.send(sender=DataResource, resource=resource, actor=actor, ip=ip)
        except signals.WithdrawalRefused as exc:
            raise CatalogError(str(exc)) from exc
        record_event(
            subject=resource,
            action="catalog.resource_withdrawn",
            actor=actor,
            from_state=from_state,
            to_state=resource.status,
            comment=resource.withdraw_reason,
            ip=ip,
        )
        _announce_withdrawal(resource)
        if actor.department_id != resource.provider_department_id:  # the bureau withdrew it
            tell_provider(
                resource, f"政数局撤销了资源目录“{resource.code} {resource.name}”，原因：{resource.withdraw_reason}"
            )
        transaction.on_commit(lambda: signals.resource_withdrawn.send(sender=DataResource, resource=resource))
    return resource


def _announce_withdrawal(resource: DataResource) -> None:
    """Tell whoever raised a demand linked to the withdrawn resource, inside the withdrawal's transaction.
    (Holders of its grants are told by the revocation of each grant, signals.resource_withdrawing.)
    """
    from notifications.services import notify

    demanders = {d.created_by for d in resource.demands.select_related("created_by")}
    if demanders:
        notify(
            recipients=demanders,
            event="catalog_resource_withdrawn",
            subject=resource,
            context={"resource": resource, "link": resource_link(resource)},
        )
