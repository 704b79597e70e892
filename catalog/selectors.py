"""Reads of the catalog: search, queues, completeness, negative-list checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from catalog.choices import SHARE_METHOD_FIELDS, BaseLibrary
from catalog.models import (
    DRAFT_STATES,
    PUBLISHED_STATES,
    AuthoritativeSource,
    BaseLibraryTarget,
    DataItem,
    DataResource,
    DemandItem,
    ImportJob,
    NegativeListEntry,
    ResourceStatus,
    SourceCopy,
)
from catalog.permissions import sees_all_demands
from organizations.models import Department
from workflows.labels import labelled
from workflows.models import AuditEvent

CURRENT_ITEM_COUNT = Count("items", filter=Q(items__retired_at=None))


def published_resources() -> QuerySet[DataResource]:
    return DataResource.objects.filter(status__in=PUBLISHED_STATES).select_related("provider_department", "legal_basis")


def search_resources(
    queryset: QuerySet[DataResource] | None = None,
    *,
    q: str = "",
    department=None,
    domain: str = "",
    share_class: str = "",
    base_library: str = "",
    method: str = "",
    security_level: int | None = None,
) -> QuerySet[DataResource]:
    """Filter the catalog. Full text is substring matching: Chinese has no spaces between words,
    so PostgreSQL's word-based text search would miss most queries; names are short enough for LIKE."""
    queryset = published_resources() if queryset is None else queryset
    if q:
        q = q.strip()
        queryset = queryset.filter(
            Q(name__icontains=q)
            | Q(code__icontains=q)
            | Q(description__icontains=q)
            | Exists(DataItem.objects.filter(resource=OuterRef("pk"), name__icontains=q, retired_at=None))
        )
    if department:
        queryset = queryset.filter(provider_department=department)
    if domain:
        queryset = queryset.filter(domain=domain)
    if share_class:
        queryset = queryset.filter(share_class=share_class)
    if base_library:
        queryset = queryset.filter(base_library=base_library)
    if method in SHARE_METHOD_FIELDS:
        queryset = queryset.filter(**{method: True})
    if security_level:
        queryset = queryset.filter(security_level=security_level)
    return queryset


def review_queue() -> QuerySet[DataResource]:
    return (
        DataResource.objects.filter(status=ResourceStatus.SUBMITTED)
        .select_related("provider_department")
        .annotate(item_count=CURRENT_ITEM_COUNT)
        .order_by("submitted_at", "id")
    )


def department_resources(department) -> QuerySet[DataResource]:
    return (
        DataResource.objects.filter(provider_department=department)
        .annotate(item_count=CURRENT_ITEM_COUNT)
        .order_by("status", "code")
    )


def department_entries(department) -> QuerySet[DataResource]:
    """Every entry of the department, whatever its state (the export of 本部门目录)."""
    return DataResource.objects.filter(provider_department=department)


def resource_events(resource: DataResource) -> list:
    """The entry's 办理记录, labelled for reading."""
    events = AuditEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(DataResource), subject_id=str(resource.pk)
    )
    return labelled(events.select_related("actor", "subject_type").order_by("pk"))


def demands_visible_to(user) -> QuerySet[DemandItem]:
    demands = DemandItem.objects.select_related("department", "desired_provider", "linked_resource")
    return demands if sees_all_demands(user) else demands.filter(department=user.department)


def negative_list(*, active_only: bool) -> QuerySet[NegativeListEntry]:
    entries = NegativeListEntry.objects.select_related("resource", "legal_basis").prefetch_related("items")
    return entries.filter(is_active=True) if active_only else entries


def recent_import_jobs(user, count: int = 10) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(created_by=user)[:count]


@dataclass(frozen=True)
class LibraryRate:
    base_library: str
    label: str
    items: int
    expected: int | None

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return int(100 * self.items / self.expected)  # seed 003 rounds 740/1500 down to 49%


def department_completeness() -> list[dict]:
    """Per department: entries by status (drafts and reviews included, so laggards show)."""
    counts = {}
    for row in DataResource.objects.values("provider_department", "status").annotate(n=Count("id")):
        counts.setdefault(row["provider_department"], {})[row["status"]] = row["n"]
    item_counts = dict(
        DataItem.objects.filter(resource__status__in=PUBLISHED_STATES, retired_at=None)
        .values("resource__provider_department")
        .annotate(n=Count("id"))
        .values_list("resource__provider_department", "n")
    )
    rows = []
    for department in Department.objects.filter(is_active=True).order_by("code"):
        by_status = counts.get(department.pk, {})
        rows.append(
            {
                "department": department,
                "in_progress": sum(by_status.get(s, 0) for s in [*DRAFT_STATES, ResourceStatus.SUBMITTED]),
                "registered": by_status.get(ResourceStatus.REGISTERED, 0),
                "mounted": by_status.get(ResourceStatus.MOUNTED, 0),
                "withdrawn": by_status.get(ResourceStatus.WITHDRAWN, 0),
                "items": item_counts.get(department.pk, 0),
            }
        )
    return rows


def negative_listed_item_ids(resource: DataResource) -> set[int]:
    """The resource's current items the negative list forbids: all of them when an entry lists the whole resource."""
    entries = negative_list_hits(resource)
    if any(not entry.items.all() for entry in entries):
        return set(resource.current_items().values_list("pk", flat=True))
    return {item.pk for entry in entries for item in entry.items.all()}


def base_library_rates() -> list[LibraryRate]:
    """Items registered in each base library against its target (seed 003: 人口库 740/1500, 49%)."""
    items = dict(
        DataItem.objects.filter(resource__status__in=PUBLISHED_STATES, retired_at=None)
        .exclude(resource__base_library="")
        .values("resource__base_library")
        .annotate(n=Count("id"))
        .values_list("resource__base_library", "n")
    )
    targets = dict(BaseLibraryTarget.objects.values_list("base_library", "expected_items"))
    return [
        LibraryRate(library.value, library.label, items.get(library.value, 0), targets.get(library.value))
        for library in BaseLibrary
    ]


def negative_list_hits(resource: DataResource, item_ids: Iterable[int] | None = None) -> list[NegativeListEntry]:
    """Active negative-list entries that forbid sharing `resource` (or the given items of it).

    For the share-application issue: an entry without items bans the whole resource; an entry
    with items bans those items. With item_ids None every entry on the resource counts.

    item_ids is read only when an entry lists items, so a caller may pass a lazy queryset: a
    resource without such entries (nearly all of them) then costs one query. A single query
    with an Exists() subquery for the items was measured slower: compiling it costs the ORM
    more than the second query it saves.
    """
    entries = list(
        NegativeListEntry.objects.filter(resource=resource, is_active=True)
        .select_related("legal_basis")
        .prefetch_related("items")
    )
    if item_ids is None or not any(e.items.all() for e in entries):
        return entries
    wanted = set(item_ids)
    return [e for e in entries if not e.items.all() or wanted & {i.pk for i in e.items.all()}]


# ---------------------------------------------------------------- 一数一源


def authoritative_sources(*, active_only: bool = True) -> QuerySet[AuthoritativeSource]:
    sources = AuthoritativeSource.objects.select_related(
        "item__resource__provider_department", "designated_by"
    ).prefetch_related("aliases")
    return sources.filter(is_active=True) if active_only else sources


def datum_key(name: str) -> str:
    """A name as compared for 一数一源: without spaces, full-width or not."""
    return "".join(name.split())


def duplicates(resource: DataResource) -> list[tuple[DataItem, AuthoritativeSource]]:
    """The resource's current items whose name is an authoritative source's datum or equivalent name, with that
    source; an item that is itself the source, or of the source's resource, is none."""
    by_name = {datum_key(name): source for source in authoritative_sources() for name in source.names()}
    found = []
    for item in resource.current_items().order_by("position", "pk"):
        source = by_name.get(datum_key(item.name))
        if source is not None and source.item.resource_id != resource.pk:
            found.append((item, source))
    return found


def copies_among(resources: Iterable[DataResource]) -> list[SourceCopy]:
    """The items of these resources registered as copies, with their sources' departments and resources."""
    return list(
        SourceCopy.objects.filter(item__resource__in=list(resources), item__retired_at=None, source__is_active=True)
        .select_related("item__resource", "source__item__resource__provider_department")
        .order_by("item__resource_id", "item__position", "item_id")
    )
