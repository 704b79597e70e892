from django.contrib import admin
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from workflows.models import AuditEvent, CalendarOverride, Deadline


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows only services write: operators look, nobody edits, adds or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only, even for superusers."""

    list_display = ["id", "created_at", "actor", "action", "subject_type", "subject_id", "from_state", "to_state"]
    list_filter = ["action", "subject_type"]
    list_select_related = ["actor", "subject_type"]
    search_fields = ["subject_id", "comment", "hash"]
    date_hierarchy = "created_at"


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    """Deadlines are set and closed by the processes; the operator watches them."""

    list_display = ["id", "title", "subject_type", "subject_id", "status", "due_at", "remind_at", "reminded_at"]
    list_filter = ["status", "kind", "subject_type"]
    search_fields = ["subject_id", "title"]
    date_hierarchy = "due_at"
    readonly_fields = [field.name for field in Deadline._meta.fields] + ["recipients"]


# viewflow's own process and task admin would let an operator edit or delete a task under a live
# application, leaving it stuck: the same lists, read-only.
admin.site.unregister(Process)
admin.site.unregister(Task)


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin, viewflow_admin.ProcessAdmin):
    pass


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin, viewflow_admin.TaskAdmin):
    pass
