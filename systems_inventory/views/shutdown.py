"""The shutdown chain's pages: the bureau's candidate list (why each system is there), a case with its evidence,
its trail and the forms for the step the user may take. What a user may do comes from selectors.case_actions;
the services decide. A case the user may not see is 404, a step not theirs 403."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from systems_inventory.models import ShutdownCase
from workflows import visibility


def visible_case(user, pk: int) -> ShutdownCase:
    """The case as its registered rule allows (its page, evidence, attachments, records and trail)."""
    case = get_object_or_404(
        ShutdownCase.objects.select_related("system__department", "successor__department", "assessment"), pk=pk
    )
    if not visibility.can_view(user, case):
        raise Http404
    return case


class CaseDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        case = visible_case(request.user, pk)
        return render(request, "systems_inventory/case_detail.html", {"case": case})
