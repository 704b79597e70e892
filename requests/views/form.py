"""申请共享 and 修改申请: the applicant's form for a new application, a draft or one returned for 补正."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from catalog.models import DataResource
from catalog.selectors import copies_among
from requests import permissions, selectors, services
from requests.forms import (
    ApplicationForm,
)
from requests.models import ShareApplication
from requests.views.common import form_errors, visible_application


def _already_created(request, application):
    messages.info(request, f"该表单已经提交过，申请 {application.reference} 已创建，请勿重复提交。")
    return redirect("share_requests:detail", pk=application.pk)


class ApplicationFormView(LoginRequiredMixin, TemplateView):
    """申请共享 (GET ?resource=<id>) and 修改申请 (drafts and returned applications)."""

    template_name = "requests/form.html"

    def _target(self):
        pk = self.kwargs.get("pk")
        if pk is not None:
            application = visible_application(self.request, pk)
            if not selectors.may_edit(self.request.user, application):
                raise PermissionDenied  # e.g. a revoked renewal: its page says why and offers 撤回
            return application, application.resource
        if not permissions.can_apply(self.request.user):
            raise PermissionDenied
        try:
            resource_id = int(self.request.GET.get("resource", ""))
        except ValueError:
            raise Http404 from None
        resource = get_object_or_404(DataResource.objects.select_related("provider_department"), pk=resource_id)
        if not resource.is_published:
            raise Http404
        return None, resource

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # 一数一源: items of the resource registered as copies, and where their authoritative source is.
        context["copies"] = copies_among([kwargs["resource"]])
        return context

    def _initial(self, application, resource) -> dict:
        if application is not None:
            return {
                **{name: getattr(application, name) for name in services.APPLICATION_FIELDS},
                "items": list(application.items.values_list("pk", flat=True)),
            }
        initial = {
            "form_token": uuid.uuid4(),  # one application per opened form, however often it is posted
            "share_method": resource.share_methods[0] if resource.share_methods else "",
        }
        renew = self.request.GET.get("renew")
        previous = selectors.previous_application(self.request.user.department, resource)
        if previous is not None:
            # Pre-filled from history: the department applied for this resource before.
            initial.update(applied_before=True, earlier_outcome=selectors.earlier_outcome_text(previous))
        if renew:
            initial["applied_before"] = True
        return initial

    def get(self, request, *args, **kwargs):
        application, resource = self._target()
        if application is None and resource.provider_department_id == request.user.department_id:
            # Said before the form is filled in, not after.
            messages.info(request, services.MSG_OWN_RESOURCE)
            return redirect("catalog:resource_detail", pk=resource.pk)
        if application is None and (pending := selectors.pending_application(request.user.department, resource)):
            messages.warning(
                request,
                services.MSG_PENDING_APPLICATION.format(reference=pending.reference, state=pending.get_state_display()),
            )
        form = ApplicationForm(
            resource=resource,
            application=application,
            department_id=request.user.department_id,
            initial=self._initial(application, resource),
        )
        return self.render_to_response(self.get_context_data(form=form, application=application, resource=resource))

    def post(self, request, *args, **kwargs):
        application, resource = self._target()
        form = ApplicationForm(
            request.POST,
            request.FILES,
            resource=resource,
            application=application,
            department_id=request.user.department_id,
        )
        if form.is_valid():
            token = form.cleaned_data["form_token"] if application is None else None
            if done := selectors.created_from_form(request.user, token):
                return _already_created(request, done)
            try:
                kwargs = {
                    "actor": request.user,
                    "data": form.service_data(),
                    "items": list(form.cleaned_data["items"]),
                    "attachments": form.cleaned_data["attachments"],
                }
                if application is None:
                    try:
                        application = services.application_create(resource=resource, form_token=token, **kwargs)
                    except IntegrityError:  # the same form, posted twice at once: the other post made it
                        if (done := selectors.created_from_form(request.user, token)) is None:
                            raise
                        return _already_created(request, done)
                else:
                    application = services.application_update(
                        obj=application, remove_attachments=list(form.cleaned_data["remove_attachments"]), **kwargs
                    )
                if "submit" in request.POST:
                    _submit_saved(request, application)
                else:
                    messages.success(request, "草稿已保存。")
                return redirect("share_requests:detail", pk=application.pk)
            except services.ApplicationError as exc:
                form_errors(form, exc)
        return self.render_to_response(
            self.get_context_data(form=form, application=application, resource=resource), status=200
        )


def _submit_saved(request, application: ShareApplication) -> None:
    """Submit what the form just saved; if it may not be submitted, the changes stay saved and the page says why."""
    try:
        application = services.application_submit(actor=request.user, obj=application)
    except services.ApplicationError as exc:
        messages.error(request, f"修改已保存为草稿，但未能提交：{exc.message}")
    else:
        messages.success(request, f"申请已提交，当前状态：{application.get_state_display()}。")
