"""A project's pages: the list, the form, the page with the gate rule by rule and the step the user may take, its
materials, the steps posted from the page, and the snapshots of the gate. What a user may do comes from
selectors.available_actions; the services decide. Another department's project is 404, a step not yours 403."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from pdf_templates.views import trail_url
from project_approvals import gate, permissions, selectors, services
from project_approvals.forms import (
    AcceptForm,
    ApprovalForm,
    AttachmentForm,
    CommentForm,
    FundingForm,
    MeetConditionForm,
    ProjectForm,
    ReviewForm,
    SearchForm,
)
from project_approvals.messages import MSG_SELF_REVIEW
from project_approvals.models import ConstructionProject, GateEvaluation, ProjectAttachment, ReviewCondition
from project_approvals.views.common import apply_errors, require, run, visible_project
from workflows import visibility
from workflows.audit import client_ip

PAGE_SIZE = 30


class ProjectListView(LoginRequiredMixin, View):
    def get(self, request):
        form = SearchForm(request.GET or None)
        projects = selectors.search_projects(selectors.projects_visible_to(request.user), **form.filters())
        page = Paginator(projects.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "project_approvals/list.html",
            {
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "can_create": permissions.may_create(request.user),
            },
        )


class TaskListView(LoginRequiredMixin, View):
    """项目待办: the department's filling in and confirmation, the bureau's, the approver's and finance's steps."""

    def get(self, request):
        tasks = list(selectors.task_list(request.user)[:200])
        return render(request, "project_approvals/tasks.html", {"tasks": tasks})


class ProjectFormView(LoginRequiredMixin, View):
    """Create a project (pk None) or change one the department may edit."""

    def _project(self, request, pk: int | None) -> ConstructionProject | None:
        if pk is None:
            require(permissions.may_create(request.user))
            return None
        project = visible_project(request.user, pk)
        require(selectors.available_actions(request.user, project).edit)
        return project

    def _render(self, request, form, project, status=200):
        return render(request, "project_approvals/form.html", {"form": form, "project": project}, status=status)

    def get(self, request, pk: int | None = None):
        project = self._project(request, pk)
        department = project.department if project else request.user.department
        return self._render(request, ProjectForm(instance=project, department=department), project)

    def post(self, request, pk: int | None = None):
        project = self._project(request, pk)
        department = project.department if project else request.user.department
        form = ProjectForm(
            request.POST, instance=project or ConstructionProject(department=department), department=department
        )
        if form.is_valid():
            ip = client_ip(request)
            try:
                if project is None:
                    project = services.project_create(
                        actor=request.user, data=form.project_data(), ip=ip, **form.lists()
                    )
                else:
                    services.project_update(
                        actor=request.user, obj=project, data=form.project_data(), ip=ip, **form.lists()
                    )
                messages.success(request, "已保存。")
                return redirect("project_approvals:detail", pk=project.pk)
            except services.ProjectError as exc:
                apply_errors(form, exc)
        return self._render(request, form, project, status=400)


class ProjectDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        user = request.user
        project = visible_project(user, pk)
        actions = selectors.available_actions(user, project)
        return render(
            request,
            "project_approvals/detail.html",
            {
                "project": project,
                "actions": actions,
                "evaluation": gate.evaluate_project(project),
                **selectors.project_detail(project),
                "open_conditions": selectors.open_conditions(project),
                **action_forms(actions),
                "records": selectors.project_records(user, project),
                "events": selectors.project_events(project),
                "trail_url": trail_url(project) if permissions.sees_all(user) else "",
            },
        )


def action_forms(actions) -> dict:
    """The forms of the steps the page offers (a form's ids are its own: several forms share a page)."""
    return {
        "attachment_form": AttachmentForm() if actions.edit else None,
        "leader_form": CommentForm(auto_id="leader_%s") if actions.confirm else None,
        "send_back_form": CommentForm(auto_id="send_back_%s") if actions.confirm else None,
        "review_form": ReviewForm(auto_id="review_%s") if actions.review else None,
        "approval_form": ApprovalForm(auto_id="approval_%s") if actions.approve else None,
        "funding_form": FundingForm(auto_id="funding_%s") if actions.fund else None,
        "accept_form": AcceptForm(auto_id="accept_%s") if actions.accept else None,
        "meet_form": MeetConditionForm() if actions.meet_conditions else None,
    }


class AttachmentUploadView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        project = visible_project(request.user, pk)
        require(selectors.available_actions(request.user, project).edit)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        else:
            run(
                request,
                lambda: _uploaded(request, project, form),
            )
        return redirect("project_approvals:detail", pk=pk)


def _uploaded(request, project, form) -> str:
    attachment = services.attachment_add(
        actor=request.user,
        obj=project,
        upload=form.cleaned_data["file"],
        kind=form.cleaned_data["kind"],
        ip=client_ip(request),
    )
    return f"已上传“{attachment.original_name}”。"


class AttachmentView(LoginRequiredMixin, View):
    """Materials go through this permission check, never through a public media URL."""

    def get(self, request, pk: int):
        attachment = get_object_or_404(ProjectAttachment.objects.select_related("project"), pk=pk)
        if not visibility.can_view(request.user, attachment.project):
            raise Http404
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            filename=attachment.original_name,
            as_attachment=True,
        )


class AttachmentRemoveView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        attachment = get_object_or_404(ProjectAttachment.objects.select_related("project"), pk=pk)
        project = visible_project(request.user, attachment.project_id)
        require(selectors.available_actions(request.user, project).edit)
        name = attachment.original_name
        run(request, lambda: _removed(request, attachment, name))
        return redirect("project_approvals:detail", pk=project.pk)


def _removed(request, attachment, name: str) -> str:
    services.attachment_remove(actor=request.user, obj=attachment, ip=client_ip(request))
    return f"已删除“{name}”。"


class ConditionMeetView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        condition = get_object_or_404(ReviewCondition.objects.select_related("project"), pk=pk)
        project = visible_project(request.user, condition.project_id)
        require(selectors.available_actions(request.user, project).meet_conditions)
        form = MeetConditionForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        run(request, lambda: _met(request, condition, comment))
        return redirect("project_approvals:detail", pk=project.pk)


def _met(request, condition, comment: str) -> str:
    services.condition_meet(actor=request.user, obj=condition, comment=comment, ip=client_ip(request))
    return f"已确认“{condition.text}”落实。"


class EvaluationView(LoginRequiredMixin, View):
    """A snapshot of the gate, as it was read at its decision (forever the same)."""

    def get(self, request, pk: int):
        snapshot = get_object_or_404(GateEvaluation.objects.select_related("project", "system"), pk=pk)
        if snapshot.project is not None:
            visible_project(request.user, snapshot.project_id)
        elif not permissions.sees_funding_queue(request.user) and not visibility.can_view(
            request.user, snapshot.system
        ):
            raise Http404
        return render(request, "project_approvals/evaluation.html", {"snapshot": snapshot, "content": snapshot.content})


# ---------------------------------------------------------------- steps posted from the page


def _form(form_class, request):
    form = form_class(request.POST)
    if not form.is_valid():
        raise services.ProjectError(
            "；".join(str(e) for errors in form.errors.values() for e in errors),
            {name: [str(e) for e in errors] for name, errors in form.errors.items()},
        )
    return form.cleaned_data


def _comment(request) -> str:
    return _form(CommentForm, request)["comment"]


def _review(request) -> tuple[str, list[tuple[str, str]]]:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise services.ProjectError("；".join(str(e) for errors in form.errors.values() for e in errors))
    return form.cleaned_data["comment"], form.conditions()


def _pass(request, project) -> str:
    comment, _ = _review(request)
    review = services.review_pass(actor=request.user, obj=project, comment=comment, ip=client_ip(request))
    return f"初审通过，签发{review.record.number}。"


def _conditional(request, project) -> str:
    comment, conditions = _review(request)
    review = services.review_pass_with_conditions(
        actor=request.user, obj=project, comment=comment, conditions=conditions, ip=client_ip(request)
    )
    return f"初审附条件通过（{review.conditions.count()} 项条件），签发{review.record.number}。"


def _return(request, project) -> str:
    comment, _ = _review(request)
    review = services.review_return(actor=request.user, obj=project, comment=comment, ip=client_ip(request))
    return f"已退回修改，签发{review.record.number}。"


def _not_pass(request, project) -> str:
    comment, _ = _review(request)
    review = services.review_not_pass(actor=request.user, obj=project, comment=comment, ip=client_ip(request))
    return f"初审不通过，签发{review.record.number}。"


def _approve(request, project) -> str:
    data = _form(ApprovalForm, request)
    services.project_approve(
        actor=request.user,
        obj=project,
        approval_number=data["approval_number"],
        approved_on=data["approved_on"],
        ip=client_ip(request),
    )
    return f"已登记立项（{data['approval_number']}）。"


def _fund(request, project) -> str:
    data = _form(FundingForm, request)
    decision = services.project_fund(
        actor=request.user,
        obj=project,
        amount=data["amount"],
        budget_line=data["budget_line"],
        comment=data["comment"],
        ip=client_ip(request),
    )
    return f"资金闸口通过，已批复预算 {decision.amount} 万元，签发{decision.record.number}。"


def _accept(request, project) -> str:
    data = _form(AcceptForm, request)
    services.project_accept(
        actor=request.user, obj=project, accepted_on=data["accepted_on"], comment=data["comment"], ip=client_ip(request)
    )
    return "已登记验收。"


def _simple(service, message: str) -> Callable[..., str]:
    def step(request, project) -> str:
        service(actor=request.user, obj=project, ip=client_ip(request))
        return message

    return step


def _leader(service, message: str) -> Callable[..., str]:
    def step(request, project) -> str:
        service(actor=request.user, obj=project, comment=_comment(request), ip=client_ip(request))
        return message

    return step


# action: (what the page must offer the user, the step)
PROJECT_STEPS: dict[str, tuple[str, Callable[..., str]]] = {
    "submit": ("edit", _simple(services.project_submit, "已提交部门负责人确认。")),
    "confirm": ("confirm", _leader(services.project_confirm, "已确认，项目已报送政数局初审。")),
    "send_back": ("confirm", _leader(services.project_send_back, "已退回填报人员修改。")),
    "pass": ("review", _pass),
    "conditional": ("review", _conditional),
    "return": ("review", _return),
    "not_pass": ("review", _not_pass),
    "approve": ("approve", _approve),
    "fund": ("fund", _fund),
    "accept": ("accept", _accept),
}


ROLE_STEPS = {"approve": permissions.may_approve, "fund": permissions.may_fund, "accept": permissions.may_approve}


class ProjectActionView(LoginRequiredMixin, View):
    def post(self, request, pk: int, action: str):
        project = visible_project(request.user, pk)
        if action not in PROJECT_STEPS:
            raise Http404
        offered, step = PROJECT_STEPS[action]
        actions = selectors.available_actions(request.user, project)
        if not getattr(actions, offered):
            if offered == "review" and actions.own_department:
                messages.error(request, MSG_SELF_REVIEW)
                return redirect("project_approvals:detail", pk=pk)
            # The approver and finance hold their step whatever the state: the service says why not now.
            require(offered in ROLE_STEPS and ROLE_STEPS[offered](request.user))
        run(request, lambda: step(request, project))
        return redirect("project_approvals:detail", pk=pk)
