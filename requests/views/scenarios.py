"""应用场景 pages: the 场景清单 (search, export), a scenario's page with its parts and 办理记录, the proposal form, and
the actions posted from the page. What a user may do comes from requests.selectors.available_scenario_actions;
the services decide and enforce it. A scenario the user may not see is 404; an action they may not take, 403.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views import View
from viewflow.urls import Application

from catalog.selectors import copies_among
from pdf_templates.selectors import records_visible_to, sees_all_records
from pdf_templates.views import trail_url
from requests import permissions, rules, selectors
from requests.forms import (
    ScenarioAuthorizeForm,
    ScenarioFilterForm,
    ScenarioForm,
    ScenarioPartConfirmForm,
    ScenarioPartFormSet,
    ScenarioPartRefuseForm,
    ScenarioReasonForm,
    ScenarioRenewForm,
)
from requests.messages import MSG_SCENARIO_NOT_EDITABLE
from requests.models import Scenario, ScenarioState
from requests.scenario_export import export_scenarios
from requests.services import scenarios as services
from requests.services.validation import years_after
from requests.views.common import form_errors
from workflows import taking
from workflows.audit import client_ip
from workflows.forms import HandoverForm
from workflows.labels import labelled
from workflows.models import AuditEvent


def visible_scenario(user, pk: int) -> Scenario:
    # Someone who may not see a scenario learns nothing, not even that it exists.
    scenario = get_object_or_404(
        Scenario.objects.select_related("proposing_department", "proposed_by", "record"), pk=pk
    )
    if not permissions.can_view_scenario(user, scenario):
        raise Http404
    return scenario


# ---------------------------------------------------------------- 场景清单


def _listed(request):
    user = request.user
    scopes = selectors.scenario_scopes(user)
    scope = request.GET.get("scope") or "published"
    if scope not in scopes:
        raise Http404
    form = ScenarioFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    scenarios = selectors.scenario_list(user, scope=scope, q=filters.get("q", ""), state=filters.get("state", ""))
    return scope, scopes, form, scenarios


class ScenarioListView(LoginRequiredMixin, View):
    def get(self, request):
        scope, scopes, form, scenarios = _listed(request)
        page = Paginator(scenarios, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "requests/scenarios/list.html",
            {
                "page": page,
                "form": form,
                "scope": scope,
                "scopes": [(key, selectors.scenarios.SCOPES[key]) for key in scopes],
                "query": query.urlencode(),
                "can_propose": permissions.can_propose_scenario(request.user),
            },
        )


class ScenarioExportView(LoginRequiredMixin, View):
    """The list as the page shows it (scope, search, state), as an Excel workbook."""

    def get(self, request):
        _, _, _, scenarios = _listed(request)
        handle = tempfile.TemporaryFile()
        export_scenarios(scenarios, handle)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"scenarios-{timezone.localdate():%Y%m%d}.xlsx")


class ScenarioTaskListView(LoginRequiredMixin, View):
    """待办: the parts the user's department is to answer, and the bureau's scenario tasks."""

    def get(self, request):
        tasks = list(selectors.scenario_task_list(request.user)[:200])
        for task in tasks:
            process = task.process
            task.scenario = (
                process.scenarioprocess.scenario
                if hasattr(process, "scenarioprocess")
                else process.scenariopartprocess.part.scenario
            )
            task.part = getattr(getattr(process, "scenariopartprocess", None), "part", None)
        return render(request, "requests/scenarios/tasks.html", {"tasks": tasks})


# ---------------------------------------------------------------- a scenario's page


def part_ids(form: str, part) -> str:
    """The ids of a part's form on the scenario's page name the part: a department may answer several there."""
    return f"{form}_{part.pk}_%s"


class ScenarioDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return self.render(request, visible_scenario(request.user, pk))

    @staticmethod
    def render(request, scenario: Scenario, *, bound: dict[str, Any] | None = None, status: int = 200):
        user = request.user
        parts = list(selectors.scenario_parts(scenario))
        actions = selectors.available_scenario_actions(user, scenario, parts)
        bound = bound or {}
        for part in parts:
            if part.pk in actions.answer:
                part.confirm_form = bound.get(f"confirm-{part.pk}") or ScenarioPartConfirmForm(
                    part=part, auto_id=part_ids("confirm", part)
                )
                basis = {"legal_basis": part.resource.legal_basis_id} if part.resource.share_class == "none" else {}
                part.refuse_form = bound.get(f"refuse-{part.pk}") or ScenarioPartRefuseForm(
                    initial=basis, auto_id=part_ids("refuse", part)
                )
        subject = dict(
            subject_type__app_label="share_requests", subject_type__model="scenario", subject_id=str(scenario.pk)
        )
        for copy in copies_among(part.resource for part in parts):
            for part in parts:
                if part.resource_id == copy.item.resource_id:
                    part.copies = [*getattr(part, "copies", []), copy]
        grants = selectors.scenario_grants(user, scenario)
        context = {
            "scenario": scenario,
            "parts": parts,
            "consumers": scenario.consumer_departments.order_by("code"),
            "actions": actions,
            "grants": grants,
            "records": records_visible_to(user).filter(**subject),
            "events": labelled(
                AuditEvent.objects.filter(**subject).select_related("actor", "subject_type").order_by("pk")
            ),
            "trail_url": trail_url(scenario) if sees_all_records(user) else "",
            "reason_form": bound.get("reason") or ScenarioReasonForm(),
            "claims": [(claim, handover_form(claim)) for claim in actions.tasks],
        }
        if actions.renew:
            context["renew_form"] = bound.get("renew") or ScenarioRenewForm(
                initial={"valid_to": years_after(scenario.valid_to, 1)}
            )
        if actions.authorize:
            context["authorize_form"] = bound.get("authorize") or ScenarioAuthorizeForm(parts=parts)
        return render(request, "requests/scenarios/detail.html", context, status=status)


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class Step:
    """One action posted from the page: whether the page offers it, its form, and the service it calls."""

    offered: Callable[[selectors.ScenarioActions, Any], bool]
    run: Callable[..., str]
    form: Callable[..., Any] | None = None
    form_key: str = "reason"


def _accept(request, scenario, part, data) -> str:
    services.scenario_accept(actor=request.user, obj=scenario, ip=client_ip(request))
    return "已受理，已送各提供部门确认。"


def _reject(request, scenario, part, data) -> str:
    services.scenario_reject(actor=request.user, obj=scenario, reason=data["reason"], ip=client_ip(request))
    return "已作出不予授权决定。"


def _authorize(request, scenario, part, data) -> str:
    scenario = services.scenario_authorize(
        actor=request.user, obj=scenario, parts=list(data["parts"]), ip=client_ip(request)
    )
    return f"已授权，场景授权书 {scenario.record.number} 已签发，使用部门已获得共享授权。"


def _suspend(request, scenario, part, data) -> str:
    services.scenario_suspend(actor=request.user, obj=scenario, reason=data["reason"], ip=client_ip(request))
    return "已暂停，据此获得的共享授权已终止。"


def _resume(request, scenario, part, data) -> str:
    services.scenario_resume(actor=request.user, obj=scenario, ip=client_ip(request))
    return "已恢复授权，使用部门已重新获得共享授权。"


def _revoke(request, scenario, part, data) -> str:
    services.scenario_revoke(actor=request.user, obj=scenario, reason=data["reason"], ip=client_ip(request))
    return "已撤销，据此获得的共享授权已终止。"


def _renew(request, scenario, part, data) -> str:
    scenario = services.scenario_renew(
        actor=request.user, obj=scenario, valid_to=data["valid_to"], ip=client_ip(request)
    )
    return f"已续期，有效期延至{scenario.valid_to:%Y-%m-%d}，场景授权书 {scenario.record.number} 已签发。"


def _confirm(request, scenario, part, data) -> str:
    part = services.scenario_part_confirm(
        actor=request.user,
        obj=part,
        items=list(data["items"]),
        adjustment_reason=data["adjustment_reason"],
        ip=client_ip(request),
    )
    return f"已答复：{part.get_state_display()}。"


def _refuse(request, scenario, part, data) -> str:
    services.scenario_part_refuse(
        actor=request.user,
        obj=part,
        reason=data["reason"],
        text=data["text"],
        legal_basis=data["legal_basis"],
        citation=data["citation"],
        ip=client_ip(request),
    )
    return "已答复：不予共享。"


STEPS = {
    "accept": Step(lambda actions, part: actions.accept, _accept),
    "reject": Step(lambda actions, part: actions.reject, _reject, lambda data, s, p: ScenarioReasonForm(data)),
    "authorize": Step(
        lambda actions, part: actions.authorize,
        _authorize,
        lambda data, s, p: ScenarioAuthorizeForm(data, parts=list(selectors.scenario_parts(s))),
        "authorize",
    ),
    "suspend": Step(lambda actions, part: actions.suspend, _suspend, lambda data, s, p: ScenarioReasonForm(data)),
    "resume": Step(lambda actions, part: actions.resume, _resume),
    "revoke": Step(lambda actions, part: actions.revoke, _revoke, lambda data, s, p: ScenarioReasonForm(data)),
    "renew": Step(lambda actions, part: actions.renew, _renew, lambda data, s, p: ScenarioRenewForm(data), "renew"),
    "confirm": Step(
        lambda actions, part: part is not None and part.pk in actions.answer,
        _confirm,
        lambda data, s, p: ScenarioPartConfirmForm(data, part=p, auto_id=part_ids("confirm", p)),
        "confirm",
    ),
    "refuse": Step(
        lambda actions, part: part is not None and part.pk in actions.answer,
        _refuse,
        lambda data, s, p: ScenarioPartRefuseForm(data, auto_id=part_ids("refuse", p)),
        "refuse",
    ),
}


class ScenarioActionView(LoginRequiredMixin, View):
    """POST-only actions on one scenario (or one of its parts); errors show on its page with the form refilled."""

    def get(self, request, pk: int, action: str, part_pk: int | None = None):
        # An action's URL opened directly, e.g. after logging in again when the session ran out mid-post.
        return redirect("scenarios:detail", pk=visible_scenario(request.user, pk).pk)

    def post(self, request, pk: int, action: str, part_pk: int | None = None):
        scenario = visible_scenario(request.user, pk)
        step = STEPS.get(action)
        if step is None or (part_pk is None) != (action not in ("confirm", "refuse")):
            raise Http404
        part = get_object_or_404(scenario.parts.select_related("resource"), pk=part_pk) if part_pk else None
        parts = list(selectors.scenario_parts(scenario))
        actions = selectors.available_scenario_actions(request.user, scenario, parts)
        if not step.offered(actions, part):
            return self._not_offered(request, scenario, part)
        form = step.form(request.POST, scenario, part) if step.form else None
        key = f"{step.form_key}-{part.pk}" if part is not None else step.form_key
        if form is not None and not form.is_valid():
            return ScenarioDetailView.render(request, scenario, bound={key: form}, status=400)
        try:
            messages.success(request, step.run(request, scenario, part, form.cleaned_data if form else {}))
        except services.ScenarioError as exc:
            if form is None or exc.stale:
                messages.error(request, exc.message)
                return redirect("scenarios:detail", pk=scenario.pk)
            form_errors(form, exc)
            return ScenarioDetailView.render(request, scenario, bound={key: form}, status=400)
        return redirect("scenarios:detail", pk=scenario.pk)

    @staticmethod
    def _not_offered(request, scenario: Scenario, part):
        """Someone with a step to work here acted on a page from an earlier step: say so. Anyone else: 403."""
        if not selectors.works_on_scenario(request.user, part):
            raise PermissionDenied
        state = part.get_state_display() if part is not None else scenario.get_state_display()
        messages.error(request, f"当前状态为“{state}”，没有待办理的这一步骤；可能已被他人处理，请刷新页面。")
        return redirect("scenarios:detail", pk=scenario.pk)


def handover_form(claim: selectors.scenarios.ScenarioTask, data=None) -> HandoverForm | None:
    """The form to hand the task over, with ids of its own (several tasks on one page), or None."""
    colleagues = claim.claim.handover_to
    if colleagues is None:
        return None
    return HandoverForm(data, colleagues=colleagues, auto_id=f"handover_{claim.task.pk}_%s")


class ScenarioTaskActionView(LoginRequiredMixin, View):
    """认领, 退回待认领 or 转交 one of the scenario's open tasks (workflows.taking, as for share applications).

    A task that is not the scenario's (or its parts'), or not open: 404. Someone with no step on the scenario: 403;
    someone with one is told by the service why not (a colleague holds it, the page is from an earlier step).
    """

    def get(self, request, pk: int, task_pk: int, action: str):
        return redirect("scenarios:detail", pk=visible_scenario(request.user, pk).pk)

    def post(self, request, pk: int, task_pk: int, action: str):
        scenario = visible_scenario(request.user, pk)
        if action not in ("take", "release", "handover"):
            raise Http404
        parts = list(selectors.scenario_parts(scenario))
        found = {task.pk: (task, part) for task, part in selectors.scenarios.scenario_open_tasks(scenario, parts)}
        if task_pk not in found:
            raise Http404
        task, part = found[task_pk]
        if not selectors.works_on_scenario(request.user, part) and not task.flow_task.can_execute(request.user, task):
            raise PermissionDenied
        ip = client_ip(request)
        try:
            if action == "take":
                services.scenario_task_take(actor=request.user, obj=task, ip=ip)
                messages.success(request, "已认领该任务。")
            elif action == "release":
                services.scenario_task_release(actor=request.user, obj=task, ip=ip)
                messages.success(request, "任务已退回待认领队列。")
            else:
                claim = selectors.scenarios.ScenarioTask(
                    task, part, taking.claim_actions(request.user, task, part or scenario)
                )
                form = handover_form(claim, request.POST)
                if form is None or not form.is_valid():
                    raise services.ScenarioError(taking.MSG_HANDOVER_TARGET_INVALID)
                to_user = form.cleaned_data["to_user"]
                services.scenario_task_handover(actor=request.user, obj=task, to_user=to_user, ip=ip)
                messages.success(request, f"任务已转交{to_user}。")
        except services.ScenarioError as exc:
            messages.error(request, exc.message)
        return redirect("scenarios:detail", pk=scenario.pk)


# ---------------------------------------------------------------- proposing


class ScenarioProposeView(LoginRequiredMixin, View):
    template_name = "requests/scenarios/form.html"
    scenario: Scenario | None = None  # the one being changed (ScenarioEditView)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_propose_scenario(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(request, ScenarioForm(), ScenarioPartFormSet(prefix="parts"))

    def post(self, request, **kwargs):
        form = ScenarioForm(request.POST)
        formset = ScenarioPartFormSet(request.POST, prefix="parts")
        if not (form.is_valid() and formset.is_valid()):
            return self._render(request, form, formset, status=400)
        copies = copies_among(part.resource for part in formset.parts())
        if copies and not form.cleaned_data["keep_copies"]:
            # 一数一源: the proposer sees where the authoritative data is, and may list that resource instead.
            return self._render(request, form, formset, copies=copies)
        given = dict(
            actor=request.user,
            data=form.service_data(),
            consumers=list(form.cleaned_data["consumer_departments"]),
            parts=formset.parts(),
            ip=client_ip(request),
        )
        try:
            return self._save(request, given)
        except services.ScenarioError as exc:
            if exc.stale and self.scenario is not None:
                messages.error(request, exc.message)
                return redirect("scenarios:detail", pk=self.scenario.pk)
            formset.show_errors(form, exc)
            return self._render(request, form, formset, status=400)

    def _save(self, request, given: dict[str, Any]):
        scenario = services.scenario_propose(**given)
        if scenario.state == ScenarioState.PROPOSED:
            messages.success(request, "应用场景已提出，待政数局受理。")
        else:
            messages.success(request, "应用场景已提出并送各提供部门确认。")
        return redirect("scenarios:detail", pk=scenario.pk)

    def _render(self, request, form, formset, *, copies=(), status=200):
        context = {"form": form, "formset": formset, "copies": copies, "scenario": self.scenario}
        return render(request, self.template_name, context, status=status)


class ScenarioEditView(ScenarioProposeView):
    """修改: the proposal's form, filled in from the scenario, for its proposing department while no provider has
    answered (requests.services.scenarios.editing). Another department: 403; a scenario answered already: said."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.scenario = visible_scenario(request.user, kwargs["pk"])
        if not permissions.is_scenario_proposer(request.user, self.scenario):
            raise PermissionDenied
        if not rules.scenario_editable(self.scenario):
            messages.error(request, MSG_SCENARIO_NOT_EDITABLE)
            return redirect("scenarios:detail", pk=self.scenario.pk)
        return View.dispatch(self, request, *args, **kwargs)

    def get(self, request, pk: int):
        scenario = self.scenario
        assert scenario is not None  # dispatch found it
        initial = {name: getattr(scenario, name) for name in services.SCENARIO_FIELDS}
        initial["consumer_departments"] = list(scenario.consumer_departments.values_list("pk", flat=True))
        rows = [
            {
                "resource": part.resource_id,
                "item_names": "、".join(part.items.order_by("position", "pk").values_list("name", flat=True)),
                "share_method": part.share_method,
                "legal_basis": part.legal_basis,
                "conditions": part.conditions,
            }
            for part in scenario.parts.order_by("position", "pk")
        ]
        return self._render(request, ScenarioForm(initial=initial), ScenarioPartFormSet(prefix="parts", initial=rows))

    def _save(self, request, given: dict[str, Any]):
        scenario = services.scenario_update(obj=self.scenario, **given)
        messages.success(request, "应用场景已修改。")
        return redirect("scenarios:detail", pk=scenario.pk)


class ScenariosApplication(Application):
    title = "应用场景"
    icon = "hub"
    app_name = "scenarios"
    menu_template_name = "requests/scenarios/app_menu.html"

    index_path = path("", ScenarioListView.as_view(), name="index")
    urlpatterns = [
        path("export.xlsx", ScenarioExportView.as_view(), name="export"),
        path("tasks/", ScenarioTaskListView.as_view(), name="tasks"),
        path("propose/", ScenarioProposeView.as_view(), name="propose"),
        path("<int:pk>/", ScenarioDetailView.as_view(), name="detail"),
        path("<int:pk>/edit/", ScenarioEditView.as_view(), name="edit"),
        path("<int:pk>/parts/<int:part_pk>/<str:action>/", ScenarioActionView.as_view(), name="part_action"),
        path("<int:pk>/tasks/<int:task_pk>/<str:action>/", ScenarioTaskActionView.as_view(), name="task_action"),
        path("<int:pk>/<str:action>/", ScenarioActionView.as_view(), name="action"),
    ]
