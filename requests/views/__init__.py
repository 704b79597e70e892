"""共享申请 pages. Views parse input and call the services; what a user may do comes from the selectors.

Visibility is 404, a forbidden action 403.
"""

from __future__ import annotations

from django.urls import path
from viewflow.urls import Application

from requests.views.detail import ActionView, DetailView
from requests.views.form import ApplicationFormView
from requests.views.lists import AllView, AttachmentView, MineView, OverdueView, TaskListView

__all__ = ["ShareRequestsApplication", "TaskListView"]


class ShareRequestsApplication(Application):
    title = "共享申请"
    icon = "assignment"
    app_name = "share_requests"
    menu_template_name = "requests/app_menu.html"
    turbo_disabled = True  # attachments download, forms post files

    index_path = path("", MineView.as_view(), name="index")
    urlpatterns = [
        path("apply/", ApplicationFormView.as_view(), name="apply"),
        path("tasks/", TaskListView.as_view(), name="tasks"),
        path("overdue/", OverdueView.as_view(), name="overdue"),
        path("all/", AllView.as_view(), name="all"),
        path("attachments/<int:pk>/", AttachmentView.as_view(), name="attachment"),
        path("<int:pk>/", DetailView.as_view(), name="detail"),
        path("<int:pk>/edit/", ApplicationFormView.as_view(), name="edit"),
        path("<int:pk>/<str:action>/", ActionView.as_view(), name="action"),
    ]
