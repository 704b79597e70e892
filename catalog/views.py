from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views import View
from viewflow.urls import Application

from catalog import excel_export, panels, selectors
from catalog.choices import DataType
from catalog.forms import (
    DataResourceForm,
    DemandForm,
    DemandLinkForm,
    ImportForm,
    ItemFormSet,
    MountForm,
    NegativeEntryForm,
    RegisterForm,
    ReturnForm,
    SearchForm,
    WithdrawForm,
)
from catalog.models import DataResource, DemandItem, ImportJob, NegativeListEntry, ResourceAction
from catalog.permissions import (
    available_actions,
    can_import,
    can_see_completeness,
    can_see_events,
    can_see_import_job,
    can_view,
    is_catalog_staff,
    may,
    reviews_catalog,
)
from catalog.services import (
    CatalogError,
    demand_create,
    demand_link,
    import_job_create,
    import_job_fail_if_stale,
    import_job_start,
    negative_entry_create,
    negative_entry_deactivate,
    resource_create,
    resource_mount,
    resource_register,
    resource_return,
    resource_submit,
    resource_update,
    resource_withdraw,
)
from catalog.source_views import RegisterAsCopyView, SourceAliasesView, SourceDeactivateView, SourceListView
from pdf_templates.selectors import sees_all_records
from pdf_templates.views import trail_url
from workflows.audit import client_ip


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _visible_resource(user, pk: int) -> DataResource:
    """404 for what the user may not even see, so drafts of other departments do not leak."""
    resource = get_object_or_404(DataResource.objects.select_related("provider_department", "legal_basis"), pk=pk)
    if not can_view(user, resource):
        raise Http404
    return resource


def _apply_errors(form, exc: CatalogError) -> None:
    for field, messages_ in (exc.errors or {}).items():
        target = field if field in form.fields else None
        if field == "share_methods":
            target = "query_api"
        for message in messages_:
            form.add_error(target, message)
    if not exc.errors:
        form.add_error(None, exc.message)


MSG_EXPORT_BAD_FILTER = "未导出：有筛选条件无效（见下方红字），请更正后再导出。"
MSG_NOT_EDITABLE_HERE = "该状态下不能修改"
MSG_SAVED_DRAFT = "已保存为草稿。"
MSG_SAVED = "已保存。"
MSG_SAVED_VERSION = "已保存。当前版本 v{version}。"
MSG_DONE = {
    ResourceAction.SUBMIT: "已提交政数局审核。",
    ResourceAction.REGISTER: "已注册。",
    ResourceAction.RETURN: "已退回修改。",
    ResourceAction.MOUNT: "已登记挂载。",
    ResourceAction.WITHDRAW: "已撤销。",
}
MSG_DEMAND_CREATED = "需求已登记。"
MSG_DEMAND_LINKED = "已对接到 {resource}，并通知需求部门。"
MSG_NEGATIVE_CREATED = "已列入负面清单。"
MSG_NEGATIVE_DEACTIVATED = "已停用该负面清单条目。"


def _search_page(request, form: SearchForm, status: int = 200):
    queryset = selectors.search_resources(**form.filters())
    page = Paginator(queryset.order_by("code"), 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/search.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_import": can_import(request.user)},
        status=status,
    )


class SearchView(LoginRequiredMixin, View):
    def get(self, request):
        return _search_page(request, SearchForm(request.GET or None))


class ResourceDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        resource = _visible_resource(request.user, pk)
        user = request.user
        actions = available_actions(user, resource)
        can_withdraw = ResourceAction.WITHDRAW in actions
        return render(
            request,
            "catalog/resource_detail.html",
            {
                "resource": resource,
                "items": resource.current_items(),
                "versions": resource.versions.select_related("created_by"),
                "negative_entries": selectors.negative_list_hits(resource),
                "demands": resource.demands.select_related("department"),
                "links": panels.resource_links(user, resource),
                "can_edit": ResourceAction.EDIT in actions,
                "can_submit": ResourceAction.SUBMIT in actions,
                "can_review": ResourceAction.REGISTER in actions,  # register and return: the same rule
                "can_mount": ResourceAction.MOUNT in actions,
                "can_withdraw": can_withdraw,
                "withdrawal_warnings": panels.withdrawal_warnings(resource) if can_withdraw else [],
                # Register, return and register as a copy each take a comment: their own ids on one page.
                "register_form": RegisterForm(auto_id="register_%s"),
                "return_form": ReturnForm(auto_id="return_%s"),
                "copy_form": RegisterForm(auto_id="copy_%s"),
                "mount_form": MountForm(initial={"records": resource.mounted_records}),
                "withdraw_form": WithdrawForm(),
                "events": selectors.resource_events(resource) if can_see_events(user, resource) else None,
                "trail_url": trail_url(resource) if sees_all_records(user) else "",
                # 一数一源: what the bureau's review should know, and which items are copies or sources.
                "duplicates": selectors.duplicates(resource) if ResourceAction.REGISTER in actions else [],
                "copies": selectors.copies_among([resource]),
                "sources_here": selectors.authoritative_sources().filter(item__resource=resource),
            },
        )


class VersionDetailView(LoginRequiredMixin, View):
    def get(self, request, pk: int, number: int):
        resource = _visible_resource(request.user, pk)
        version = get_object_or_404(resource.versions.select_related("created_by"), number=number)
        items = [
            {
                **item,
                "data_type": DataType(item["data_type"]).label
                if item["data_type"] in DataType.values
                else item["data_type"],
            }
            for item in version.snapshot["items"]
        ]
        return render(
            request,
            "catalog/version_detail.html",
            {"resource": resource, "version": version, "fields": snapshot_rows(version.snapshot), "items": items},
        )


def snapshot_rows(snapshot: dict) -> list[tuple[str, object]]:
    """A version's fields as a reader sees them: Chinese labels, choice labels, 是/否, names."""
    rows = []
    for key, value in snapshot.items():
        if key == "items":
            continue
        try:
            field = DataResource._meta.get_field(key)
        except FieldDoesNotExist:
            rows.append((key, value))
            continue
        if key == "provider_department" and value:
            value = value["name"]
        elif key == "legal_basis" and value:
            value = f"{value['title']}{value['article']}"
        elif isinstance(value, bool):
            value = "是" if value else "否"
        elif field.choices:
            value = dict(field.choices).get(value, value)
        rows.append((field.verbose_name, value))
    return rows


class ResourceFormView(LoginRequiredMixin, View):
    """Create (pk None) or edit a resource with its items."""

    def _resource(self, request, pk):
        if pk is None:
            _require(is_catalog_staff(request.user))
            return None
        resource = _visible_resource(request.user, pk)
        _require(may(request.user, resource, ResourceAction.EDIT))
        if not resource.allows(ResourceAction.EDIT):
            raise PermissionDenied(MSG_NOT_EDITABLE_HERE)
        return resource

    def _render(self, request, form, formset, resource, status=200):
        return render(
            request,
            "catalog/resource_form.html",
            {"form": form, "formset": formset, "resource": resource},
            status=status,
        )

    def get(self, request, pk: int | None = None):
        resource = self._resource(request, pk)
        form = DataResourceForm(instance=resource)
        formset = ItemFormSet(instance=resource or DataResource())
        return self._render(request, form, formset, resource)

    def post(self, request, pk: int | None = None):
        resource = self._resource(request, pk)
        # A new entry is the user's department's: the form checks its code against that department.
        instance = resource or DataResource(provider_department=request.user.department)
        form = DataResourceForm(request.POST, instance=instance)
        formset = ItemFormSet(request.POST, instance=instance)
        form_ok = form.is_valid()
        formset.resource_level = form.cleaned_data.get("security_level")
        if form_ok and formset.is_valid():
            data = {k: v for k, v in form.cleaned_data.items()}
            try:
                if resource is None:
                    data["provider_department"] = request.user.department
                    resource = resource_create(
                        actor=request.user, data=data, items=formset.item_dicts(), ip=client_ip(request)
                    )
                    messages.success(request, MSG_SAVED_DRAFT)
                else:
                    resource = resource_update(
                        actor=request.user, obj=resource, data=data, items=formset.item_dicts(), ip=client_ip(request)
                    )
                    saved = MSG_SAVED_VERSION.format(version=resource.version) if resource.version else MSG_SAVED
                    messages.success(request, saved)
                return redirect("catalog:resource_detail", pk=resource.pk)
            except CatalogError as exc:
                _apply_errors(form, exc)
        return self._render(request, form, formset, resource, status=400)


class ResourceActionView(LoginRequiredMixin, View):
    """POST-only transitions: submit, register, return, mount, withdraw."""

    forms = {
        ResourceAction.REGISTER: RegisterForm,
        ResourceAction.RETURN: ReturnForm,
        ResourceAction.MOUNT: MountForm,
        ResourceAction.WITHDRAW: WithdrawForm,
    }
    services = {
        ResourceAction.SUBMIT: lambda data, **kw: resource_submit(**kw),
        ResourceAction.REGISTER: lambda data, **kw: resource_register(comment=data["comment"], **kw),
        ResourceAction.RETURN: lambda data, **kw: resource_return(comment=data["comment"], **kw),
        ResourceAction.MOUNT: lambda data, **kw: resource_mount(
            records=data["records"], mounted_on=data["mounted_on"], **kw
        ),
        ResourceAction.WITHDRAW: lambda data, **kw: resource_withdraw(reason=data["reason"], **kw),
    }

    def post(self, request, pk: int, action: str):
        resource = _visible_resource(request.user, pk)
        user, ip = request.user, client_ip(request)
        if action not in self.services:  # editing is the resource form's
            raise Http404
        action = ResourceAction(action)
        _require(may(user, resource, action))
        form = self.forms[action](request.POST) if action in self.forms else None
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("catalog:resource_detail", pk=pk)
        data = form.cleaned_data if form is not None else {}
        try:
            self.services[action](data, actor=user, obj=resource, ip=ip)
            messages.success(request, MSG_DONE[action])
        except CatalogError as exc:
            for field_messages in exc.errors.values() or [[exc.message]]:
                for message in field_messages:
                    messages.error(request, message)
        if action in (ResourceAction.REGISTER, ResourceAction.RETURN):
            return redirect("catalog:review")
        return redirect("catalog:resource_detail", pk=pk)


class MyResourcesView(LoginRequiredMixin, View):
    def get(self, request):
        _require(is_catalog_staff(request.user))
        resources = selectors.department_resources(request.user.department)
        return render(request, "catalog/mine.html", {"resources": resources, "department": request.user.department})


class ReviewQueueView(LoginRequiredMixin, View):
    def get(self, request):
        _require(reviews_catalog(request.user))
        return render(request, "catalog/review.html", {"resources": selectors.review_queue()})


class CompletenessView(LoginRequiredMixin, View):
    def get(self, request):
        _require(can_see_completeness(request.user))
        return render(
            request,
            "catalog/completeness.html",
            {"departments": selectors.department_completeness(), "libraries": selectors.base_library_rates()},
        )


# --- Excel ------------------------------------------------------------------------------


class TemplateDownloadView(LoginRequiredMixin, View):
    def get(self, request):
        response = HttpResponse(
            excel_export.build_template(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''catalog-template.xlsx"
        return response


class ExportView(LoginRequiredMixin, View):
    """The search's results, or with ?mine=1 every entry of the user's department, in the import format."""

    def get(self, request):
        if request.GET.get("mine"):
            _require(is_catalog_staff(request.user))
            queryset = selectors.department_entries(request.user.department)
        else:
            form = SearchForm(request.GET or None)
            filters = form.filters()
            if form.errors:
                # A file of more than was asked for would pass for the filtered catalog: export nothing.
                messages.error(request, MSG_EXPORT_BAD_FILTER)
                return _search_page(request, form, status=400)
            queryset = selectors.search_resources(**filters)
        import tempfile

        handle = tempfile.TemporaryFile()
        excel_export.export_workbook(queryset, handle)
        handle.seek(0)
        name = f"catalog-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name)


def _recent_jobs(user) -> list:
    """The user's latest imports; one whose process died says so here too, not 处理中 until the beat."""
    return [import_job_fail_if_stale(obj=job) for job in selectors.recent_import_jobs(user)]


class ImportView(LoginRequiredMixin, View):
    def get(self, request):
        _require(can_import(request.user))
        return render(request, "catalog/import.html", {"form": ImportForm(), "jobs": _recent_jobs(request.user)})

    def post(self, request):
        _require(can_import(request.user))
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(
                request, "catalog/import.html", {"form": form, "jobs": _recent_jobs(request.user)}, status=400
            )
        upload = form.cleaned_data["file"]
        job = import_job_create(
            actor=request.user, upload=upload, submit_after=form.cleaned_data["submit_after"], ip=client_ip(request)
        )
        import_job_start(job)
        return redirect("catalog:import_job", pk=job.pk)


def _own_job(request, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=pk)
    if not can_see_import_job(request.user, job):
        raise Http404
    return import_job_fail_if_stale(obj=job)  # a job whose process died says so, not "running" for ever


class ImportJobView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        return render(request, "catalog/import_job.html", {"job": _own_job(request, pk)})


class ImportJobStatusView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        job = _own_job(request, pk)
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "progress": job.progress,
                "message": job.message,
                "finished": job.is_finished,
                "resources_created": job.resources_created,
                "items_created": job.items_created,
                "error_count": len(job.errors),
            }
        )


# --- demand and negative lists -------------------------------------------------------------


class DemandListView(LoginRequiredMixin, View):
    def get(self, request):
        demands = selectors.demands_visible_to(request.user)
        return render(
            request,
            "catalog/demands.html",
            {
                "demands": demands,
                "can_create": is_catalog_staff(request.user),
                "can_link": reviews_catalog(request.user),
                "link_form": DemandLinkForm(auto_id=False),  # one per row: no ids to repeat
            },
        )


class DemandCreateView(LoginRequiredMixin, View):
    def get(self, request):
        _require(is_catalog_staff(request.user))
        return render(request, "catalog/demand_form.html", {"form": DemandForm()})

    def post(self, request):
        _require(is_catalog_staff(request.user))
        form = DemandForm(request.POST)
        if form.is_valid():
            try:
                demand_create(actor=request.user, data=form.cleaned_data, ip=client_ip(request))
                messages.success(request, MSG_DEMAND_CREATED)
                return redirect("catalog:demands")
            except CatalogError as exc:
                _apply_errors(form, exc)
        return render(request, "catalog/demand_form.html", {"form": form}, status=400)


class DemandLinkView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        _require(reviews_catalog(request.user))
        demand = get_object_or_404(DemandItem, pk=pk)
        form = DemandLinkForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect("catalog:demands")
        try:
            demand_link(actor=request.user, obj=demand, resource=form.resource, ip=client_ip(request))
            messages.success(request, MSG_DEMAND_LINKED.format(resource=form.resource))
        except CatalogError as exc:
            messages.error(request, exc.message)
        return redirect("catalog:demands")


class NegativeListView(LoginRequiredMixin, View):
    def get(self, request):
        bureau = reviews_catalog(request.user)
        entries = selectors.negative_list(active_only=not bureau)
        return render(
            request,
            "catalog/negative_list.html",
            {"entries": entries, "can_maintain": bureau, "form": NegativeEntryForm() if bureau else None},
        )

    def post(self, request):
        _require(reviews_catalog(request.user))
        form = NegativeEntryForm(request.POST)
        if form.is_valid():
            try:
                negative_entry_create(
                    actor=request.user,
                    resource=form.resource,
                    items=form.items,
                    legal_basis=form.cleaned_data["legal_basis"],
                    legal_basis_text=form.cleaned_data["legal_basis_text"],
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
                messages.success(request, MSG_NEGATIVE_CREATED)
                return redirect("catalog:negative_list")
            except CatalogError as exc:
                _apply_errors(form, exc)
        entries = selectors.negative_list(active_only=False)
        return render(
            request, "catalog/negative_list.html", {"entries": entries, "can_maintain": True, "form": form}, status=400
        )


class NegativeDeactivateView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        _require(reviews_catalog(request.user))
        negative_entry_deactivate(actor=request.user, obj=get_object_or_404(NegativeListEntry, pk=pk))
        messages.success(request, MSG_NEGATIVE_DEACTIVATED)
        return redirect("catalog:negative_list")


class CatalogApplication(Application):
    title = "资源目录"
    icon = "dataset"
    app_name = "catalog"
    menu_template_name = "catalog/app_menu.html"
    turbo_disabled = True  # file downloads and the import progress page

    index_path = path("", SearchView.as_view(), name="index")
    urlpatterns = [
        path("resources/<int:pk>/", ResourceDetailView.as_view(), name="resource_detail"),
        path("resources/<int:pk>/versions/<int:number>/", VersionDetailView.as_view(), name="version_detail"),
        path("resources/new/", ResourceFormView.as_view(), name="resource_create"),
        path("resources/<int:pk>/edit/", ResourceFormView.as_view(), name="resource_edit"),
        path("resources/<int:pk>/<str:action>/", ResourceActionView.as_view(), name="resource_action"),
        path("mine/", MyResourcesView.as_view(), name="mine"),
        path("review/", ReviewQueueView.as_view(), name="review"),
        path("completeness/", CompletenessView.as_view(), name="completeness"),
        path("template.xlsx", TemplateDownloadView.as_view(), name="template"),
        path("export.xlsx", ExportView.as_view(), name="export"),
        path("import/", ImportView.as_view(), name="import"),
        path("import/<int:pk>/", ImportJobView.as_view(), name="import_job"),
        path("import/<int:pk>/status/", ImportJobStatusView.as_view(), name="import_job_status"),
        path("demands/", DemandListView.as_view(), name="demands"),
        path("demands/new/", DemandCreateView.as_view(), name="demand_create"),
        path("demands/<int:pk>/link/", DemandLinkView.as_view(), name="demand_link"),
        path("negative/", NegativeListView.as_view(), name="negative_list"),
        path("negative/<int:pk>/deactivate/", NegativeDeactivateView.as_view(), name="negative_deactivate"),
        path("sources/", SourceListView.as_view(), name="sources"),
        path("sources/<int:pk>/aliases/", SourceAliasesView.as_view(), name="source_aliases"),
        path("sources/<int:pk>/deactivate/", SourceDeactivateView.as_view(), name="source_deactivate"),
        path("resources/<int:pk>/copy/register/", RegisterAsCopyView.as_view(), name="register_as_copy"),
    ]
