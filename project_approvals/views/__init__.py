"""建设项目审批 pages, in the viewflow Site: projects with their gate rule by rule, the forms, the bureau's first
reviews, the approving authority's 立项 and 验收, finance's 资金闸口 queue and O&M decisions.

Visibility is 404, a forbidden step 403 (project_approvals.permissions).
"""

from __future__ import annotations

from django.urls import path
from viewflow.urls import Application

from project_approvals.views.projects import (
    AttachmentRemoveView,
    AttachmentUploadView,
    AttachmentView,
    ConditionMeetView,
    EvaluationView,
    ProjectActionView,
    ProjectDetailView,
    ProjectFormView,
    ProjectListView,
    TaskListView,
)
from project_approvals.views.queues import ApprovalQueueView, FundingQueueView, OmFundingView, ReviewQueueView

__all__ = ["ProjectApprovalsApplication"]


class ProjectApprovalsApplication(Application):
    title = "建设项目审批"
    icon = "account_balance"
    app_name = "project_approvals"
    menu_template_name = "project_approvals/app_menu.html"
    turbo_disabled = True  # materials upload and download

    index_path = path("", ProjectListView.as_view(), name="index")
    urlpatterns = [
        path("new/", ProjectFormView.as_view(), name="create"),
        path("tasks/", TaskListView.as_view(), name="tasks"),
        path("review/", ReviewQueueView.as_view(), name="review_queue"),
        path("approvals/", ApprovalQueueView.as_view(), name="approval_queue"),
        path("funding/", FundingQueueView.as_view(), name="funding_queue"),
        path("funding/systems/<int:pk>/<int:year>/", OmFundingView.as_view(), name="om_system"),
        path("evaluations/<int:pk>/", EvaluationView.as_view(), name="evaluation"),
        path("attachments/<int:pk>/", AttachmentView.as_view(), name="attachment"),
        path("attachments/<int:pk>/remove/", AttachmentRemoveView.as_view(), name="attachment_remove"),
        path("conditions/<int:pk>/meet/", ConditionMeetView.as_view(), name="condition_meet"),
        path("<int:pk>/", ProjectDetailView.as_view(), name="detail"),
        path("<int:pk>/edit/", ProjectFormView.as_view(), name="edit"),
        path("<int:pk>/attachments/", AttachmentUploadView.as_view(), name="attachment_upload"),
        path("<int:pk>/<str:action>/", ProjectActionView.as_view(), name="action"),
    ]
