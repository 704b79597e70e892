from django.contrib import admin, messages

from notifications import events, services
from notifications.models import Notification, NotificationPreference, OutboundEmail
from workflows.admin import ReadOnlyAdmin


def event_label(key: str) -> str:
    """The event type in words (notifications.events); a key nobody registered shows as it is."""
    event = events.EVENTS.get(key)
    return event.label if event else key


class EventListFilter(admin.SimpleListFilter):
    title = "事件类型"
    parameter_name = "event"

    def lookups(self, request, model_admin):
        keys = model_admin.model.objects.order_by("event").values_list("event", flat=True).distinct()
        return [(key, event_label(key)) for key in keys]

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


class EventLabelMixin:
    @admin.display(description="事件类型", ordering="event")
    def event_label(self, obj) -> str:
        return event_label(obj.event)


@admin.register(Notification)
class NotificationAdmin(EventLabelMixin, ReadOnlyAdmin):
    """A notice is what its recipient was told (a decision, a deadline): nobody rewrites or deletes it."""

    list_display = ["id", "created_at", "recipient", "on_behalf_of", "event_label", "title", "read_at"]
    list_filter = [EventListFilter, ("read_at", admin.EmptyFieldListFilter)]
    fields = [
        "created_at",
        "recipient",
        "on_behalf_of",
        "event_label",
        "subject_type",
        "subject_id",
        "title",
        "body",
        "link",
        "read_at",
    ]
    list_select_related = ["recipient", "on_behalf_of"]
    search_fields = ["title", "recipient__username", "recipient__last_name"]
    date_hierarchy = "created_at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(EventLabelMixin, admin.ModelAdmin):
    """The outbox by status; failed rows can be sent again. Rows are written only by notify()."""

    list_display = ["id", "created_at", "status", "to_address", "event_label", "subject_line", "attempts", "sent_at"]
    list_filter = ["status", EventListFilter]
    search_fields = ["to_address", "subject_line", "last_error"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A row is moved on only by the sender and the retry action, never edited:
        # a saved form would write back a stale status. The action checks obj=None.
        return obj is None and super().has_change_permission(request)

    @admin.action(description="重新发送选中的失败邮件", permissions=["change"])
    def retry_failed(self, request, queryset):
        count = services.emails_retry(email_ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        messages.success(request, f"已重新排队 {count} 封邮件。")
        if skipped:
            messages.warning(request, f"{skipped} 封不是“发送失败”状态，未处理：{services.NOT_RETRYABLE}")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(EventLabelMixin, admin.ModelAdmin):
    list_display = ["user", "event_label", "channel"]
    list_filter = [EventListFilter, "channel"]
    raw_id_fields = ["user"]
