"""Lists of applications and tasks, and attachment downloads."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import TemplateView

from requests import permissions, selectors
from requests.forms import ApplicationFilterForm
from requests.models import ApplicationAttachment, ApplicationState
from workflows import visibility


class AttachmentView(LoginRequiredMixin, View):
    """Attachments go through this permission check, never through a public media URL."""

    def get(self, request, pk: int):
        attachment = get_object_or_404(ApplicationAttachment.objects.select_related("application"), pk=pk)
        if not visibility.can_view(request.user, attachment.application):
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
        form = ApplicationFilterForm(self.request.GET)
        state = form.cleaned_data["state"] if form.is_valid() else ""  # an unknown state: the error shows, all listed
        if state:
            applications = applications.filter(state=state)
        page = Paginator(applications.order_by("-pk"), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page,
            title=self.title,
            form=form,
            state=state,
            state_label=ApplicationState(state).label if state else "",
            **kwargs,
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
        reason = self.request.GET.get("reason", "")
        reason = reason if reason in selectors.OVERDUE_REASONS else ""
        return super().get_context_data(
            applications=list(selectors.overdue_queue(reason)),
            reason=reason,
            reasons=selectors.OVERDUE_REASONS,
            counts=selectors.overdue_counts_by_provider(),
            **kwargs,
        )


class TaskListView(LoginRequiredMixin, TemplateView):
    """待办审核: the nearest deadline first (?sort=received: the newest first; ?sort=applicant), 50 a page; narrowed
    to one step (?step=review|countersign|arbitrate) and to ?show=queue|mine|overdue, as the 工作台 links to it.

    The page costs the same queries however many tasks there are (requests.selectors.inbox_page). Its total is
    capped ("100+ 项", workflows.selectors): an exact count of a department's open tasks joins all of them.
    """

    template_name = "requests/tasks.html"
    page_size = 50

    def get_context_data(self, **kwargs):
        try:
            # Capped far beyond any inbox: a larger page's offset overflows the database's integers (a 500).
            number = min(max(1, int(self.request.GET.get("page", 1))), 1_000_000)
        except ValueError:
            number = 1
        get = self.request.GET
        page = selectors.inbox_page(
            self.request.user,
            sort=get.get("sort", ""),
            number=number,
            size=self.page_size,
            step=get.get("step", ""),
            show=get.get("show", ""),
        )
        sorts = [(key, label) for key, (label, _) in selectors.INBOX_SORTS.items()]
        step = selectors.INBOX_STEPS.get(page.step)
        return super().get_context_data(
            page=page,
            sorts=sorts,
            keep="".join(f"&{name}={value}" for name, value in (("step", page.step), ("show", page.show)) if value),
            narrowed=" · ".join(
                [*([str(step.task_title)] if step else []), *([selectors.INBOX_SHOWS[page.show]] if page.show else [])]
            ),
            **kwargs,
        )
