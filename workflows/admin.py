from django.contrib import admin
from django.utils import timezone
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from organizations.admin import ReadOnlyAdmin  # the apps above import it from here
from workflows import deadlines, labels, workcalendar
from workflows.models import AuditEvent, CalendarOverride, Deadline


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        """Above the list (admin/workflows/calendaroverride/change_list.html), the years the official calendar
        lacks: those whose announced arrangements an operator enters here."""
        notices = workcalendar.missing_year_notices(timezone.localdate())
        return super().changelist_view(request, {**(extra_context or {}), "calendar_notices": notices})


class ActionListFilter(admin.SimpleListFilter):
    title = "动作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        """One choice per action: an old code and its namespaced code are the same action."""
        stored = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        actions = sorted({labels.canonical_action(action) for action in stored})
        return [(action, labels.action_label(action)) for action in actions]

    def queryset(self, request, queryset):
        action = self.value()
        return queryset.filter(labels.action_filter(action)) if action else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only, even for superusers. Actions and states read in words
    (workflows.labels); a code without a label shows as it is."""

    list_display = ["id", "created_at", "actor", "action_label", "subject_type", "subject_id", "from_label", "to_label"]
    list_filter = [ActionListFilter, "subject_type"]
    list_select_related = ["actor", "subject_type"]
    search_fields = ["subject_id", "comment", "hash"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "created_at",
        "actor",
        "action_label",
        "subject_type",
        "subject_id",
        "from_label",
        "to_label",
        "comment",
        "data",
        "ip",
        "prev_hash",
        "hash",
    )

    @admin.display(description="动作", ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return labels.action_label(event.action)

    @admin.display(description="原状态", ordering="from_state")
    def from_label(self, event: AuditEvent) -> str:
        return labels.state_label(event, event.from_state)

    @admin.display(description="新状态", ordering="to_state")
    def to_label(self, event: AuditEvent) -> str:
        return labels.state_label(event, event.to_state)


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    """Deadlines are set and closed by the processes; the operator watches them. Kinds and actions read
    in words (workflows.deadlines.describe); one nobody described shows as it is."""

    list_display = ["id", "title", "kind_label", "subject_type", "subject_id", "status", "due_at", "remind_at"]
    list_filter = ["status", "subject_type"]
    search_fields = ["subject_id", "title"]
    date_hierarchy = "due_at"
    fields = readonly_fields = (
        "title",
        "kind_label",
        "subject_type",
        "subject_id",
        "starts_on",
        "workdays",
        "due_at",
        "remind_before_workdays",
        "remind_at",
        "on_remind_label",
        "on_expiry_label",
        "recipients",
        "status",
        "reminded_at",
        "expired_at",
        "closed_at",
        "created_at",
    )

    @admin.display(description="期限类型", ordering="kind")
    def kind_label(self, deadline: Deadline) -> str:
        return deadlines.KIND_LABELS.get(deadline.kind, deadline.kind)

    @admin.display(description="提醒动作")
    def on_remind_label(self, deadline: Deadline) -> str:
        return deadlines.ACTION_LABELS.get(deadline.on_remind, deadline.on_remind)  # "": no reminder

    @admin.display(description="到期动作")
    def on_expiry_label(self, deadline: Deadline) -> str:
        return deadlines.ACTION_LABELS.get(deadline.on_expiry, deadline.on_expiry)


# viewflow's own process and task admin would let an operator edit or delete a task under a live
# application, leaving it stuck: the same lists, read-only, in words (its labels are English and
# its flow and task columns print class paths and node names).
admin.site.unregister(Process)
admin.site.unregister(Task)


class FlowListFilter(viewflow_admin.FlowClassListFilter):
    title = "流程"


class TaskInline(viewflow_admin.TaskInline):
    fields = readonly_fields = ("title", "status", "owner", "created", "finished")

    @admin.display(description="任务")
    def title(self, task: Task) -> str:
        return labels.task_title(task)


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin, viewflow_admin.ProcessAdmin):
    list_display = ["number", "created", "flow", "status", "participant_names", "summary"]
    list_display_links = ["number", "created", "flow"]
    list_filter = ["status", FlowListFilter]
    fields = readonly_fields = ("flow", "status", "created", "finished", "artifact_object", "summary")
    inlines = [TaskInline]

    @admin.display(description="编号", ordering="pk")
    def number(self, process: Process) -> int:
        return process.pk

    @admin.display(description="流程")
    def flow(self, process: Process) -> str:
        return str(process.flow_class.process_title) if process.flow_class else ""

    @admin.display(description="参与人")
    def participant_names(self, process: Process) -> str:
        return ", ".join(
            sorted({task.owner.get_full_name() or task.owner.username for task in process._participant_tasks})
        )

    @admin.display(description="摘要")
    def summary(self, process: Process) -> str:
        return process.brief

    @admin.display(description="办理对象")
    def artifact_object(self, process: Process) -> str:
        return str(process.artifact) if process.artifact else ""


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin, viewflow_admin.TaskAdmin):
    list_display = ["number", "created", "process", "title", "status", "owner", "started", "finished"]
    list_display_links = ["number", "created", "process"]
    list_filter = ["status"]
    fields = readonly_fields = ("process", "title", "status", "owner", "created", "assigned", "started", "finished")

    @admin.display(description="编号", ordering="pk")
    def number(self, task: Task) -> int:
        return task.pk

    @admin.display(description="任务")
    def title(self, task: Task) -> str:
        return labels.task_title(task)
