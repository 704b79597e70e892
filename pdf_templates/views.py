from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import Application

from pdf_templates.forms import RecordFilterForm, UploadForm
from pdf_templates.models import Record
from pdf_templates.rendering import verify_url
from pdf_templates.selectors import (
    filter_records,
    records_of_subject,
    records_visible_to,
    sees_all_records,
    sees_subject,
    subject_of,
)
from pdf_templates.trail import stream_trail_zip
from pdf_templates.verification import check_uploaded_pdf
from workflows.audit import client_ip
from workflows.models import AuditEvent
from workflows.ratelimit import hit

MSG_VERIFY_THROTTLED = "核验请求过于频繁：同一地址 {seconds} 秒内最多核验 {limit} 份文件，请稍后再试。"


class RecordListView(LoginRequiredMixin, TemplateView):
    template_name = "pdf_templates/record_list.html"

    def get_context_data(self, **kwargs):
        form = RecordFilterForm(self.request.GET or None)
        filters = form.filters()
        records = records_visible_to(self.request.user)
        records = records.none() if filters is None else filter_records(records, **filters)
        page = Paginator(records.order_by("-issued_at", "-id"), 50).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form, page=page, query=query.urlencode(), sees_all=sees_all_records(self.request.user), **kwargs
        )


def _visible_record(request, pk: int) -> Record:
    # Someone who may not see a record learns nothing, not even that it exists.
    return get_object_or_404(records_visible_to(request.user).select_related("supersedes", "issued_by"), pk=pk)


class RecordDetailView(LoginRequiredMixin, TemplateView):
    template_name = "pdf_templates/record_detail.html"

    def get_context_data(self, **kwargs):
        record = _visible_record(self.request, kwargs["pk"])
        return super().get_context_data(
            record=record,
            verify_url=verify_url(record),
            superseded_by=record.superseded_by.first(),
            subject_type=record.subject_type,
            **_subject(record, self.request.user),
            **kwargs,
        )


def _subject(record: Record, user) -> dict:
    """The record's subject by its reference (SQ000166) or name, linked when the viewer may open its page:
    its departments' staff and those who see everything, as the subject's own pages allow."""
    subject = record.subject
    if subject is None:
        return {"subject_label": f"#{record.subject_id}", "subject_url": None}
    label = getattr(subject, "reference", None) or str(subject)
    url = subject.get_absolute_url() if sees_subject(user, subject) and hasattr(subject, "get_absolute_url") else None
    return {"subject_label": label, "subject_url": url}


class RecordPdfView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        record = _visible_record(request, pk)
        if not record.is_rendered:
            return redirect("records:detail", pk=record.pk)
        return FileResponse(
            record.pdf.open("rb"), content_type="application/pdf", filename=f"{record.number}.pdf", as_attachment=False
        )


def trail_url(subject) -> str:
    """The download of `subject`'s whole trail, its records and audit events (for those who see every record)."""
    subject_type = ContentType.objects.get_for_model(subject)
    return f"{reverse('records:trail')}?subject_type={subject_type.pk}&subject_id={subject.pk}"


class TrailDownloadView(LoginRequiredMixin, View):
    """The trail of one subject (?subject_type=&subject_id=) or of a filtered set, as a streamed ZIP."""

    def get(self, request):
        records = records_visible_to(request.user)
        description: dict = {"generated_by": request.user.username}
        if request.GET.get("subject_type") or request.GET.get("subject_id"):
            records, events, content_type, subject_id = _subject_trail(request)
            description["subject"] = {"type": f"{content_type.app_label}.{content_type.model}", "id": subject_id}
            filename = f"trail-{content_type.model}-{subject_id}.zip"
        else:
            events = None
            form = RecordFilterForm(request.GET or None)
            if request.GET and not form.is_valid():
                context = {"form": form, "page": None, "sees_all": sees_all_records(request.user)}
                return render(request, "pdf_templates/record_list.html", context, status=400)
            filters = form.filters()
            records = filter_records(records, **filters)
            description["filter"] = {key: str(value) for key, value in filters.items() if value}
            filename = f"trail-{timezone.localdate():%Y%m%d}.zip"
        response = StreamingHttpResponse(
            stream_trail_zip(records, description=description, events=events, user=request.user),
            content_type="application/zip",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _subject_trail(request):
    """One subject's records and events, as far as the user may see them; 404 where they may see nothing.

    The subject's own events go in only for those its page shows them to (workflows.visibility, through
    sees_subject); someone who may open a record about it (the addressee) gets that record and its events.
    """
    try:
        content_type = ContentType.objects.get_for_id(int(request.GET.get("subject_type") or ""))
    except (TypeError, ValueError, ContentType.DoesNotExist):
        raise Http404 from None
    subject_id = request.GET.get("subject_id") or ""
    records = records_of_subject(records_visible_to(request.user), content_type.pk, subject_id)
    sees = sees_subject(request.user, subject_of(content_type.pk, subject_id))
    events = None
    if not records.exists():
        # A subject with no record yet (withdrawn, still open): its events, for those who see every record and
        # may see the subject.
        events = AuditEvent.objects.filter(subject_type=content_type, subject_id=subject_id)
        if not (sees and sees_all_records(request.user)) or not events.exists():
            raise Http404
    return records, events, content_type, subject_id


class VerifyView(View):
    """Public and read-only: the record header, its hash, and a PDF upload check. No login."""

    template_name = "pdf_templates/verify.html"

    def _record(self, code: str | None) -> Record | None:
        if code is None:
            return None
        return Record.objects.select_related("issuer", "supersedes").filter(verification_code=code.upper()).first()

    def get(self, request, code: str | None = None):
        record = self._record(code)
        context = {"record": record, "code": code, "form": UploadForm()}
        # An unknown code: 404, on this page, with the upload form to check the file itself.
        return render(request, self.template_name, context, status=404 if code and record is None else 200)

    def post(self, request, code: str | None = None):
        record = self._record(code)
        # Each check costs parsing a PDF: a bounded number per client address (the body's size is bounded by
        # settings.REQUEST_BODY_LIMITS before it is read, the parsing by pdf_templates.verification).
        allowed = hit(
            f"verify-upload:{client_ip(request)}",
            limit=settings.VERIFY_UPLOADS_PER_WINDOW,
            window_seconds=settings.VERIFY_UPLOAD_WINDOW_SECONDS,
        )
        if not allowed:
            throttled = MSG_VERIFY_THROTTLED.format(
                seconds=settings.VERIFY_UPLOAD_WINDOW_SECONDS, limit=settings.VERIFY_UPLOADS_PER_WINDOW
            )
            context = {"record": record, "code": code, "form": UploadForm(), "throttled": throttled}
            response = render(request, self.template_name, context, status=429)
            response["Retry-After"] = str(settings.VERIFY_UPLOAD_WINDOW_SECONDS)
            return response
        form = UploadForm(request.POST, request.FILES)
        result = None
        status = 200
        if form.is_valid():
            result = check_uploaded_pdf(form.cleaned_data["file"].read())
        else:
            status = 400
        context = {"record": record, "code": code, "form": form, "result": result}
        return render(request, self.template_name, context, status=status)


class RecordsApplication(Application):
    title = "文书记录"
    icon = "verified"
    app_name = "records"
    menu_template_name = "pdf_templates/app_menu.html"

    @property
    def index_path(self):
        return path("", RecordListView.as_view(), name="index")

    detail_path = path("<int:pk>/", RecordDetailView.as_view(), name="detail")
    pdf_path = path("<int:pk>/pdf/", RecordPdfView.as_view(), name="pdf")
    trail_path = path("trail/", TrailDownloadView.as_view(), name="trail")
