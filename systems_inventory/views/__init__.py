"""信息系统自查 pages, in the viewflow Site: the register, campaigns and their statistics, reports and tasks, usage
evidence, the zombie candidates and the shutdown cases.

Visibility is 404, a forbidden step 403 (systems_inventory.permissions).
"""

from __future__ import annotations

from django.urls import path
from viewflow.urls import Application

from systems_inventory.views.activity import ActivityTemplateView, ActivityView, TokenDisableView, TokenIssueView
from systems_inventory.views.campaigns import (
    CampaignActionView,
    CampaignDetailView,
    CampaignFormView,
    CampaignListView,
    StatisticsExportView,
)
from systems_inventory.views.register import RegisterExportView, RegisterView, SystemDetailView, VersionDetailView
from systems_inventory.views.reports import (
    LineActionView,
    LineFormView,
    ReportActionView,
    ReportDetailView,
    TaskListView,
)
from systems_inventory.views.shutdown import (
    AttachmentView,
    CandidateListView,
    CaseActionView,
    CaseDetailView,
    DispositionDecisionView,
    DispositionRecordView,
    ScanView,
    SystemProposeView,
    SystemRequestView,
)
from systems_inventory.views.spreadsheets import ReportImportView, ReportTemplateView

__all__ = ["SystemsInventoryApplication"]


class SystemsInventoryApplication(Application):
    title = "信息系统自查"
    icon = "dns"
    app_name = "systems_inventory"
    menu_template_name = "systems_inventory/app_menu.html"
    turbo_disabled = True  # spreadsheet downloads and uploads

    index_path = path("", RegisterView.as_view(), name="index")
    urlpatterns = [
        path("export.xlsx", RegisterExportView.as_view(), name="export"),
        path("systems/<int:pk>/", SystemDetailView.as_view(), name="system_detail"),
        path("systems/<int:pk>/versions/<int:number>/", VersionDetailView.as_view(), name="version_detail"),
        path("systems/<int:pk>/tokens/", TokenIssueView.as_view(), name="token_issue"),
        path("systems/<int:pk>/tokens/<int:token_pk>/disable/", TokenDisableView.as_view(), name="token_disable"),
        path("systems/<int:pk>/retire/", SystemRequestView.as_view(), name="system_request"),
        path("systems/<int:pk>/propose/", SystemProposeView.as_view(), name="system_propose"),
        path("zombies/", CandidateListView.as_view(), name="candidates"),
        path("zombies/scan/", ScanView.as_view(), name="scan"),
        path("cases/<int:pk>/", CaseDetailView.as_view(), name="case_detail"),
        path(
            "cases/<int:pk>/stores/<int:store_pk>/dispose/", DispositionRecordView.as_view(), name="disposition_record"
        ),
        path("cases/<int:pk>/<str:action>/", CaseActionView.as_view(), name="case_action"),
        path("dispositions/<int:pk>/<str:action>/", DispositionDecisionView.as_view(), name="disposition_decision"),
        path("case-attachments/<int:pk>/", AttachmentView.as_view(), name="case_attachment"),
        path("activity/", ActivityView.as_view(), name="activity"),
        path("activity/template.xlsx", ActivityTemplateView.as_view(), name="activity_template"),
        path("campaigns/", CampaignListView.as_view(), name="campaigns"),
        path("campaigns/new/", CampaignFormView.as_view(), name="campaign_create"),
        path("campaigns/<int:pk>/", CampaignDetailView.as_view(), name="campaign_detail"),
        path("campaigns/<int:pk>/edit/", CampaignFormView.as_view(), name="campaign_edit"),
        path("campaigns/<int:pk>/statistics.xlsx", StatisticsExportView.as_view(), name="statistics_export"),
        path("campaigns/<int:pk>/<str:action>/", CampaignActionView.as_view(), name="campaign_action"),
        path("tasks/", TaskListView.as_view(), name="tasks"),
        path("reports/<int:pk>/", ReportDetailView.as_view(), name="report_detail"),
        path("reports/<int:pk>/systems/new/", LineFormView.as_view(), name="line_create"),
        path("reports/<int:pk>/template.xlsx", ReportTemplateView.as_view(), name="report_template"),
        path("reports/<int:pk>/import/", ReportImportView.as_view(), name="report_import"),
        path("reports/<int:pk>/<str:action>/", ReportActionView.as_view(), name="report_action"),
        path("lines/<int:line_pk>/edit/", LineFormView.as_view(), name="line_edit"),
        path("lines/<int:line_pk>/<str:action>/", LineActionView.as_view(), name="line_action"),
    ]
