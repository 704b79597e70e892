"""共享申请 pages. Views parse input and call the services; visibility is 404, a forbidden action 403."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import Application
from viewflow.workflow.models import Task

from catalog.choices import ShareClass
from catalog.models import DataResource
from organizations.models import User
from organizations.roles import Role
from organizations.selectors import acts_with_role
from pdf_templates.selectors import records_visible_to, sees_all_records
from pdf_templates.views import trail_url
from requests import permissions, selectors
from requests.flows import DepartmentTask
from requests.forms import (
    ApplicationForm,
    CommentForm,
    CountersignForm,
    DisputeForm,
    GrantForm,
    HandoverForm,
    OrderForm,
    RefuseForm,
)
from requests.models import ApplicationAttachment, ApplicationState, ShareApplication, StandardClause
from requests.services import applications as services
from workflows.labels import labelled
from workflows.models import AuditEvent
from workflows.selectors import count_capped
from workflows.workdays import workdays_between


def _visible(request, pk: int) -> ShareApplication:
    # Someone who may not see an application learns nothing, not even that it exists.
    application = get_object_or_404(
        ShareApplication.objects.select_related(
            "applicant_department", "provider_department", "resource", "applicant", "resource_version"
        ),
        pk=pk,
    )
    if not permissions.can_view(request.user, application):
        raise Http404
    return application


def _form_errors(form, exc: services.ApplicationError) -> None:
    for field, errors in exc.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _already_created(request, application):
    messages.info(request, f"该表单已经提交过，申请 {application.reference} 已创建，请勿重复提交。")
    return redirect("share_requests:detail", pk=application.pk)


class ApplicationFormView(LoginRequiredMixin, TemplateView):
    """申请共享 (GET ?resource=<id>) and 修改申请 (drafts and returned applications)."""

    template_name = "requests/form.html"

    def _target(self):
        pk = self.kwargs.get("pk")
        if pk is not None:
            application = _visible(self.request, pk)
            if not permissions.can_edit(self.request.user, application):
                raise PermissionDenied
            if application.state not in (ApplicationState.DRAFT, ApplicationState.RETURNED):
                raise PermissionDenied
            if _renewal_revoked(application):
                raise PermissionDenied  # its page says why and offers 撤回
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
        previous = services.previous_application(self.request.user.department, resource)
        if previous is not None:
            # Pre-filled from history: the department applied for this resource before.
            initial.update(applied_before=True, earlier_outcome=services.earlier_outcome_text(previous))
        if renew:
            initial["applied_before"] = True
        return initial

    def get(self, request, *args, **kwargs):
        application, resource = self._target()
        if application is None and resource.provider_department_id == request.user.department_id:
            # Said before the form is filled in, not after.
            messages.info(request, services.OWN_RESOURCE)
            return redirect("catalog:resource_detail", pk=resource.pk)
        if application is None and (pending := selectors.pending_application(request.user.department, resource)):
            messages.warning(
                request,
                services.PENDING_APPLICATION.format(reference=pending.reference, state=pending.get_state_display()),
            )
        form = ApplicationForm(resource=resource, application=application, initial=self._initial(application, resource))
        return self.render_to_response(self.get_context_data(form=form, application=application, resource=resource))

    def post(self, request, *args, **kwargs):
        application, resource = self._target()
        form = ApplicationForm(request.POST, request.FILES, resource=resource, application=application)
        if form.is_valid():
            token = form.cleaned_data["form_token"] if application is None else None
            if done := services.created_from_form(request.user, token):
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
                        if (done := services.created_from_form(request.user, token)) is None:
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
                _form_errors(form, exc)
        return self.render_to_response(
            self.get_context_data(form=form, application=application, resource=resource), status=200
        )


def _as_requested(application: ShareApplication) -> bool:
    """Unconditional data before its provider is granted only as requested (services.validate_grant_terms)."""
    return (
        application.resource.share_class == ShareClass.UNCONDITIONAL and application.state == ApplicationState.IN_REVIEW
    )


def _renewal_revoked(application: ShareApplication) -> bool:
    """A renewal draft that can no longer be submitted (services.application_submit refuses it)."""
    return application.state == ApplicationState.DRAFT and services.renews_revoked_grant(application)


def _submit_saved(request, application: ShareApplication) -> None:
    """Submit what the form just saved; if it may not be submitted, the changes stay saved and the page says why."""
    try:
        application = services.application_submit(actor=request.user, obj=application)
    except services.ApplicationError as exc:
        messages.error(request, f"修改已保存为草稿，但未能提交：{exc.message}")
    else:
        messages.success(request, f"申请已提交，当前状态：{application.get_state_display()}。")


class DetailView(LoginRequiredMixin, TemplateView):
    template_name = "requests/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        application = _visible(self.request, kwargs["pk"])
        task = services.open_task(application)
        decision = getattr(application, "decision", None)
        grant = getattr(application, "grant", None)
        renewal_revoked = _renewal_revoked(application)
        context = {
            "application": application,
            "items": application.items.order_by("position", "pk"),
            "attachments": application.attachments.all(),
            "decision": decision,
            "granted_items": decision.granted_items.order_by("position", "pk") if decision else [],
            "grant": grant,
            "grant_standing": grant.standing(timezone.localdate()) if grant else "",
            "clauses": StandardClause.labels_of(decision.standard_clauses) if decision else [],
            "records": records_visible_to(user).filter(
                subject_type__app_label="share_requests",
                subject_type__model="shareapplication",
                subject_id=str(application.pk),
            ),
            "events": labelled(
                AuditEvent.objects.filter(
                    subject_type__app_label="share_requests",
                    subject_type__model="shareapplication",
                    subject_id=str(application.pk),
                )
                .select_related("actor", "subject_type")
                .order_by("pk")
            ),
            "task": task,
            "trail_url": trail_url(application) if sees_all_records(user) else "",
            "can_edit": permissions.can_edit(user, application)
            and application.state in (ApplicationState.DRAFT, ApplicationState.RETURNED)
            and not renewal_revoked,
            "renewal_revoked": renewal_revoked,
            "can_withdraw": permissions.can_edit(user, application)
            and application.state in (ApplicationState.DRAFT, *services.OPEN),
        }
        if application.due_at and application.state in (
            ApplicationState.IN_REVIEW,
            ApplicationState.COUNTERSIGNING,
        ):
            context["workdays_left"] = workdays_between(
                timezone.localdate(), timezone.localtime(application.due_at).date()
            )
        if task is not None and task.flow_task_type == "HUMAN":
            node = task.flow_task
            mine = task.owner_id is not None and node.can_execute(user, task)
            # Separation of duties: one's own department's application is not one's to decide (services).
            own = user.department_id == application.applicant_department_id
            context.update(
                task_node=node.name,
                task_mine=mine,
                can_take=task.owner_id is None and node.can_assign(user, task) and not own,
            )
            if own and node.name == "arbitrate" and node.can_assign(user, task):
                context.update(own_department=True, order_form=OrderForm())  # ordering is not deciding
            elif mine or context["can_take"]:
                context["history"] = selectors.applicant_history(application)
                if node.name in ("review", "arbitrate"):
                    context.update(
                        grant_form=GrantForm(application=application, as_requested=_as_requested(application)),
                        refuse_form=RefuseForm(
                            initial={"legal_basis": application.resource.legal_basis_id}
                            if application.resource.share_class == "none"
                            else {}
                        ),
                        return_form=CommentForm(),
                        dispute_form=DisputeForm() if services.may_dispute(application) else None,
                    )
                if node.name == "countersign":
                    context["countersign_form"] = CountersignForm()
                if node.name == "arbitrate":
                    context["order_form"] = OrderForm()
            if mine and node.name in ("review", "countersign"):
                colleagues = _colleagues(task, application)
                if colleagues.exists():  # nobody to hand it to: no form
                    context["handover_form"] = HandoverForm(colleagues=colleagues)
        context.update(kwargs)
        return super().get_context_data(**context)


def _colleagues(task: Task, application: ShareApplication):
    users = User.objects.filter(department=application.provider_department, is_active=True).exclude(pk=task.owner_id)
    return User.objects.filter(pk__in=[u.pk for u in users if u.has_perm(task.owner_permission)])


def _may_take_such_tasks(user, task: Task, application: ShareApplication) -> bool:
    """Whether `user` could have taken `task` had a colleague not taken it first."""
    if isinstance(task.flow_task, DepartmentTask) and user.department_id != application.provider_department_id:
        return False
    return user.has_perm(task.owner_permission)


def _works_on(user, application: ShareApplication) -> bool:
    """Whether `user` has some step of `application` to work: the provider's reviewers and leaders, the 政数局,
    and whoever stands in for one of them today."""
    if acts_with_role(user, Role.DATA_BUREAU):
        return True
    provider = user.department_id == application.provider_department_id
    return provider and acts_with_role(user, Role.PROVIDER_REVIEWER, Role.DEPT_LEADER)


class ActionView(LoginRequiredMixin, View):
    """POST-only actions on one application; errors show on its page with the form refilled."""

    def get(self, request, pk: int, action: str):
        # An action's URL opened directly, e.g. after logging in again when the session ran out mid-post.
        return redirect("share_requests:detail", pk=_visible(request, pk).pk)

    def post(self, request, pk: int, action: str):
        application = _visible(request, pk)
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            raise Http404
        try:
            response = handler(request, application)
        except services.ApplicationError as exc:
            form = getattr(exc, "form", None)
            # Stale: someone else acted first, and the page no longer shows the form to refill.
            if form is None or exc.stale:
                messages.error(request, exc.message)
                return redirect("share_requests:detail", pk=application.pk)
            _form_errors(form, exc)
            view = DetailView()
            view.setup(request, pk=pk)
            context = view.get_context_data(pk=pk, **{exc.form_name: form})
            return view.render_to_response(context, status=400)
        return response or redirect("share_requests:detail", pk=application.pk)

    @staticmethod
    def _bound(form, name: str):
        """Parse `form`; an invalid one raises with the form attached, as the services do."""
        if not form.is_valid():
            first = next(iter(form.errors))
            exc = services.ApplicationError(form.errors[first][0], field=first)
            exc.errors = {}
            exc.form, exc.form_name = form, name
            raise exc
        return form.cleaned_data

    @staticmethod
    def _attach(exc, form, name):
        exc.form, exc.form_name = form, name
        return exc

    def _require_editor(self, request, application):
        if not permissions.can_edit(request.user, application):
            raise PermissionDenied

    def _task(self, request, application) -> Task:
        task = services.open_task(application)
        if task is None or task.flow_task_type != "HUMAN":
            raise services.not_open(application)
        node = task.flow_task
        user = request.user
        if node.can_execute(user, task) or node.can_assign(user, task):
            return task
        if task.owner_id is not None and _may_take_such_tasks(user, task, application):
            raise services.ApplicationError(services.TASK_NOT_YOURS.format(owner=task.owner))  # not just "forbidden"
        if _works_on(user, application):  # a page from an earlier step: say where it stands now
            raise services.not_open(application)
        raise PermissionDenied

    def do_submit(self, request, application):
        self._require_editor(request, application)
        application = services.application_submit(actor=request.user, obj=application)
        messages.success(request, f"申请已提交，当前状态：{application.get_state_display()}。")

    def do_withdraw(self, request, application):
        self._require_editor(request, application)
        services.application_withdraw(actor=request.user, obj=application)
        messages.success(request, "申请已撤回。")

    def do_take(self, request, application):
        task = self._task(request, application)
        services.task_take(actor=request.user, task=task)
        messages.success(request, "已认领该任务。")

    def do_release(self, request, application):
        task = self._task(request, application)
        services.task_release(actor=request.user, task=task)
        messages.success(request, "任务已退回待认领队列。")

    def do_handover(self, request, application):
        task = self._task(request, application)
        form = HandoverForm(request.POST, colleagues=_colleagues(task, application))
        data = self._bound(form, "handover_form")
        try:
            services.task_handover(actor=request.user, task=task, to_user=data["to_user"])
        except services.ApplicationError as exc:
            raise self._attach(exc, form, "handover_form") from None
        messages.success(request, f"任务已转交{data['to_user']}。")

    def do_grant(self, request, application):
        self._task(request, application)
        form = GrantForm(request.POST, application=application, as_requested=_as_requested(application))
        data = self._bound(form, "grant_form")
        terms = services.GrantTerms(
            items=list(data["items"]),
            share_method=data["share_method"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            conditions=data["conditions"].strip(),
            standard_clauses=list(data["standard_clauses"]),
            adjustment_reason=data.get("adjustment_reason", ""),  # not asked when granted as requested
        )
        try:
            decision = services.application_grant(actor=request.user, obj=application, terms=terms)
        except services.ApplicationError as exc:
            raise self._attach(exc, form, "grant_form") from None
        if decision.countersign_required and decision.effective_at is None:
            messages.success(request, "已提交部门负责人会签，会签后授权生效。")
        else:
            messages.success(request, f"已作出决定：{decision.get_outcome_display()}。")

    def do_refuse(self, request, application):
        self._task(request, application)
        form = RefuseForm(request.POST)
        data = self._bound(form, "refuse_form")
        try:
            services.application_refuse(
                actor=request.user,
                obj=application,
                reason=data["reason"],
                text=data["text"],
                legal_basis=data["legal_basis"],
                citation=data["citation"],
            )
        except services.ApplicationError as exc:
            raise self._attach(exc, form, "refuse_form") from None
        messages.success(request, "已作出不予授权决定并签发告知书。")

    def do_return(self, request, application):
        self._task(request, application)
        form = CommentForm(request.POST)
        data = self._bound(form, "return_form")
        try:
            services.application_return(actor=request.user, obj=application, comment=data["comment"])
        except services.ApplicationError as exc:
            raise self._attach(exc, form, "return_form") from None
        messages.success(request, "已退回申请部门补正。")

    def do_dispute(self, request, application):
        self._task(request, application)
        form = DisputeForm(request.POST)
        data = self._bound(form, "dispute_form")
        try:
            services.application_dispute_class(actor=request.user, obj=application, reason=data["reason"])
        except services.ApplicationError as exc:
            raise self._attach(exc, form, "dispute_form") from None
        messages.success(request, "共享类型异议已提交政数局协调。")

    def do_countersign(self, request, application):
        self._task(request, application)
        form = CountersignForm(request.POST)
        data = self._bound(form, "countersign_form")
        try:
            services.application_countersign(
                actor=request.user, obj=application, approve=data["approve"], comment=data["comment"]
            )
        except services.ApplicationError as exc:
            raise self._attach(exc, form, "countersign_form") from None
        messages.success(request, "会签意见已提交。")

    def do_order(self, request, application):
        self._task(request, application)
        form = OrderForm(request.POST)
        data = self._bound(form, "order_form")
        try:
            services.application_order_decision(
                actor=request.user, obj=application, workdays=data["workdays"], comment=data["comment"].strip()
            )
        except services.ApplicationError as exc:
            raise self._attach(exc, form, "order_form") from None
        messages.success(request, "已责令提供部门限期答复。")


class AttachmentView(LoginRequiredMixin, View):
    """Attachments go through this permission check, never through a public media URL."""

    def get(self, request, pk: int):
        attachment = get_object_or_404(ApplicationAttachment.objects.select_related("application"), pk=pk)
        if not permissions.can_view(request.user, attachment.application):
            raise Http404
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            filename=attachment.original_name,
            as_attachment=True,
        )


class ListView(LoginRequiredMixin, TemplateView):
    template_name = "requests/list.html"
    title = ""

    def applications(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        applications = self.applications()
        state = self.request.GET.get("state")
        if state in ApplicationState.values:
            applications = applications.filter(state=state)
        page = Paginator(applications.order_by("-pk"), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, title=self.title, states=ApplicationState.choices, state=state, **kwargs
        )


class MineView(ListView):
    title = "我的申请"

    def applications(self):
        return selectors.department_applications(self.request.user)


class AllView(ListView):
    title = "全部申请"

    def applications(self):
        if not permissions.sees_all(self.request.user):
            raise PermissionDenied
        return selectors.applications_visible_to(self.request.user)


class OverdueView(LoginRequiredMixin, TemplateView):
    template_name = "requests/overdue.html"

    def get_context_data(self, **kwargs):
        if not permissions.reads_overdue(self.request.user):
            raise PermissionDenied
        return super().get_context_data(
            applications=selectors.overdue_queue(), counts=selectors.overdue_counts_by_provider(), **kwargs
        )


class TaskListView(LoginRequiredMixin, TemplateView):
    """待办审核, newest first, 50 a page.

    The page is read off an index (requests/migrations/0003_inbox_indexes.py), and one extra
    row says whether there is a next page. The total is capped ("100+ 项", workflows.selectors):
    an exact count of a department's open tasks joins all of them (236 ms with 100k open, B2).
    """

    template_name = "requests/tasks.html"
    page_size = 50
    # What requests/tasks.html reads: the rows' other columns would cost more to load than the query.
    _application = "process__shareapplicationprocess__application"
    columns = (
        "flow_task",
        "owner__username",
        "owner__first_name",
        "owner__last_name",
        "process__shareapplicationprocess__application",
        f"{_application}__due_at",
        f"{_application}__applicant_department__name",
        f"{_application}__resource__name",
    )

    def get_context_data(self, **kwargs):
        try:
            # Capped far beyond any inbox: a larger page's offset overflows the database's integers (a 500).
            number = min(max(1, int(self.request.GET.get("page", 1))), 1_000_000)
        except ValueError:
            number = 1
        offset = (number - 1) * self.page_size
        tasks = selectors.task_list(self.request.user)
        rows = list(tasks.only(*self.columns)[offset : offset + self.page_size + 1])
        return super().get_context_data(
            tasks=rows[: self.page_size],
            total=count_capped(tasks),
            number=number,
            has_previous=number > 1,
            has_next=len(rows) > self.page_size,
            **kwargs,
        )


class ShareRequestsApplication(Application):
    title = "共享申请"
    icon = "assignment"
    app_name = "share_requests"
    menu_template_name = "requests/app_menu.html"
    turbo_disabled = True  # attachments download, forms post files

    index_path = path("", MineView.as_view(), name="index")
    urlpatterns = [
        path("apply/", ApplicationFormView.as_view(), name="apply"),
        path("tasks/", TaskListView.as_view(), name="tasks"),
        path("overdue/", OverdueView.as_view(), name="overdue"),
        path("all/", AllView.as_view(), name="all"),
        path("attachments/<int:pk>/", AttachmentView.as_view(), name="attachment"),
        path("<int:pk>/", DetailView.as_view(), name="detail"),
        path("<int:pk>/edit/", ApplicationFormView.as_view(), name="edit"),
        path("<int:pk>/<str:action>/", ActionView.as_view(), name="action"),
    ]
