"""Pages of 共享授权: the grant list and detail (revoke, renew) and the data bureau's API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views import View
from viewflow.urls import Application

from requests.forms import ApiTokenForm, GrantFilterForm, RevokeForm
from requests.models import ApiToken, GrantState, StandardClause
from requests.selectors import (
    SCOPES,
    api_tokens,
    grant_list,
    grant_records,
    grant_scopes,
    grants_visible_to,
    manages_api_tokens,
)
from requests.services import ApplicationError
from requests.services.grants import (
    GrantError,
    api_token_disable,
    api_token_issue,
    can_renew,
    can_revoke,
    grant_renew,
    grant_revoke,
)
from workflows.audit import client_ip


def _visible_grant(user, pk: int):
    # Someone outside the grant learns nothing, not even that it exists.
    return get_object_or_404(grants_visible_to(user), pk=pk)


class GrantListView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        scopes = grant_scopes(user)
        if not scopes:
            raise Http404
        scope = request.GET.get("scope") or ("all" if "all" in scopes else "held")
        if scope not in scopes:
            raise Http404
        form = GrantFilterForm(request.GET or None)
        state = form.cleaned_data["state"] if form.is_valid() else ""
        page = Paginator(grant_list(user, scope=scope, state=state), 50).get_page(request.GET.get("page"))
        today = timezone.localdate()
        page.object_list = list(page.object_list)
        for grant in page.object_list:
            grant.days_left = (grant.valid_to - today).days if grant.is_in_force(today) else None
            grant.not_yet_valid = grant.state == GrantState.ACTIVE and grant.valid_from > today
        return render(
            request,
            "requests/grants/list.html",
            {
                "page": page,
                "form": form,
                "scope": scope,
                "scopes": [(key, SCOPES[key]) for key in scopes],
                "state": state,
            },
        )


class GrantDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return self.render(request, _visible_grant(request.user, pk))

    @staticmethod
    def render(request, grant, *, revoke_form=None, status=200):
        user = request.user
        clauses = StandardClause.labels_of(grant.standard_clauses)
        return render(
            request,
            "requests/grants/detail.html",
            {
                "grant": grant,
                "items": list(grant.items.order_by("position", "id")),
                "clauses": clauses,
                "records": grant_records(user, grant),
                "renewals": grant.renewals.order_by("-id"),
                "today": timezone.localdate(),
                "in_force": grant.is_in_force(timezone.localdate()),
                "standing": grant.standing(timezone.localdate()),
                "can_revoke": grant.state == GrantState.ACTIVE and can_revoke(user, grant),
                "can_renew": can_renew(user, grant),
                "revoke_form": revoke_form or RevokeForm(),
            },
            status=status,
        )


class GrantActionView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        # The URL opened directly, e.g. after logging in again when the session ran out mid-post.
        return redirect("grants:detail", pk=_visible_grant(request.user, pk).pk)


class GrantRevokeView(GrantActionView):
    def post(self, request, pk: int):
        grant = _visible_grant(request.user, pk)
        if not can_revoke(request.user, grant):
            raise PermissionDenied
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                grant = grant_revoke(
                    actor=request.user, obj=grant, reason=form.cleaned_data["reason"], ip=client_ip(request)
                )
            except GrantError as exc:  # e.g. revoked meanwhile: the page no longer shows the form
                messages.error(request, str(exc))
                return redirect("grants:detail", pk=grant.pk)
            else:
                messages.success(request, "授权已撤销，撤销通知已签发，使用部门已收到通知。")
                return redirect("grants:detail", pk=grant.pk)
        return GrantDetailView.render(request, grant, revoke_form=form, status=400)


class GrantRenewView(GrantActionView):
    def post(self, request, pk: int):
        grant = _visible_grant(request.user, pk)
        if not can_renew(request.user, grant):
            raise PermissionDenied
        try:
            application = grant_renew(actor=request.user, obj=grant, ip=client_ip(request))
        except (GrantError, ApplicationError) as exc:
            messages.error(request, str(exc))
            return redirect("grants:detail", pk=grant.pk)
        return redirect("share_requests:edit", pk=application.pk)  # the renewal draft, to check and submit


def _require_token_manager(user) -> None:
    if not manages_api_tokens(user):
        raise Http404


class ApiTokenListView(LoginRequiredMixin, View):
    template_name = "requests/grants/tokens.html"

    def get(self, request):
        _require_token_manager(request.user)
        return self.render(request, ApiTokenForm(initial={"department": request.user.department_id}))

    def post(self, request):
        _require_token_manager(request.user)
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        try:
            token, raw = api_token_issue(
                department=form.cleaned_data["department"],
                name=form.cleaned_data["name"],
                actor=request.user,
                ip=client_ip(request),
            )
        except GrantError as exc:
            form.add_error("name", str(exc))
            return self.render(request, form, status=400)
        # Shown once, in this response only: the database keeps just the hash.
        return self.render(
            request, ApiTokenForm(initial={"department": request.user.department_id}), issued=(token, raw)
        )

    def render(self, request, form, *, issued=None, status=200):
        return render(
            request, self.template_name, {"tokens": api_tokens(), "form": form, "issued": issued}, status=status
        )


class ApiTokenDisableView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        _require_token_manager(request.user)
        token = get_object_or_404(ApiToken, pk=pk)
        api_token_disable(actor=request.user, obj=token, ip=client_ip(request))
        messages.success(request, f"令牌“{token.name}”已停用。")
        return redirect("grants:tokens")


class GrantsApplication(Application):
    title = "共享授权"
    icon = "verified_user"
    app_name = "grants"
    menu_template_name = "requests/grants/app_menu.html"

    index_path = path("", GrantListView.as_view(), name="index")
    urlpatterns = [
        path("<int:pk>/", GrantDetailView.as_view(), name="detail"),
        path("<int:pk>/revoke/", GrantRevokeView.as_view(), name="revoke"),
        path("<int:pk>/renew/", GrantRenewView.as_view(), name="renew"),
        path("tokens/", ApiTokenListView.as_view(), name="tokens"),
        path("tokens/<int:pk>/disable/", ApiTokenDisableView.as_view(), name="token_disable"),
    ]
