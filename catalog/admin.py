from django.contrib import admin

from catalog.models import (
    AuthoritativeSource,
    BaseLibraryTarget,
    DataItem,
    DataResource,
    DatumAlias,
    DemandItem,
    ImportJob,
    LegalBasis,
    NegativeListEntry,
    ResourceVersion,
    SourceCopy,
)
from workflows.admin import ReadOnlyAdmin


@admin.register(LegalBasis)
class LegalBasisAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "article", "issuer", "is_active"]
    search_fields = ["code", "title", "article"]
    list_filter = ["is_active"]


class DataItemInline(admin.TabularInline):
    model = DataItem
    extra = 0
    fields = ["position", "name", "data_type", "length", "precision", "security_level", "description", "retired_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ResourceVersionInline(admin.TabularInline):
    model = ResourceVersion
    extra = 0
    fields = ["number", "summary", "created_by", "created_at", "snapshot_hash"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DataResource)
class DataResourceAdmin(ReadOnlyAdmin):
    """Every change goes through the catalog pages, whose services version and audit it; this is for finding entries."""

    list_display = ["code", "name", "provider_department", "share_class", "security_level", "status", "version"]
    list_filter = ["status", "share_class", "base_library", "domain", "security_level", "provider_department"]
    search_fields = ["code", "name", "items__name"]
    readonly_fields = [
        "status",
        "version",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "registered_at",
        "withdrawn_at",
    ]
    autocomplete_fields = ["legal_basis"]
    inlines = [DataItemInline, ResourceVersionInline]


@admin.register(ResourceVersion)
class ResourceVersionAdmin(ReadOnlyAdmin):
    list_display = ["resource", "number", "summary", "created_by", "created_at"]
    search_fields = ["resource__code", "resource__name"]
    readonly_fields = [
        "resource",
        "number",
        "snapshot",
        "snapshot_hash",
        "changes",
        "summary",
        "created_by",
        "created_at",
    ]


@admin.register(DemandItem)
class DemandItemAdmin(ReadOnlyAdmin):
    """Demands are raised and linked on 需求清单, which notifies the demander and audits the link."""

    list_display = ["data_name", "department", "business_matter", "status", "linked_resource", "created_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["data_name", "business_matter"]


@admin.register(NegativeListEntry)
class NegativeListEntryAdmin(ReadOnlyAdmin):
    """The bureau keeps the list on the 负面清单 page, which audits every change."""

    list_display = ["resource", "legal_basis", "is_active", "created_by", "created_at"]
    list_filter = ["is_active"]
    filter_horizontal = ["items"]
    raw_id_fields = ["resource"]


@admin.register(BaseLibraryTarget)
class BaseLibraryTargetAdmin(admin.ModelAdmin):
    list_display = ["base_library", "expected_items"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "original_name",
        "created_by",
        "status",
        "progress",
        "resources_created",
        "items_created",
        "created_at",
    ]
    list_filter = ["status"]
    readonly_fields = [
        "status",
        "progress",
        "message",
        "errors",
        "resources_created",
        "items_created",
        "finished_at",
        "heartbeat_at",
    ]


@admin.register(DataItem)
class DataItemAdmin(ReadOnlyAdmin):
    """Items are edited with their resource (versioned by the services); this is for finding them."""

    list_display = ["name", "resource", "data_type", "length", "security_level"]
    list_filter = ["data_type", "security_level"]
    list_select_related = ["resource"]
    search_fields = ["name", "resource__code", "resource__name"]


class DatumAliasInline(admin.TabularInline):
    model = DatumAlias
    extra = 0
    fields = ["name"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AuthoritativeSource)
class AuthoritativeSourceAdmin(ReadOnlyAdmin):
    """Designated and kept on 目录 → 权威数源 (一数一源), which audits each change; the admin reads."""

    list_display = ["datum", "item", "is_active", "designated_by", "designated_at"]
    list_filter = ["is_active"]
    list_select_related = ["item", "designated_by"]
    search_fields = ["datum", "aliases__name", "item__name", "item__resource__name"]
    inlines = [DatumAliasInline]


@admin.register(DatumAlias)
class DatumAliasAdmin(ReadOnlyAdmin):
    list_display = ["name", "source"]
    list_select_related = ["source"]
    search_fields = ["name", "source__datum"]


@admin.register(SourceCopy)
class SourceCopyAdmin(ReadOnlyAdmin):
    """Registered with the copy's resource (注册为副本); the admin reads."""

    list_display = ["item", "source", "registered_by", "registered_at"]
    list_select_related = ["item", "source", "registered_by"]
    search_fields = ["item__name", "item__resource__name", "source__datum"]
