"""数据看板 pages in the viewflow Site: the dashboard and its drill-down lists, the rankings and the 考核得分,
and the 情况通报. Read-only for department leaders and auditors; a user without the right gets 403, a
bulletin they may not see 404."""

from __future__ import annotations

from django.urls import path
from viewflow.urls import Application

from dashboard.views.bulletins import (
    BulletinActionView,
    BulletinCreateView,
    BulletinDetailView,
    BulletinEditView,
    BulletinListView,
)
from dashboard.views.pages import DashboardView, DrillView, ExportView, RankingsView, ScoreExportView

__all__ = ["DashboardApplication"]


class DashboardApplication(Application):
    title = "数据看板"
    icon = "insights"
    app_name = "dashboard"
    menu_template_name = "dashboard/app_menu.html"
    turbo_disabled = True  # spreadsheet downloads

    index_path = path("", DashboardView.as_view(), name="index")
    urlpatterns = [
        path("list/<str:name>/", DrillView.as_view(), name="drill"),
        path("export/<str:tab>/<str:key>.xlsx", ExportView.as_view(), name="export"),
        path("rankings/", RankingsView.as_view(), name="rankings"),
        path("rankings/scores.xlsx", ScoreExportView.as_view(), name="scores_export"),
        path("bulletins/", BulletinListView.as_view(), name="bulletins"),
        path("bulletins/new/", BulletinCreateView.as_view(), name="bulletin_create"),
        path("bulletins/<int:pk>/", BulletinDetailView.as_view(), name="bulletin"),
        path("bulletins/<int:pk>/edit/", BulletinEditView.as_view(), name="bulletin_edit"),
        path("bulletins/<int:pk>/issue/", BulletinActionView.as_view(), name="bulletin_issue"),
    ]
