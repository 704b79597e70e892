from django.contrib import admin

from pdf_templates.models import Record, RecordCounter
from workflows.admin import ReadOnlyAdmin


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
