from django.contrib import admin

from workflows.models import AuditEvent, CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, even for superusers."""

    list_display = ["id", "created_at", "actor", "action", "subject_type", "subject_id", "from_state", "to_state"]
    list_filter = ["action", "subject_type"]
    list_select_related = ["actor", "subject_type"]
    search_fields = ["subject_id", "comment", "hash"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
