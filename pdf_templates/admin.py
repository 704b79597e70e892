from django.contrib import admin

from pdf_templates.models import Record, RecordCounter


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records and counters are written only by services: corrections are new records."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ["number", "type", "title", "issuer", "issued_at", "render_status", "signature_status"]
    list_filter = ["type", "render_status", "signature_status", "issuer"]
    list_select_related = ["issuer"]
    search_fields = ["number", "title", "verification_code", "data_sha256", "pdf_sha256"]
    date_hierarchy = "issued_at"
    readonly_fields = [f.name for f in Record._meta.fields]


@admin.register(RecordCounter)
class RecordCounterAdmin(ReadOnlyAdmin):
    list_display = ["issuer", "type", "year", "last_number"]
    list_filter = ["type", "year"]
    list_select_related = ["issuer"]
