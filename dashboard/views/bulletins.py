"""情况通报: the list (issued ones for everyone logged in), a bulletin, drafting, editing and issuing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from dashboard import bulletins, permissions, selectors
from dashboard.forms import BulletinDraftForm, BulletinTextForm, default_range
from dashboard.models import Bulletin, BulletinState
from dashboard.services import BulletinError, bulletin_draft, bulletin_issue, bulletin_update
from workflows import visibility
from workflows.audit import client_ip


def _visible(request, pk: int) -> Bulletin:
    bulletin = get_object_or_404(Bulletin, pk=pk)
    if not visibility.can_view(request.user, bulletin):
        raise Http404
    return bulletin


def _require_bureau(request) -> None:
    if not permissions.manages_bulletins(request.user):
        raise PermissionDenied


class BulletinListView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/bulletins.html"

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("state", "")
        found = selectors.bulletins_visible_to(self.request.user, state)
        page = Paginator(found, 30).get_page(self.request.GET.get("page"))
        start, end = default_range()
        return super().get_context_data(
            page=page,
            state=state,
            manages=permissions.manages_bulletins(self.request.user),
            draft_form=BulletinDraftForm(initial={"period_start": start, "period_end": end}),
            **kwargs,
        )


class BulletinCreateView(LoginRequiredMixin, View):
    def post(self, request):
        _require_bureau(request)
        form = BulletinDraftForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect("dashboard:bulletins")
        try:
            bulletin = bulletin_draft(
                actor=request.user,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                ip=client_ip(request),
            )
        except BulletinError as error:
            messages.error(request, str(error))
            return redirect("dashboard:bulletins")
        messages.success(request, "已起草情况通报，请修改后印发。")
        return redirect(bulletin.get_absolute_url())


class BulletinDetailView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/bulletin.html"

    def get_context_data(self, pk: int, **kwargs):
        bulletin = _visible(self.request, pk)
        if bulletin.state == BulletinState.ISSUED:
            data = bulletin.snapshot
            live = False
        else:
            data = bulletins.snapshot(self.request.user, bulletin.period_start, bulletin.period_end)
            live = True
        return super().get_context_data(
            bulletin=bulletin,
            data=data,
            live=live,
            charts=[{"title": c["title"], "svg": mark_safe(c["svg"])} for c in data.get("charts", [])],
            paragraphs={
                "progress": bulletin.progress.splitlines(),
                "problems": bulletin.problems.splitlines(),
                "next_steps": bulletin.next_steps.splitlines(),
            },
            manages=permissions.manages_bulletins(self.request.user) and bulletin.state == BulletinState.DRAFT,
            **kwargs,
        )


class BulletinEditView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/bulletin_edit.html"

    def _bulletin(self, request, pk: int) -> Bulletin:
        bulletin = _visible(request, pk)
        _require_bureau(request)
        if bulletin.state != BulletinState.DRAFT:
            raise PermissionDenied
        return bulletin

    def get(self, request, pk: int):
        bulletin = self._bulletin(request, pk)
        return self.render_to_response(
            self.get_context_data(bulletin=bulletin, form=BulletinTextForm(instance=bulletin))
        )

    def post(self, request, pk: int):
        bulletin = self._bulletin(request, pk)
        form = BulletinTextForm(request.POST, instance=Bulletin.objects.get(pk=bulletin.pk))
        if form.is_valid():
            try:
                bulletin_update(actor=request.user, obj=bulletin, ip=client_ip(request), **form.cleaned_data)
            except BulletinError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "已保存。")
                return redirect(bulletin.get_absolute_url())
        return self.render_to_response(self.get_context_data(bulletin=bulletin, form=form), status=422)


class BulletinActionView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        bulletin = _visible(request, pk)
        _require_bureau(request)
        try:
            bulletin = bulletin_issue(actor=request.user, obj=bulletin, ip=client_ip(request))
        except BulletinError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"情况通报已印发，文号 {bulletin.record.number}。")
        return redirect(bulletin.get_absolute_url())
