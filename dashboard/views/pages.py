"""The dashboard, its drill-down lists and exports, and the rankings."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from dashboard import charts, permissions, rankings
from dashboard.drill import LISTS
from dashboard.figures import Filters, Section, catalog, projects, sharing, systems
from dashboard.forms import FilterForm, WeightsForm
from dashboard.models import ScoreWeights
from dashboard.services import BulletinError, weights_set
from workflows import spreadsheets
from workflows.audit import client_ip

TABS = {
    "overview": "总览",
    "sharing": "数据共享",
    "catalog": "资源目录",
    "systems": "信息系统",
    "projects": "建设项目",
}


def filters_for(request) -> tuple[Filters, FilterForm]:
    """The page's filters; a department leader's department is fixed to their own."""
    user = request.user
    if not permissions.reads_dashboard(user):
        raise PermissionDenied
    fixed = None if permissions.sees_city(user) else user.department
    form = FilterForm(request.GET or None, fixed_department=fixed)
    start, end, department = form.range()
    if not request.GET:
        form = FilterForm(initial={"date_from": start, "date_to": end}, fixed_department=fixed)
    return Filters(start, end, department), form


def sections_for(user, tab: str, filters: Filters) -> list[Section]:
    leader = None if permissions.sees_city(user) else user.department
    if tab == "sharing":
        return [sharing.overview(user, filters, leader_department=leader), sharing.detail(user, filters)]
    if tab in ("catalog", "systems", "projects"):
        return [{"catalog": catalog, "systems": systems, "projects": projects}[tab].detail(user, filters)]
    return [
        sharing.overview(user, filters, leader_department=leader),
        catalog.overview(user, filters),
        systems.overview(user, filters),
        projects.overview(user, filters),
    ]


def _xlsx(name: str, rows: list[list]) -> HttpResponse:
    book = spreadsheets.workbook()
    sheet = book.active
    for row in rows:
        sheet.append([str(c) if c is not None and not isinstance(c, int | float) else c for c in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/index.html"

    def get_context_data(self, **kwargs):
        filters, form = filters_for(self.request)
        tab = self.request.GET.get("tab", "overview")
        tab = tab if tab in TABS else "overview"
        sections = sections_for(self.request.user, tab, filters)
        drawn = [
            {
                "section": section,
                "tables": [
                    {"table": t, "svg": mark_safe(charts.svg(t.chart)) if t.chart and any(t.chart.categories) else ""}
                    for t in section.tables
                ],
            }
            for section in sections
        ]
        query = "&".join(f"{k}={v}" for k, v in filters.params().items())
        return super().get_context_data(
            form=form,
            tab=tab,
            tabs=TABS,
            sections=drawn,
            filters=filters,
            query=query,
            leader_department=None if permissions.sees_city(self.request.user) else self.request.user.department,
            reads_rankings=permissions.reads_rankings(self.request.user),
            **kwargs,
        )


class ExportView(LoginRequiredMixin, View):
    def get(self, request, tab: str, key: str):
        filters, _ = filters_for(request)
        if tab not in TABS:
            raise Http404
        for section in sections_for(request.user, tab, filters):
            for table in section.tables:
                if table.key == key:
                    return _xlsx(f"dashboard-{key}", table.sheet())
        raise Http404


class DrillView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/drill.html"

    def get_context_data(self, name: str, **kwargs):
        drill = LISTS.get(name)
        if drill is None:
            raise Http404
        filters, form = filters_for(self.request)
        params = {p: self.request.GET.get(p, "") for p in drill.params}
        rows = drill.rows(self.request.user, filters, **params).order_by("-pk")
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        query = "&".join(f"{k}={v}" for k, v in filters.params(**params).items())
        return super().get_context_data(
            drill=drill,
            page=page,
            rows=[(drill.cells(obj), drill.link(obj)) for obj in page],
            query=query,
            filters=filters,
            **kwargs,
        )


def _weights(request) -> ScoreWeights:
    version = request.GET.get("version", "")
    if version.isdigit():
        found = ScoreWeights.objects.filter(version=int(version)).first()
        if found is not None:
            return found
    return rankings.current_weights()


class RankingsView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/rankings.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.reads_rankings(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        filters, form = filters_for(self.request)
        filters = Filters(filters.date_from, filters.date_to)
        tables = rankings.league_tables(filters)
        weights = _weights(self.request)
        scores = rankings.scores(filters, weights, tables)
        spec = charts.ChartSpec(
            "hbar", "考核得分", [s.department for s in scores[:15]], [("得分", [s.total for s in scores[:15]])]
        )
        return super().get_context_data(
            form=form,
            tables=[(rankings.MEASURES[k], ranks) for k, ranks in tables.items()],
            measures=rankings.MEASURES,
            scores=scores,
            weights=weights,
            weight_rows=[(label, getattr(weights, key)) for key, label in rankings.MEASURES.items()],
            versions=ScoreWeights.objects.all(),
            weights_form=kwargs.pop("weights_form", None) or WeightsForm(initial=weights.as_dict()),
            chart=mark_safe(charts.svg(spec)) if scores else "",
            query="&".join(f"{k}={v}" for k, v in filters.params(version=weights.version).items()),
            **kwargs,
        )

    def post(self, request):
        form = WeightsForm(request.POST)
        if form.is_valid():
            try:
                created = weights_set(actor=request.user, ip=client_ip(request), **form.cleaned_data)
            except BulletinError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"已设定考核权重第{created.version}版。")
                return redirect("dashboard:rankings")
        return self.render_to_response(self.get_context_data(weights_form=form))


class ScoreExportView(RankingsView):
    def get(self, request, *args, **kwargs):
        filters, _ = filters_for(request)
        filters = Filters(filters.date_from, filters.date_to)
        weights = _weights(request)
        scores = rankings.scores(filters, weights)
        header = [
            "名次",
            "部门",
            "考核得分",
            *[f"{label}（权重{getattr(weights, key)}）" for key, label in rankings.MEASURES.items()],
        ]
        rows = [[s.position, s.department, s.total, *[s.parts.get(k) for k in rankings.MEASURES]] for s in scores]
        return _xlsx(f"scores-v{weights.version}-{filters.date_from}-{filters.date_to}", [header, *rows])
