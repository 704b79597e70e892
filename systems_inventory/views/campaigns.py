"""Campaign pages: the list, the bureau's form, launch and close, progress and statistics (with their export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from pdf_templates.views import trail_url
from systems_inventory import excel_export, permissions, selectors, services, statistics
from systems_inventory.forms import CampaignForm
from systems_inventory.models import Campaign
from systems_inventory.services import SelfCheckError
from systems_inventory.views.common import apply_errors, require, xlsx_response
from workflows import visibility
from workflows.audit import client_ip

MSG_DONE = {"launch": "自查已发起，各部门已收到填报任务。", "close": "自查已结束，统计数据已冻结。"}


def visible_campaign(user, pk: int) -> Campaign:
    """The campaign as its registered rule allows (workflows.visibility: its page, statistics and downloads)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if not visibility.can_view(user, campaign):
        raise Http404
    return campaign


class CampaignListView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        return render(
            request,
            "systems_inventory/campaigns.html",
            {
                "campaigns": selectors.campaigns_visible_to(user),
                "reports": selectors.department_reports(user),
                "can_create": permissions.manages_campaigns(user),
            },
        )


class CampaignFormView(LoginRequiredMixin, View):
    """Create (pk None) or change a draft campaign."""

    def _campaign(self, request, pk):
        require(permissions.manages_campaigns(request.user))
        if pk is None:
            return None
        campaign = visible_campaign(request.user, pk)
        require(selectors.campaign_actions(request.user, campaign).edit)
        return campaign

    def get(self, request, pk: int | None = None):
        campaign = self._campaign(request, pk)
        form = CampaignForm(instance=campaign)
        return render(request, "systems_inventory/campaign_form.html", {"form": form, "campaign": campaign})

    def post(self, request, pk: int | None = None):
        campaign = self._campaign(request, pk)
        form = CampaignForm(request.POST, instance=campaign)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "departments"}
            departments = form.cleaned_data["departments"]
            try:
                if campaign is None:
                    campaign = services.campaign_create(
                        actor=request.user, data=data, departments=departments, ip=client_ip(request)
                    )
                else:
                    campaign = services.campaign_update(
                        actor=request.user, obj=campaign, data=data, departments=departments, ip=client_ip(request)
                    )
                messages.success(request, "已保存。核对无误后请发起自查。")
                return redirect("systems_inventory:campaign_detail", pk=campaign.pk)
            except SelfCheckError as exc:
                apply_errors(form, exc)
        context = {"form": form, "campaign": campaign}
        return render(request, "systems_inventory/campaign_form.html", context, status=400)


class CampaignActionView(LoginRequiredMixin, View):
    services = {"launch": services.campaign_launch, "close": services.campaign_close}

    def post(self, request, pk: int, action: str):
        campaign = visible_campaign(request.user, pk)
        if action not in self.services:
            raise Http404
        require(getattr(selectors.campaign_actions(request.user, campaign), action))
        try:
            self.services[action](actor=request.user, obj=campaign, ip=client_ip(request))
            messages.success(request, MSG_DONE[action])
        except SelfCheckError as exc:
            messages.error(request, exc.message)
        return redirect("systems_inventory:campaign_detail", pk=pk)


class CampaignDetailView(LoginRequiredMixin, View):
    """Progress by department and the statistics from the accepted reports (frozen once closed)."""

    def get(self, request, pk: int):
        user = request.user
        campaign = visible_campaign(user, pk)
        stats = statistics.of(campaign)
        return render(
            request,
            "systems_inventory/campaign_detail.html",
            {
                "campaign": campaign,
                "actions": selectors.campaign_actions(user, campaign),
                "departments": campaign.departments.order_by("code") if not campaign.covers_all else None,
                "stats": stats,
                "summary": excel_export.summary_rows(stats),
                "sentence": statistics.sentence(stats),
                "awaiting": selectors.awaiting_review(campaign),
                "opens_reports": permissions.sees_all(user),
                "trail_url": trail_url(campaign) if permissions.sees_all(user) else "",
            },
        )


class StatisticsExportView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        campaign = visible_campaign(request.user, pk)
        content = excel_export.export_statistics(statistics.of(campaign))
        return xlsx_response(content, f"self-check-{campaign.pk}-statistics.xlsx")
