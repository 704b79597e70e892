"""A report filled in by spreadsheet: its template (pre-filled) and the upload, all or nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.views import View

from systems_inventory import excel_export, selectors, services
from systems_inventory.forms import ImportForm
from systems_inventory.messages import MSG_IMPORT_FAILED
from systems_inventory.services import SelfCheckError
from systems_inventory.views.common import require, xlsx_response
from systems_inventory.views.reports import visible_report
from workflows.audit import client_ip


class ReportTemplateView(LoginRequiredMixin, View):
    """The report's rows as they stand (the register's systems before it was started), to fill in and upload."""

    def get(self, request, pk: int):
        report = visible_report(request.user, pk)
        require(selectors.available_actions(request.user, report).fill)
        lines = list(selectors.report_lines(report))
        rows = lines or list(selectors.register_preview(report).prefetch_related("resources"))
        return xlsx_response(excel_export.build_template(report, rows), f"self-check-report-{report.pk}.xlsx")


class ReportImportView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        report = visible_report(request.user, pk)
        require(selectors.available_actions(request.user, report).fill)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            context = {"report": report, "form": form, "errors": []}
            return render(request, "systems_inventory/import_result.html", context, status=400)
        try:
            result = services.report_import(
                actor=request.user, obj=report, upload=form.cleaned_data["file"], ip=client_ip(request)
            )
        except SelfCheckError as exc:
            messages.error(request, exc.message)
            return redirect("systems_inventory:report_detail", pk=pk)
        if not result.ok:
            context = {
                "report": report,
                "form": ImportForm(),
                "errors": result.errors,
                "summary": MSG_IMPORT_FAILED.format(count=result.error_count),
            }
            return render(request, "systems_inventory/import_result.html", context, status=400)
        messages.success(request, f"已导入信息系统 {len(result.rows)} 个，请核对后提交部门负责人确认。")
        return redirect("systems_inventory:report_detail", pk=pk)
