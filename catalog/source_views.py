"""一数一源 pages: the list of authoritative sources (every department reads it; the bureau designates and keeps the
equivalent names), and the bureau's registration of a duplicate resource as a copy, from its review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from catalog import selectors
from catalog.forms import RegisterForm, SourceAliasesForm, SourceForm
from catalog.models import AuthoritativeSource, DataResource
from catalog.permissions import can_view, reviews_catalog
from catalog.services import (
    CatalogError,
    resource_register_as_copy,
    source_deactivate,
    source_designate,
    source_set_aliases,
)
from workflows.audit import client_ip

MSG_DESIGNATED = "已认定权威数源“{datum}”。"
MSG_ALIASES_SAVED = "已保存“{datum}”的等价名称。"
MSG_DEACTIVATED = "已停用权威数源“{datum}”。"
MSG_REGISTERED_AS_COPY = "已注册，重复的信息项登记为权威数源的副本。"


def _require_bureau(user) -> None:
    if not reviews_catalog(user):
        raise PermissionDenied


class SourceListView(LoginRequiredMixin, View):
    template_name = "catalog/sources.html"

    def get(self, request):
        return self.render(request, SourceForm() if reviews_catalog(request.user) else None)

    def post(self, request):
        _require_bureau(request.user)
        form = SourceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                source = source_designate(
                    actor=request.user,
                    item=form.item,
                    datum=data["datum"],
                    aliases=data["aliases"],
                    basis=data["basis"],
                    ip=client_ip(request),
                )
            except CatalogError as exc:
                for field, errors in (exc.errors or {"": [exc.message]}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, MSG_DESIGNATED.format(datum=source.datum))
                return redirect("catalog:sources")
        return self.render(request, form, status=400)

    def render(self, request, form, status=200):
        bureau = reviews_catalog(request.user)
        sources = list(selectors.authoritative_sources(active_only=not bureau))
        for source in sources:
            source.aliases_form = SourceAliasesForm(
                initial={"aliases": "、".join(a.name for a in source.aliases.all())},
                auto_id=False,  # one per row: no ids to repeat
            )
        return render(
            request, self.template_name, {"sources": sources, "form": form, "can_keep": bureau}, status=status
        )


class SourceAliasesView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        _require_bureau(request.user)
        source = get_object_or_404(AuthoritativeSource, pk=pk)
        form = SourceAliasesForm(request.POST)
        if not form.is_valid():
            raise Http404  # only its length can be wrong, which the page's field prevents
        try:
            source_set_aliases(
                actor=request.user, obj=source, aliases=form.cleaned_data["aliases"], ip=client_ip(request)
            )
        except CatalogError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, MSG_ALIASES_SAVED.format(datum=source.datum))
        return redirect("catalog:sources")


class SourceDeactivateView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        _require_bureau(request.user)
        source = source_deactivate(
            actor=request.user, obj=get_object_or_404(AuthoritativeSource, pk=pk), ip=client_ip(request)
        )
        messages.success(request, MSG_DEACTIVATED.format(datum=source.datum))
        return redirect("catalog:sources")


class RegisterAsCopyView(LoginRequiredMixin, View):
    """注册为副本: from the review of a submitted resource that duplicates authoritative sources."""

    def post(self, request, pk: int):
        resource = get_object_or_404(DataResource, pk=pk)
        if not can_view(request.user, resource):
            raise Http404
        _require_bureau(request.user)
        form = RegisterForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            resource_register_as_copy(actor=request.user, obj=resource, comment=comment, ip=client_ip(request))
        except CatalogError as exc:
            messages.error(request, exc.message)
            return redirect("catalog:resource_detail", pk=pk)
        messages.success(request, MSG_REGISTERED_AS_COPY)
        return redirect("catalog:review")
