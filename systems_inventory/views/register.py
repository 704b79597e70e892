"""The register's pages: search with filters, the Excel export of a search, a system with its versions, its usage
evidence and where it stands in the shutdown chain (read-only once shut down, with its whole trail)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View

from pdf_templates.views import trail_url
from systems_inventory import excel_export, permissions, selectors
from systems_inventory.forms import ProposeForm, RequestForm, SearchForm
from systems_inventory.models import FUNDING_FIELDS, SYSTEM_FIELDS, InfoSystem, ShutdownCase
from systems_inventory.views.common import field_rows, xlsx_response

MSG_EXPORT_BAD_FILTER = "未导出：有筛选条件无效（见下方红字），请更正后再导出。"
PAGE_SIZE = 20


def visible_system(user, pk: int) -> InfoSystem:
    """404 for a system the user may not see at all, so other departments' systems do not leak."""
    system = get_object_or_404(InfoSystem.objects.select_related("department", "category"), pk=pk)
    if not permissions.can_view_system(user, system):
        raise Http404
    return system


def _search_page(request, form: SearchForm, status: int = 200):
    user = request.user
    systems = selectors.with_shutdown_state(
        selectors.search_systems(selectors.systems_visible_to(user), **form.filters())
    )
    page = Paginator(systems.order_by("department__code", "name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "systems_inventory/register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "funding_only": selectors.register_fields(user) == FUNDING_FIELDS,
        },
        status=status,
    )


class RegisterView(LoginRequiredMixin, View):
    def get(self, request):
        return _search_page(request, SearchForm(request.GET or None))


class RegisterExportView(LoginRequiredMixin, View):
    """The search's result as a spreadsheet, with the columns the user may read."""

    def get(self, request):
        form = SearchForm(request.GET or None)
        filters = form.filters()
        if form.errors:
            # A file of more than was asked for would pass for the filtered register: export nothing.
            messages.error(request, MSG_EXPORT_BAD_FILTER)
            return _search_page(request, form, status=400)
        systems = selectors.search_systems(selectors.systems_visible_to(request.user), **filters)
        content = excel_export.export_systems(
            systems.order_by("department__code", "name", "pk"), selectors.register_fields(request.user)
        )
        return xlsx_response(content, f"systems-{timezone.localdate():%Y%m%d}.xlsx")


class SystemDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        user = request.user
        system = visible_system(user, pk)
        full = permissions.sees_full_system(user, system)
        fields = SYSTEM_FIELDS if full else FUNDING_FIELDS
        standing = selectors.system_shutdown_state([system.pk])[system.pk]
        open_case = ShutdownCase.objects.filter(pk=standing.case_id).first() if standing.case_id else None
        actions = selectors.system_actions(user, system, open_case)
        successors = selectors.successor_choices().exclude(pk=system.pk)
        return render(
            request,
            "systems_inventory/system_detail.html",
            {
                "system": system,
                "standing": standing,
                "actions": actions,
                "cases": selectors.system_cases(system) if full else [],
                "activity": selectors.system_activity(system) if full else [],
                "tokens": selectors.system_tokens(system) if actions.tokens else [],
                "request_form": RequestForm() if actions.request else None,
                "propose_form": ProposeForm(successors=successors) if actions.propose else None,
                "rows": field_rows(system, fields),
                "full": full,
                "resources": system.resources.all() if full else [],
                "versions": system.versions.select_related("created_by", "report__campaign") if full else [],
                "reports": selectors.system_reports(system) if full else [],
                "events": selectors.system_events(system) if full else None,
                "trail_url": trail_url(system) if full and permissions.sees_all(user) else "",
            },
        )


class VersionDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int, number: int):
        system = visible_system(request.user, pk)
        if not permissions.sees_full_system(request.user, system):
            raise Http404
        version = get_object_or_404(system.versions.select_related("created_by", "report__campaign"), number=number)
        return render(
            request,
            "systems_inventory/version_detail.html",
            {"system": system, "version": version, "rows": excel_export.snapshot_rows(version.snapshot)},
        )
