"""Usage evidence pages: a department reports its systems' use by spreadsheet (all or nothing), and issues or
disables a system's push token for POST /api/systems/activity. Another department's system is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from systems_inventory import activity_excel, permissions, selectors, services
from systems_inventory.forms import ActivityImportForm
from systems_inventory.messages import MSG_IMPORT_FAILED
from systems_inventory.models import SystemToken
from systems_inventory.services import SelfCheckError
from systems_inventory.views.common import require, xlsx_response
from systems_inventory.views.register import visible_system
from systems_inventory.zombie_rules.platform import month_start
from workflows.audit import client_ip


def _page(request, form, *, errors=(), summary="", status=200):
    user = request.user
    return render(
        request,
        "systems_inventory/activity.html",
        {
            "form": form,
            "errors": errors,
            "summary": summary,
            "systems": selectors.activity_overview(user.department_id),
            "last_month": month_start(timezone.localdate(), back=1),
        },
        status=status,
    )


class ActivityView(LoginRequiredMixin, View):
    """使用情况报送: the department's systems in use with their latest evidence, the template and the upload."""

    def get(self, request):
        require(permissions.reports_activity(request.user))
        return _page(request, ActivityImportForm())

    def post(self, request):
        require(permissions.reports_activity(request.user))
        form = ActivityImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _page(request, form, status=400)
        try:
            result = services.activity_import(
                actor=request.user,
                upload=form.cleaned_data["file"],
                source=form.cleaned_data["source"],
                ip=client_ip(request),
            )
        except SelfCheckError as exc:
            messages.error(request, exc.message)
            return redirect("systems_inventory:activity")
        if not result.ok:
            summary = MSG_IMPORT_FAILED.format(count=result.error_count)
            return _page(request, ActivityImportForm(), errors=result.errors, summary=summary, status=400)
        months = len(result.rows)
        messages.success(request, f"已报送 {months} 条使用情况（同一系统同一月份的原有数据已替换）。")
        return redirect("systems_inventory:activity")


class ActivityTemplateView(LoginRequiredMixin, View):
    def get(self, request):
        require(permissions.reports_activity(request.user))
        month = month_start(timezone.localdate(), back=1)
        systems = selectors.activity_overview(request.user.department_id)
        content = activity_excel.build_template(systems, month)
        return xlsx_response(content, f"system-activity-{month:%Y%m}.xlsx")


class TokenIssueView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        system = visible_system(request.user, pk)
        require(permissions.answers_for(request.user, system))
        try:
            token, raw = services.system_token_issue(actor=request.user, system=system, ip=client_ip(request))
        except SelfCheckError as exc:
            messages.error(request, exc.message)
        else:
            messages.warning(request, f"推送令牌（仅显示这一次，请妥善保存）：{raw}")
        return redirect("systems_inventory:system_detail", pk=pk)


class TokenDisableView(LoginRequiredMixin, View):
    def post(self, request, pk: int, token_pk: int):
        system = visible_system(request.user, pk)
        token = get_object_or_404(SystemToken, pk=token_pk, system=system)
        require(permissions.answers_for(request.user, system) or permissions.decides_shutdown(request.user))
        services.system_token_disable(actor=request.user, obj=token, ip=client_ip(request))
        messages.success(request, f"已停用令牌 {token.prefix}…。")
        return redirect("systems_inventory:system_detail", pk=pk)
