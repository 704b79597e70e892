"""An application's page and the actions posted from it. What may be done comes from
requests.selectors.available_actions; the services decide and enforce it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from catalog.choices import ShareClass
from pdf_templates.selectors import records_visible_to, sees_all_records
from pdf_templates.views import trail_url
from requests import permissions, rules, selectors, services
from requests.forms import (
    CommentForm,
    CountersignForm,
    DisputeForm,
    GrantForm,
    OrderForm,
    RefuseForm,
)
from requests.models import StandardClause
from requests.views.common import form_errors, visible_application
from workflows.audit import client_ip
from workflows.forms import HandoverForm
from workflows.labels import labelled
from workflows.models import AuditEvent
from workflows.workdays import countdown


class DetailView(LoginRequiredMixin, TemplateView):
    template_name = "requests/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        application = visible_application(self.request, kwargs["pk"])
        actions = selectors.available_actions(user, application)
        decision = getattr(application, "decision", None)
        grant = getattr(application, "grant", None)
        subject = dict(
            subject_type__app_label="share_requests",
            subject_type__model="shareapplication",
            subject_id=str(application.pk),
        )
        items = list(application.items.order_by("position", "pk"))
        granted_items = list(decision.granted_items.order_by("position", "pk")) if decision else []
        context = {
            "application": application,
            "actions": actions,
            "task": actions.task,
            "items": items,
            "attachments": application.attachments.all(),
            "decision": decision,
            "granted_items": granted_items,
            "not_granted_items": [item for item in items if item not in granted_items],
            "grant": grant,
            "grant_standing": grant.standing(timezone.localdate()) if grant else "",
            "clauses": StandardClause.labels_of(decision.standard_clauses) if decision else [],
            "records": records_visible_to(user).filter(**subject),
            "events": labelled(
                AuditEvent.objects.filter(**subject).select_related("actor", "subject_type").order_by("pk")
            ),
            "trail_url": trail_url(application) if sees_all_records(user) else "",
        }
        if rules.clock_shown(application):
            context["countdown"] = countdown(application.due_at)
        context.update(_forms(application, actions))
        context.update(kwargs)
        return super().get_context_data(**context)


def _forms(application, actions: selectors.Actions) -> dict[str, Any]:
    """The empty forms of the steps the page offers."""
    shown: dict[str, Any] = {}
    if actions.works:
        shown["history"] = selectors.applicant_history(application)
    if actions.decide:
        not_shared = application.resource.share_class == ShareClass.NONE
        shown.update(
            grant_form=GrantForm(application=application, as_requested=actions.grant_as_requested),
            refuse_form=RefuseForm(initial={"legal_basis": application.resource.legal_basis_id} if not_shared else {}),
            return_form=CommentForm(),
        )
    if actions.dispute:
        shown["dispute_form"] = DisputeForm()
    if actions.countersign:
        shown["countersign_form"] = CountersignForm()
    if actions.order:
        shown["order_form"] = OrderForm()
    if actions.handover_to is not None:
        shown["handover_form"] = HandoverForm(colleagues=actions.handover_to)
    return shown


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class Step:
    """One action posted from the page: who may post it, its form, and the service it calls.

    `run(request, application, data, task)` calls the service and returns the success message.
    """

    run: Callable[..., str]
    form: Callable[..., forms.Form] | None = None  # (data, application, task) → the bound form
    form_name: str = ""
    by_applicant: bool = False  # the applicant's step; the others work the open task


def _submit(request, application, data, task) -> str:
    application = services.application_submit(actor=request.user, obj=application, ip=client_ip(request))
    return f"申请已提交，当前状态：{application.get_state_display()}。"


def _withdraw(request, application, data, task) -> str:
    services.application_withdraw(actor=request.user, obj=application, ip=client_ip(request))
    return "申请已撤回。"


def _take(request, application, data, task) -> str:
    services.task_take(actor=request.user, obj=task, ip=client_ip(request))
    return "已认领该任务。"


def _release(request, application, data, task) -> str:
    services.task_release(actor=request.user, obj=task, ip=client_ip(request))
    return "任务已退回待认领队列。"


def _handover(request, application, data, task) -> str:
    services.task_handover(actor=request.user, obj=task, to_user=data["to_user"], ip=client_ip(request))
    return f"任务已转交{data['to_user']}。"


def _grant(request, application, data, task) -> str:
    terms = services.GrantTerms(
        items=list(data["items"]),
        share_method=data["share_method"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        conditions=data["conditions"].strip(),
        standard_clauses=list(data["standard_clauses"]),
        adjustment_reason=data.get("adjustment_reason", ""),  # not asked when granted as requested
    )
    decision = services.application_grant(actor=request.user, obj=application, terms=terms, ip=client_ip(request))
    if decision.countersign_required and decision.effective_at is None:
        return "已提交部门负责人会签，会签后授权生效。"
    return f"已作出决定：{decision.get_outcome_display()}。"


def _refuse(request, application, data, task) -> str:
    services.application_refuse(
        actor=request.user,
        obj=application,
        reason=data["reason"],
        text=data["text"],
        legal_basis=data["legal_basis"],
        citation=data["citation"],
        ip=client_ip(request),
    )
    return "已作出不予授权决定并签发告知书。"


def _return(request, application, data, task) -> str:
    services.application_return(actor=request.user, obj=application, comment=data["comment"], ip=client_ip(request))
    return "已退回申请部门补正。"


def _dispute(request, application, data, task) -> str:
    services.application_dispute_class(
        actor=request.user, obj=application, reason=data["reason"], ip=client_ip(request)
    )
    return "共享类型异议已提交政数局协调。"


def _countersign(request, application, data, task) -> str:
    services.application_countersign(
        actor=request.user, obj=application, approve=data["approve"], comment=data["comment"], ip=client_ip(request)
    )
    return "会签意见已提交。"


def _order(request, application, data, task) -> str:
    services.application_order_decision(
        actor=request.user,
        obj=application,
        workdays=data["workdays"],
        comment=data["comment"].strip(),
        ip=client_ip(request),
    )
    return "已责令提供部门限期答复。"


def _grant_form(data, application, task):
    as_requested = rules.grants_only_as_requested(application, rules.decider(application))
    return GrantForm(data, application=application, as_requested=as_requested)


STEPS = {
    "submit": Step(_submit, by_applicant=True),
    "withdraw": Step(_withdraw, by_applicant=True),
    "take": Step(_take),
    "release": Step(_release),
    "handover": Step(
        _handover,
        lambda data, application, task: HandoverForm(data, colleagues=selectors.handover_candidates(task, application)),
        "handover_form",
    ),
    "grant": Step(_grant, _grant_form, "grant_form"),
    "refuse": Step(_refuse, lambda data, application, task: RefuseForm(data), "refuse_form"),
    "return": Step(_return, lambda data, application, task: CommentForm(data), "return_form"),
    "dispute": Step(_dispute, lambda data, application, task: DisputeForm(data), "dispute_form"),
    "countersign": Step(_countersign, lambda data, application, task: CountersignForm(data), "countersign_form"),
    "order": Step(_order, lambda data, application, task: OrderForm(data), "order_form"),
}


class ActionView(LoginRequiredMixin, View):
    """POST-only actions on one application; errors show on its page with the form refilled."""

    def get(self, request, pk: int, action: str):
        # An action's URL opened directly, e.g. after logging in again when the session ran out mid-post.
        return redirect("share_requests:detail", pk=visible_application(request, pk).pk)

    def post(self, request, pk: int, action: str):
        application = visible_application(request, pk)
        step = STEPS.get(action)
        if step is None:
            raise Http404
        form = None
        try:
            if step.by_applicant:
                if not permissions.can_edit(request.user, application):
                    raise PermissionDenied
                task = None
            else:
                task = services.task_for_action(request.user, application)
            data = {}
            if step.form is not None:
                form = step.form(request.POST, application, task)
                if not form.is_valid():
                    return self._page_with(request, pk, step.form_name, form)
                data = form.cleaned_data
            messages.success(request, step.run(request, application, data, task))
        except services.ApplicationError as exc:
            # Stale: someone else acted first, and the page no longer shows the form to refill.
            if form is None or exc.stale:
                messages.error(request, exc.message)
                return redirect("share_requests:detail", pk=application.pk)
            form_errors(form, exc)
            return self._page_with(request, pk, step.form_name, form)
        return redirect("share_requests:detail", pk=application.pk)

    @staticmethod
    def _page_with(request, pk: int, form_name: str, form):
        """The application's page again, with the posted form and its errors (400)."""
        view = DetailView()
        view.setup(request, pk=pk)
        return view.render_to_response(view.get_context_data(pk=pk, **{form_name: form}), status=400)
