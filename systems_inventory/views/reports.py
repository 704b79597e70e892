"""A report's pages: the report with its lines and the step the user may take, the system form (pre-filled from
the register), the steps posted from the page, and the user's tasks. What a user may do comes from
selectors.available_actions; the services decide. Another department's report is 404, a step not yours 403."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from pdf_templates.views import trail_url
from systems_inventory import permissions, rules, selectors, services
from systems_inventory.forms import ImportForm, LeaderForm, RetireForm, ReviewForm, SystemForm
from systems_inventory.messages import MSG_SELF_DECISION
from systems_inventory.models import DepartmentReport, ReportLine
from systems_inventory.services import SelfCheckError
from systems_inventory.services.common import wrong_state
from systems_inventory.views.common import apply_errors, require
from workflows import taking, visibility
from workflows.audit import client_ip
from workflows.forms import HandoverForm


def visible_report(user, pk: int) -> DepartmentReport:
    """The report as its registered rule allows (workflows.visibility: its page, lines, records and downloads)."""
    report = get_object_or_404(DepartmentReport.objects.select_related("campaign", "department"), pk=pk)
    if not visibility.can_view(user, report):
        raise Http404
    return report


class TaskListView(LoginRequiredMixin, View):
    """自查待办: the department's filling in and confirmation, the bureau's reviews; and the shutdown chain's steps
    (?show=shutdown: those alone, as the 工作台's figure counts them)."""

    def get(self, request):
        shutdown_only = request.GET.get("show") == "shutdown"
        tasks = [] if shutdown_only else list(selectors.task_list(request.user)[:200])
        case_tasks = list(selectors.case_task_list(request.user)[:200])
        context = {"tasks": tasks, "case_tasks": case_tasks, "shutdown_only": shutdown_only}
        return render(request, "systems_inventory/tasks.html", context)


class ReportDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        user = request.user
        report = visible_report(user, pk)
        actions = selectors.available_actions(user, report)
        lines = list(selectors.report_lines(report))
        return render(
            request,
            "systems_inventory/report_detail.html",
            {
                "report": report,
                "actions": actions,
                "lines": lines,
                "preview": selectors.register_preview(report) if not lines else [],
                "retire_form": RetireForm(auto_id=False),  # one per line: no ids to repeat
                "leader_form": LeaderForm(auto_id="confirm_%s") if actions.confirm else None,
                "send_back_form": LeaderForm(auto_id="send_back_%s") if actions.confirm else None,
                "review_form": ReviewForm(lines=lines) if actions.review else None,
                "import_form": ImportForm() if actions.fill else None,
                "handover_form": HandoverForm(colleagues=actions.handover_to) if actions.handover_to else None,
                "records": selectors.report_records(user, report),
                "events": selectors.report_events(report),
                "trail_url": trail_url(report) if permissions.sees_all(user) else "",
            },
        )


class LineFormView(LoginRequiredMixin, View):
    """Add a system to a report (report pk), or edit one of its lines (line pk), with the system form."""

    def _target(self, request, pk: int | None, line_pk: int | None) -> tuple[DepartmentReport, ReportLine | None]:
        if line_pk is not None:
            line = get_object_or_404(ReportLine.objects.select_related("report"), pk=line_pk)
            report = visible_report(request.user, line.report_id)
        else:
            line, report = None, visible_report(request.user, pk)
        require(selectors.available_actions(request.user, report).fill)
        return report, line

    def _render(self, request, form, report, line, status=200):
        context = {"form": form, "report": report, "line": line}
        return render(request, "systems_inventory/line_form.html", context, status=status)

    def get(self, request, pk: int | None = None, line_pk: int | None = None):
        report, line = self._target(request, pk, line_pk)
        form = SystemForm(instance=line, department=report.department)
        return self._render(request, form, report, line)

    def post(self, request, pk: int | None = None, line_pk: int | None = None):
        report, line = self._target(request, pk, line_pk)
        form = SystemForm(request.POST, instance=line or ReportLine(report=report), department=report.department)
        if form.is_valid():
            data, resources, ip = form.system_data(), form.cleaned_data["resources"], client_ip(request)
            try:
                if line is None:
                    services.line_add(actor=request.user, report=report, data=data, resources=resources, ip=ip)
                else:
                    services.line_update(actor=request.user, obj=line, data=data, resources=resources, ip=ip)
                messages.success(request, "已保存。")
                return redirect("systems_inventory:report_detail", pk=report.pk)
            except SelfCheckError as exc:
                apply_errors(form, exc)
        return self._render(request, form, report, line, status=400)


def _line_confirm(request, line, data) -> str:
    services.line_confirm(actor=request.user, obj=line, ip=client_ip(request))
    return f"已确认“{line.name}”无变化。"


def _line_retire(request, line, data) -> str:
    services.line_retire(actor=request.user, obj=line, reason=data.get("reason", ""), ip=client_ip(request))
    return f"已标记“{line.name}”不再运行。"


def _line_remove(request, line, data) -> str:
    services.line_remove(actor=request.user, obj=line, ip=client_ip(request))
    return f"已删除新增的“{line.name}”。"


class LineActionView(LoginRequiredMixin, View):
    steps: dict[str, Callable[..., str]] = {"confirm": _line_confirm, "retire": _line_retire, "remove": _line_remove}

    def post(self, request, line_pk: int, action: str):
        line = get_object_or_404(ReportLine.objects.select_related("report"), pk=line_pk)
        report = visible_report(request.user, line.report_id)
        if action not in self.steps:
            raise Http404
        require(selectors.available_actions(request.user, report).fill)
        data = {}
        if action == "retire":
            form = RetireForm(request.POST)
            data = form.cleaned_data if form.is_valid() else {"reason": ""}
        _run(request, lambda: self.steps[action](request, line, data))
        return redirect("systems_inventory:report_detail", pk=report.pk)


def _run(request, step: Callable[[], str]) -> bool:
    """Run a step; its message, or every reason it was refused, on the next page. Whether it was done."""
    try:
        messages.success(request, step())
    except SelfCheckError as exc:
        for field_messages in exc.errors.values() or [[exc.message]]:
            for message in field_messages:
                messages.error(request, message)
        return False
    return True


# ---------------------------------------------------------------- steps on the whole report


def _confirm_all(request, report) -> str:
    confirmed, refused = services.lines_confirm_all(actor=request.user, report=report, ip=client_ip(request))
    note = f"；以下系统的清单信息不符合现行要求，请点“修改”补全：{'、'.join(refused)}" if refused else ""
    return f"已确认 {confirmed} 个系统无变化{note}。"


def _leader_comment(request) -> str:
    form = LeaderForm(request.POST)
    return form.cleaned_data["comment"] if form.is_valid() else ""


def _review(request, report):
    form = ReviewForm(request.POST, lines=selectors.report_lines(report))
    if not form.is_valid():
        raise SelfCheckError("；".join(e for errors in form.errors.values() for e in errors))
    return form.cleaned_data["comment"], form.line_comments()


def _accept(request, report) -> str:
    comment, line_comments = _review(request, report)
    record = services.report_accept(
        actor=request.user, obj=report, comment=comment, line_comments=line_comments, ip=client_ip(request)
    )
    return f"已审核通过，签发{record.number}；信息系统清单已更新。"


def _return(request, report) -> str:
    comment, line_comments = _review(request, report)
    record = services.report_return(
        actor=request.user, obj=report, comment=comment, line_comments=line_comments, ip=client_ip(request)
    )
    return f"已退回补正，签发{record.number}。"


def _simple(service, message: str, **kwargs) -> Callable[..., str]:
    """A step that calls `service` on the report and says `message`."""

    def step(request, report) -> str:
        service(actor=request.user, obj=report, ip=client_ip(request), **kwargs)
        return message

    return step


def _leader(service, message: str) -> Callable[..., str]:
    def step(request, report) -> str:
        service(actor=request.user, obj=report, comment=_leader_comment(request), ip=client_ip(request))
        return message

    return step


def _take(request, report) -> str:
    services.report_task_take(actor=request.user, obj=_open_task(report), ip=client_ip(request))
    return "已认领该任务。"


def _release(request, report) -> str:
    services.report_task_release(actor=request.user, obj=_open_task(report), ip=client_ip(request))
    return "任务已退回待认领队列。"


def _handover(request, report) -> str:
    task = _open_task(report)
    form = HandoverForm(request.POST, colleagues=taking.candidates(task, report))
    if not form.is_valid():
        raise SelfCheckError(taking.MSG_HANDOVER_TARGET_INVALID)
    to_user = form.cleaned_data["to_user"]
    services.report_task_handover(actor=request.user, obj=task, to_user=to_user, ip=client_ip(request))
    return f"任务已转交{to_user}。"


def _open_task(report):
    task = services.open_task(report)
    if task is None:
        raise wrong_state(report, "办理")
    return task


# action: (what the page must offer the user, the step); a task is taken, released or handed over by whoever has
# some step on the report ("any"): the service says why not when it is not theirs.
REPORT_STEPS: dict[str, tuple[str, Callable[..., str]]] = {
    "start": ("fill", _simple(services.report_start, "已开始填报：本部门清单中的系统已列出，请逐一确认。")),
    "confirm_all": ("fill", _confirm_all),
    "declare": ("fill", _simple(services.report_declare, "已声明本部门无自建系统。", no_self_built=True)),
    "undeclare": ("fill", _simple(services.report_declare, "已撤回“无自建系统”声明。", no_self_built=False)),
    "submit": ("fill", _simple(services.report_submit, "已提交部门负责人确认。")),
    "confirm": ("confirm", _leader(services.report_confirm, "已确认，报告已报送政数局。")),
    "send_back": ("confirm", _leader(services.report_send_back, "已退回填报人员修改。")),
    "accept": ("review", _accept),
    "return": ("review", _return),
    "take": ("any", _take),
    "release": ("any", _release),
    "handover": ("any", _handover),
}


class ReportActionView(LoginRequiredMixin, View):
    def post(self, request, pk: int, action: str):
        report = visible_report(request.user, pk)
        if action not in REPORT_STEPS:
            raise Http404
        offered, step = REPORT_STEPS[action]
        actions = selectors.available_actions(request.user, report)
        if not getattr(actions, offered):
            if actions.own_department and (offered == "review" or rules.awaits_bureau(report)):
                messages.error(request, MSG_SELF_DECISION)
                return redirect("systems_inventory:report_detail", pk=pk)
            require(False)
        done = _run(request, lambda: step(request, report))
        if done and action in ("accept", "return"):  # decided: on to the next report in the queue
            return redirect("systems_inventory:tasks")
        return redirect("systems_inventory:report_detail", pk=pk)
