"""The shutdown chain's pages: the candidate list (why each system is there), a case with its evidence, trail and
the forms of the step the user may take, and the steps posted from them. What a user may do comes from
selectors.case_actions and .system_actions; the services decide. A case the user may not see is 404, a step not
theirs 403; a refused step says why on the case's page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from pdf_templates.views import trail_url
from systems_inventory import permissions, selectors, services
from systems_inventory.forms import (
    DismissForm,
    DispositionForm,
    ObjectionDecisionForm,
    ObjectionForm,
    ProposeForm,
    RejectForm,
    RequestForm,
    StoreForm,
)
from systems_inventory.models import DataDisposition, ShutdownAttachment, ShutdownCase
from systems_inventory.services import SelfCheckError
from systems_inventory.views.common import require
from systems_inventory.views.register import visible_system
from systems_inventory.zombie_rules import RULES, RULESET_VERSION
from workflows import visibility
from workflows.audit import client_ip


def visible_case(user, pk: int) -> ShutdownCase:
    """The case as its registered rule allows (its page, evidence, attachments, records and trail)."""
    case = get_object_or_404(
        ShutdownCase.objects.select_related("system__department", "successor__department", "assessment"), pk=pk
    )
    if not visibility.can_view(user, case):
        raise Http404
    return case


def _refused(request, exc: SelfCheckError) -> None:
    for field_messages in exc.errors.values() or [[exc.message]]:
        for message in field_messages:
            messages.error(request, message)


def _run(request, step: Callable[[], str]) -> None:
    """Run a step; its message, or every reason it was refused, on the next page."""
    try:
        messages.success(request, step())
    except SelfCheckError as exc:
        _refused(request, exc)


def _form_errors(form) -> SelfCheckError:
    return SelfCheckError("；".join(e for errors in form.errors.values() for e in errors))


def _valid(form):
    if not form.is_valid():
        raise _form_errors(form)
    return form.cleaned_data


# --- the candidate list ----------------------------------------------------------------------------------


class CandidateListView(LoginRequiredMixin, View):
    """僵尸系统研判: the suspected systems with every rule that fired and its evidence, the cases on their way, the
    closed ones and the integration hints. The bureau and auditors see all; a department its own systems'."""

    def get(self, request):
        user = request.user
        sees_all = permissions.sees_all(user)
        require(sees_all or permissions.reports_activity(user))
        cases = selectors.cases_visible_to(user)
        return render(
            request,
            "systems_inventory/candidates.html",
            {
                "sees_all": sees_all,
                "can_scan": permissions.decides_shutdown(user),
                "scan": selectors.latest_scan(),
                "rules": RULES,
                "ruleset": RULESET_VERSION,
                "candidates": selectors.candidates(cases),
                "in_chain": selectors.cases_in_chain(cases),
                "closed": selectors.cases_closed(cases),
                "hints": selectors.integration_hints() if sees_all else [],
            },
        )


class ScanView(LoginRequiredMixin, View):
    def post(self, request):
        require(permissions.decides_shutdown(request.user))

        def scan() -> str:
            done = services.zombie_scan(actor=request.user)
            return f"扫描完成：研判 {done.systems} 个系统，疑似 {done.candidates} 个，新列入 {done.opened} 个，证据消失自动排除 {done.cleared} 个。"

        _run(request, scan)
        return redirect("systems_inventory:candidates")


# --- a case ----------------------------------------------------------------------------------------------


class CaseDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        user = request.user
        case = visible_case(user, pk)
        actions = selectors.case_actions(user, case)
        successors = selectors.successor_choices(case)
        stores = []
        for row in selectors.case_stores(case):
            pk, disposition = row.store.pk, row.disposition
            dispose = actions.dispose and disposition is None
            verify = actions.verify and disposition is not None and disposition.state == "recorded"
            stores.append(
                (
                    row,
                    DispositionForm(case=case, auto_id=f"store{pk}_%s") if dispose else None,
                    RejectForm(auto_id=f"reject{pk}_%s") if verify else None,
                )
            )
        return render(
            request,
            "systems_inventory/case_detail.html",
            {
                "case": case,
                "actions": actions,
                "assessments": selectors.case_assessments(case),
                "objections": selectors.case_objections(case),
                "stores": stores,
                "records": selectors.case_records(user, case),
                "events": selectors.case_events(case),
                "trail_url": trail_url(case) if permissions.sees_all(user) else "",
                "dismiss_form": DismissForm() if actions.decide else None,
                "propose_form": ProposeForm(successors=successors) if actions.decide else None,
                "objection_form": ObjectionForm() if actions.reply else None,
                "decision_form": ObjectionDecisionForm() if actions.decide_objection else None,
                "store_form": StoreForm() if actions.dispose else None,
            },
        )


def _dismiss(request, case) -> str:
    reason = _valid(DismissForm(request.POST))["reason"]
    services.case_dismiss(actor=request.user, obj=case, reason=reason, ip=client_ip(request))
    return "已排除，系统继续使用；相同证据不再列为疑似。"


def _propose(request, case) -> str:
    data = _valid(ProposeForm(request.POST, successors=selectors.successor_choices(case)))
    record = services.case_propose(
        actor=request.user,
        obj=case,
        kind=data["kind"],
        reason=data["reason"],
        successor=data["successor"],
        ip=client_ip(request),
    )
    return f"已签发{record.number}，异议期开始。"


def _accept(request, case) -> str:
    services.case_accept(actor=request.user, obj=case, ip=client_ip(request))
    return "已确认无异议，请登记数据处置情况。"


def _object(request, case) -> str:
    data = _valid(ObjectionForm(request.POST, request.FILES))
    services.case_object(
        actor=request.user,
        obj=case,
        reasons=data["reasons"],
        attachments=data["attachments"] or [],
        ip=client_ip(request),
    )
    return "异议已提交政数局。"


def _decide_objection(request, case) -> str:
    data = _valid(ObjectionDecisionForm(request.POST))
    withdraw = data["decision"] == "withdraw"
    services.objection_decide(
        actor=request.user, obj=case, withdraw=withdraw, reason=data["reason"], ip=client_ip(request)
    )
    return "已撤回关停，系统继续使用。" if withdraw else "已维持关停，进入数据处置。"


def _add_store(request, case) -> str:
    data = _valid(StoreForm(request.POST))
    store = services.store_add(actor=request.user, obj=case, ip=client_ip(request), **data)
    return f"已登记数据存储“{store.name}”。"


def _submit(request, case) -> str:
    services.dispositions_submit(actor=request.user, obj=case, ip=client_ip(request))
    return "已提请政数局核验。"


def _confirm(request, case) -> str:
    record = services.case_confirm(actor=request.user, obj=case, ip=client_ip(request))
    return f"已确认，签发{record.number}。"


# action: (what the page must offer the user, the step)
CASE_STEPS: dict[str, tuple[str, Callable[..., str]]] = {
    "dismiss": ("decide", _dismiss),
    "propose": ("decide", _propose),
    "accept": ("reply", _accept),
    "object": ("reply", _object),
    "decide_objection": ("decide_objection", _decide_objection),
    "add_store": ("dispose", _add_store),
    "submit": ("dispose", _submit),
    "confirm": ("confirm", _confirm),
}


class CaseActionView(LoginRequiredMixin, View):
    def post(self, request, pk: int, action: str):
        case = visible_case(request.user, pk)
        if action not in CASE_STEPS:
            raise Http404
        offered, step = CASE_STEPS[action]
        require(getattr(selectors.case_actions(request.user, case), offered))
        _run(request, lambda: step(request, case))
        return redirect("systems_inventory:case_detail", pk=pk)


class DispositionRecordView(LoginRequiredMixin, View):
    """The department records what became of one store's data, with its evidence."""

    def post(self, request, pk: int, store_pk: int):
        case = visible_case(request.user, pk)
        require(selectors.case_actions(request.user, case).dispose)
        store = get_object_or_404(case.system.data_stores, pk=store_pk)

        def step() -> str:
            form = DispositionForm(request.POST, request.FILES, case=case)
            _valid(form)
            values = form.values()
            services.disposition_record(
                actor=request.user,
                obj=case,
                store=store,
                values=values,
                attachments=form.cleaned_data["attachments"] or [],
                ip=client_ip(request),
            )
            return f"已登记“{store.name}”的数据处置。"

        _run(request, step)
        return redirect("systems_inventory:case_detail", pk=pk)


class DispositionDecisionView(LoginRequiredMixin, View):
    """The bureau verifies a recorded disposition, or rejects it with a reason."""

    def post(self, request, pk: int, action: str):
        disposition = get_object_or_404(DataDisposition.objects.select_related("case__system", "store"), pk=pk)
        case = visible_case(request.user, disposition.case_id)
        if action not in ("verify", "reject"):
            raise Http404
        require(selectors.case_actions(request.user, case).verify)

        def step() -> str:
            if action == "verify":
                services.disposition_verify(actor=request.user, obj=disposition, ip=client_ip(request))
                return f"“{disposition.store.name}”的数据处置核验通过。"
            reason = _valid(RejectForm(request.POST))["reason"]
            services.disposition_reject(actor=request.user, obj=disposition, reason=reason, ip=client_ip(request))
            return f"“{disposition.store.name}”的数据处置核验未通过，已退回部门。"

        _run(request, step)
        return redirect("systems_inventory:case_detail", pk=case.pk)


class AttachmentView(LoginRequiredMixin, View):
    """An objection's or a disposition's file: to whoever may see its case (404 otherwise)."""

    def get(self, request, pk: int):
        attachment = get_object_or_404(ShutdownAttachment.objects.select_related("case__system"), pk=pk)
        visible_case(request.user, attachment.case_id)
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            filename=attachment.original_name,
            as_attachment=True,
        )


# --- from a system's page --------------------------------------------------------------------------------


class SystemRequestView(LoginRequiredMixin, View):
    """The department asks to retire its own system."""

    def post(self, request, pk: int):
        system = visible_system(request.user, pk)
        require(selectors.system_actions(request.user, system, None).request)
        try:
            reason = _valid(RequestForm(request.POST))["reason"]
            case = services.case_request(actor=request.user, system=system, reason=reason, ip=client_ip(request))
        except SelfCheckError as exc:
            _refused(request, exc)
            return redirect("systems_inventory:system_detail", pk=pk)
        messages.success(request, "已申请停用，待政数局研判。")
        return redirect("systems_inventory:case_detail", pk=case.pk)


class SystemProposeView(LoginRequiredMixin, View):
    """The bureau proposes shutdown or integration of a system on its own (e.g. one of duplicates)."""

    def post(self, request, pk: int):
        system = visible_system(request.user, pk)
        require(selectors.system_actions(request.user, system, None).propose)
        try:
            data = _valid(ProposeForm(request.POST, successors=selectors.successor_choices().exclude(pk=system.pk)))
            record = services.system_propose(
                actor=request.user,
                system=system,
                kind=data["kind"],
                reason=data["reason"],
                successor=data["successor"],
                ip=client_ip(request),
            )
        except SelfCheckError as exc:
            _refused(request, exc)
            return redirect("systems_inventory:system_detail", pk=pk)
        messages.success(request, f"已签发{record.number}，异议期开始。")
        return redirect("systems_inventory:case_detail", pk=record.subject_id)
