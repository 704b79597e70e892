from django.contrib import admin

from systems_inventory.models import (
    Campaign,
    DepartmentReport,
    DepartmentReportProcess,
    FunctionCategory,
    InfoSystem,
    ReportLine,
    SystemVersion,
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
