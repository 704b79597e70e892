from django.contrib import admin

from requests.models import (
    ApiToken,
    ApplicationAttachment,
    ClassDispute,
    Decision,
    Grant,
    GrantCheckStat,
    RefusalReason,
    Scenario,
    ScenarioPart,
    ScenarioPartProcess,
    ScenarioProcess,
    ShareApplication,
    ShareApplicationProcess,
)
from workflows.admin import ReadOnlyAdmin


class AttachmentInline(admin.TabularInline):
    model = ApplicationAttachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    fields = readonly_fields
    can_delete = False


@admin.register(ShareApplication)
class ShareApplicationAdmin(ReadOnlyAdmin):
    """States change only through the services (and so the flow); the admin reads."""

    list_display = [
        "id",
        "applicant_department",
        "provider_department",
        "resource",
        "state",
        "submitted_at",
        "due_at",
        "was_overdue",
    ]
    list_filter = ["state", "was_overdue", "share_method"]
    list_select_related = ["applicant_department", "provider_department", "resource"]
    search_fields = ["resource__name", "resource__code", "scenario", "business_matter"]
    date_hierarchy = "submitted_at"
    inlines = [AttachmentInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "outcome", "decided_as", "decided_by", "countersigned_by", "effective_at"]
    list_filter = ["outcome", "decided_as"]
    list_select_related = ["application", "decided_by", "countersigned_by"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "consumer_department",
        "provider_department",
        "resource",
        "valid_from",
        "valid_to",
        "state",
    ]
    list_filter = ["state", "share_method", ("scenario", admin.EmptyFieldListFilter)]
    list_select_related = ["consumer_department", "provider_department", "resource"]
    search_fields = ["number", "resource__name", "resource__code", "scenario__name"]


@admin.register(RefusalReason)
class RefusalReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "requires_legal_basis", "is_active"]
    list_filter = ["requires_legal_basis", "is_active"]


@admin.register(ClassDispute)
class ClassDisputeAdmin(ReadOnlyAdmin):
    """Filed and decided through the services, with the application; the admin reads."""

    list_display = ["application", "filed_by", "outcome", "decided_by", "created_at"]
    list_filter = ["outcome"]
    readonly_fields = ["application", "filed_by", "reason", "created_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued and disabled on 共享授权 → 接口令牌 (or `manage.py issue_api_token`), which audit it."""

    list_display = ["name", "department", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]


@admin.register(GrantCheckStat)
class GrantCheckStatAdmin(ReadOnlyAdmin):
    """Written by beat from the cache's counters (requests.tasks.flush_grant_check_stats); the admin reads."""

    list_display = ["day", "consumer", "resource", "outcome", "calls"]
    list_filter = ["outcome", "day"]
    list_select_related = ["consumer", "resource"]
    search_fields = ["consumer__code", "resource__code"]
    date_hierarchy = "day"


@admin.register(ApplicationAttachment)
class ApplicationAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "application", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["application", "uploaded_by"]
    search_fields = ["original_name", "sha256"]


@admin.register(ShareApplicationProcess)
class ShareApplicationProcessAdmin(ReadOnlyAdmin):
    list_display = ["id", "application", "status", "created", "finished"]
    list_filter = ["status"]
    list_select_related = ["application"]


class ScenarioPartInline(admin.TabularInline):
    model = ScenarioPart
    extra = 0
    fields = ["position", "resource", "provider_department", "share_method", "state", "decided_by", "authorized"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    """Proposed, answered, authorized and ended through the services (the 应用场景 pages); the admin reads."""

    list_display = ["id", "name", "proposing_department", "state", "valid_from", "valid_to", "authorized_at"]
    list_filter = ["state"]
    list_select_related = ["proposing_department"]
    search_fields = ["name", "business_matter"]
    date_hierarchy = "created_at"
    inlines = [ScenarioPartInline]


@admin.register(ScenarioPart)
class ScenarioPartAdmin(ReadOnlyAdmin):
    list_display = ["scenario", "resource", "provider_department", "state", "decided_as", "due_at", "authorized"]
    list_filter = ["state", "decided_as", "was_overdue", "authorized"]
    list_select_related = ["scenario", "resource", "provider_department"]
    search_fields = ["scenario__name", "resource__name", "resource__code"]


@admin.register(ScenarioProcess)
class ScenarioProcessAdmin(ReadOnlyAdmin):
    list_display = ["id", "scenario", "status", "created", "finished"]
    list_filter = ["status"]
    list_select_related = ["scenario"]


@admin.register(ScenarioPartProcess)
class ScenarioPartProcessAdmin(ReadOnlyAdmin):
    list_display = ["id", "part", "status", "created", "finished"]
    list_filter = ["status"]
    list_select_related = ["part"]
