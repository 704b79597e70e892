from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from viewflow.urls import Application

from notifications import selectors, services
from notifications.forms import PreferencesForm


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/inapp/list.html"
    context_object_name = "notifications"
    paginate_by = 20

    def unread_only(self) -> bool:
        return self.request.GET.get("unread") == "1"

    def get_queryset(self):
        notifications = selectors.notifications_for(self.request.user)
        return notifications.filter(read_at=None) if self.unread_only() else notifications

    def get_context_data(self, **kwargs):
        return super().get_context_data(unread_only=self.unread_only(), **kwargs)


class NotificationDetailView(LoginRequiredMixin, DetailView):
    """Opening a notice marks it read."""

    template_name = "notifications/inapp/detail.html"
    context_object_name = "notification"

    def get_object(self, queryset=None):
        notification = selectors.notification_of(self.request.user, self.kwargs["pk"])
        return services.notification_mark_read(actor=self.request.user, notification=notification)


class MarkReadView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        notification = selectors.notification_of(request.user, pk)
        services.notification_mark_read(actor=request.user, notification=notification)
        return _back(request)


class MarkAllReadView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.notifications_mark_all_read(actor=request.user)
        messages.success(request, f"已将 {count} 条消息标记为已读。")
        return _back(request)


def _back(request) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:index")
    return redirect(target)


class PreferencesView(LoginRequiredMixin, TemplateView):
    template_name = "notifications/inapp/preferences.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", PreferencesForm(user=self.request.user))
        return super().get_context_data(**kwargs)

    def post(self, request):
        errors = []
        for event, current in selectors.preferences_of(request.user):
            channel = request.POST.get(f"event-{event.key}", current)
            if channel == current:
                continue
            try:
                services.preference_set(user=request.user, event=event.key, channel=channel)
            except services.NotificationError as exc:
                errors.append(f"{event.label}：{exc}")
        if errors:
            for error in errors:
                messages.error(request, error)
            return self.render_to_response(
                self.get_context_data(form=PreferencesForm(request.POST, user=request.user)), status=400
            )
        messages.success(request, "接收设置已保存。")
        return redirect("notifications:preferences")


class NotificationsApplication(Application):
    title = "消息通知"
    icon = "notifications"
    app_name = "notifications"
    menu_template_name = "notifications/inapp/menu.html"

    @property
    def index_path(self):
        return path("", NotificationListView.as_view(), name="index")

    detail_path = path("<int:pk>/", NotificationDetailView.as_view(), name="detail")
    read_path = path("<int:pk>/read/", MarkReadView.as_view(), name="read")
    read_all_path = path("read-all/", MarkAllReadView.as_view(), name="read_all")
    preferences_path = path("preferences/", PreferencesView.as_view(), name="preferences")
