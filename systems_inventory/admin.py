from django.contrib import admin

from systems_inventory.models import (
    Campaign,
    DataDisposition,
    DataStore,
    DepartmentReport,
    DepartmentReportProcess,
    FunctionCategory,
    InfoSystem,
    Objection,
    ReportLine,
    ShutdownAttachment,
    ShutdownCase,
    ShutdownCaseProcess,
    SystemActivity,
    SystemToken,
    SystemVersion,
    ZombieAssessment,
    ZombieScan,
)
from workflows.admin import ReadOnlyAdmin


@admin.register(FunctionCategory)
class FunctionCategoryAdmin(admin.ModelAdmin):
    """The maintained list: operators add categories and retire old ones (a category in use cannot be deleted)."""

    list_display = ["code", "name", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


class SystemVersionInline(admin.TabularInline):
    model = SystemVersion
    extra = 0
    fields = readonly_fields = ["number", "summary", "report", "created_by", "created_at", "snapshot_hash"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InfoSystem)
class InfoSystemAdmin(ReadOnlyAdmin):
    """The register changes only through accepted self-check reports, which version and audit it."""

    list_display = ["name", "department", "build_type", "deployment", "usage_frequency", "connected", "status"]
    list_filter = ["status", "build_type", "deployment", "usage_frequency", "connected", "department"]
    list_select_related = ["department"]
    search_fields = ["name", "function"]
    inlines = [SystemVersionInline]


@admin.register(SystemVersion)
class SystemVersionAdmin(ReadOnlyAdmin):
    list_display = ["system", "number", "summary", "created_by", "created_at"]
    list_select_related = ["system"]
    search_fields = ["system__name"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    """Campaigns are created, launched and closed on their pages, which audit every step."""

    list_display = ["title", "state", "due_at", "launched_at", "closed_at", "created_by"]
    list_filter = ["state"]
    search_fields = ["title"]


class ReportLineInline(admin.TabularInline):
    model = ReportLine
    extra = 0
    fields = readonly_fields = ["position", "name", "system", "action", "build_type", "deployment", "frozen_version"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DepartmentReport)
class DepartmentReportAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "department", "state", "is_late", "confirmed_at", "decided_at"]
    list_filter = ["state", "is_late", "campaign"]
    list_select_related = ["campaign", "department"]
    search_fields = ["department__name", "campaign__title"]
    inlines = [ReportLineInline]


@admin.register(ReportLine)
class ReportLineAdmin(ReadOnlyAdmin):
    list_display = ["name", "report", "action", "build_type", "deployment", "connected"]
    list_filter = ["action", "build_type", "deployment"]
    list_select_related = ["report__campaign", "report__department"]
    search_fields = ["name"]


@admin.register(DepartmentReportProcess)
class DepartmentReportProcessAdmin(ReadOnlyAdmin):
    list_display = ["id", "report", "status", "created", "finished"]
    list_filter = ["status"]


# --- evidence, scans and the shutdown chain: written by their services and pages only, which audit them ---------


@admin.register(SystemActivity)
class SystemActivityAdmin(ReadOnlyAdmin):
    list_display = ["system", "month", "source", "active_users", "logins", "transactions", "last_activity"]
    list_filter = ["source"]
    list_select_related = ["system"]
    search_fields = ["system__name"]
    date_hierarchy = "month"


@admin.register(SystemToken)
class SystemTokenAdmin(ReadOnlyAdmin):
    """Only the hash is kept; tokens are issued and disabled on the system's page."""

    list_display = ["system", "prefix", "is_active", "created_by", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    list_select_related = ["system", "created_by"]
    exclude = ["token_hash"]


@admin.register(ZombieScan)
class ZombieScanAdmin(ReadOnlyAdmin):
    list_display = ["id", "trigger", "ruleset_version", "started_at", "finished_at", "systems", "candidates", "opened"]
    list_filter = ["trigger", "ruleset_version"]


@admin.register(ZombieAssessment)
class ZombieAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["system", "assessed_on", "ruleset_version", "case", "scan"]
    list_filter = ["ruleset_version"]
    list_select_related = ["system", "case", "scan"]
    search_fields = ["system__name"]


class ObjectionInline(admin.TabularInline):
    model = Objection
    extra = 0
    fields = readonly_fields = ["filed_by", "filed_at", "outcome", "decided_by", "decided_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DispositionInline(admin.TabularInline):
    model = DataDisposition
    extra = 0
    fields = readonly_fields = ["store", "method", "row_count", "manifest_sha256", "state", "verified_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ShutdownCase)
class ShutdownCaseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "origin", "state", "objection_due_at", "disposition_due_at", "is_overdue"]
    list_filter = ["state", "kind", "origin", "is_overdue"]
    list_select_related = ["system"]
    search_fields = ["system__name"]
    inlines = [ObjectionInline, DispositionInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["case", "filed_by", "filed_at", "outcome", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["case__system"]


@admin.register(DataStore)
class DataStoreAdmin(ReadOnlyAdmin):
    list_display = ["name", "system", "kind", "location", "volume"]
    list_filter = ["kind"]
    list_select_related = ["system"]
    search_fields = ["name", "system__name"]


@admin.register(DataDisposition)
class DataDispositionAdmin(ReadOnlyAdmin):
    list_display = ["store", "case", "method", "row_count", "state", "verified_by", "verified_at"]
    list_filter = ["method", "state"]
    list_select_related = ["store", "case__system", "verified_by"]


@admin.register(ShutdownAttachment)
class ShutdownAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "case", "purpose", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["purpose"]
    list_select_related = ["case__system", "uploaded_by"]


@admin.register(ShutdownCaseProcess)
class ShutdownCaseProcessAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "status", "created", "finished"]
    list_filter = ["status"]
