"""The queues: the bureau's first reviews (待初审), the approving authority's 立项 and 验收, and finance's 资金闸口 —
projects awaiting a budget decision and each year's systems awaiting O&M funding, each with its gate now — and the
page where finance decides one system's O&M funding. Each queue is evaluated in a fixed number of queries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from project_approvals import gate, permissions, selectors, services
from project_approvals.forms import FundingForm, YearForm
from project_approvals.models import FundingDecision
from project_approvals.services.funding import om_years
from project_approvals.views.common import apply_errors, require
from systems_inventory.models import InfoSystem
from workflows.audit import client_ip

OM_PAGE = 200  # systems on the O&M tab (the demo has 68; a city a few hundred)


class ReviewQueueView(LoginRequiredMixin, View):
    """待初审: projects waiting for the bureau, nearest due first, each with its gate."""

    def get(self, request):
        require(permissions.may_review(request.user))
        projects = list(selectors.review_queue()[:200])
        return render(
            request,
            "project_approvals/review_queue.html",
            {"rows": selectors.project_rows(projects), "now": timezone.now()},
        )


class ApprovalQueueView(LoginRequiredMixin, View):
    """待立项 and 待验收, for the approving authority."""

    def get(self, request):
        require(permissions.may_approve(request.user) or permissions.sees_all(request.user))
        projects = list(selectors.approval_queue()[:200])
        return render(request, "project_approvals/approval_queue.html", {"rows": selectors.project_rows(projects)})


def funding_year(request) -> tuple[int, YearForm]:
    """The year asked for (this one or the next two), else next year's: the budget finance prepares."""
    low, high = om_years()
    form = YearForm(request.GET or None, years=range(low, high + 1), initial={"year": low + 1})
    if form.is_bound and form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"], form
    return low + 1, form


class FundingQueueView(LoginRequiredMixin, View):
    """资金闸口: projects awaiting a budget decision and the year's systems awaiting O&M funding, with the gate."""

    def get(self, request):
        require(permissions.sees_funding_queue(request.user))
        year, year_form = funding_year(request)
        projects = list(selectors.funding_queue()[:200])
        systems = list(selectors.om_systems()[:OM_PAGE])
        om = selectors.om_rows(year, systems)
        return render(
            request,
            "project_approvals/funding_queue.html",
            {
                "year": year,
                "year_form": year_form,
                "projects": selectors.project_rows(projects),
                "om": om,
                "om_waiting": sum(1 for _s, _e, decision in om if decision is None),
                "om_blocked": sum(1 for _s, e, decision in om if decision is None and not e.passed),
                "may_fund": permissions.may_fund(request.user),
            },
        )


class OmFundingView(LoginRequiredMixin, View):
    """One system's O&M gate for a year and, for finance, the decision form (recorded only past the gate)."""

    def _context(self, request, pk: int, year: int, form=None):
        require(permissions.sees_funding_queue(request.user))
        low, high = om_years()
        if not low <= year <= high:
            raise Http404
        system = get_object_or_404(InfoSystem.objects.select_related("department"), pk=pk)
        decision = FundingDecision.objects.filter(kind="om", system=system, year=year).select_related("record").first()
        may_fund = permissions.may_fund(request.user) and decision is None
        return {
            "system": system,
            "year": year,
            "evaluation": gate.evaluate_system_om(system, year=year),
            "decision": decision,
            "form": (form or FundingForm(initial={"amount": system.annual_om_cost or ""})) if may_fund else None,
        }

    def get(self, request, pk: int, year: int):
        return render(request, "project_approvals/om_system.html", self._context(request, pk, year))

    def post(self, request, pk: int, year: int):
        require(permissions.may_fund(request.user))
        form = FundingForm(request.POST)
        context = self._context(request, pk, year, form)
        if form.is_valid() and context["form"] is not None:
            try:
                decision = services.system_om_fund(
                    actor=request.user,
                    obj=context["system"],
                    year=year,
                    amount=form.cleaned_data["amount"],
                    budget_line=form.cleaned_data["budget_line"],
                    comment=form.cleaned_data["comment"],
                    ip=client_ip(request),
                )
                messages.success(
                    request,
                    f"资金闸口通过，已安排{year}年运维经费 {decision.amount} 万元，签发{decision.record.number}。",
                )
                return redirect("project_approvals:om_system", pk=pk, year=year)
            except services.ProjectError as exc:
                apply_errors(form, exc)
                context = self._context(request, pk, year, form)
        elif context["form"] is None:
            form.add_error(None, "该系统本年度运维经费已经安排。")
        return render(request, "project_approvals/om_system.html", context, status=400)
