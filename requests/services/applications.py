"""Apply → review → decision: the writes of a share application (DESIGN.md §3.1).

Every function is one transition: check, lock the application row, transition
(django-fsm), save, audit, then notify and issue the record, all in one
transaction. The flow (requests.flows) is started and moved forward from here
only; its nodes never call back.

Concurrency: every decision locks the application row first (a blocking
SELECT … FOR UPDATE) and only then touches the viewflow task, so of two
reviewers deciding at once the second waits, re-reads the state and gets
NOT_OPEN; the one-to-one Decision key is the last line of defence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from catalog.choices import ShareClass, ShareMethod
from catalog.models import PUBLISHED_STATES, DataItem, DataResource, LegalBasis, ResourceStatus
from catalog.selectors import negative_list_hits
from notifications import recipients as who
from notifications.services import notify
from organizations.roles import Role
from pdf_templates.dates import chinese_date
from pdf_templates.models import RecordType
from pdf_templates.services import issue_record
from requests import permissions
from requests.models import (
    ApplicationAttachment,
    ApplicationState,
    ClassDispute,
    Decision,
    DecisionOutcome,
    Grant,
    GrantState,
    RefusalReason,
    ShareApplication,
    StandardClause,
)
from requests.selectors import removable_attachments
from requests.services.grants import MSG_RENEW_REVOKED, grant_create_from_decision
from workflows import deadlines
from workflows.audit import record_event

logger = logging.getLogger(__name__)

# Messages a person can act on; tests assert on these constants.
NOT_AN_APPLICANT = "只有本部门的申请人可以提出或修改共享申请。"
RESOURCE_NOT_PUBLISHED = "该资源尚未注册发布，不能申请共享。"
RESOURCE_WITHDRAWN = "该资源已撤销、不再共享，不能授权；请作出不予授权决定。"
RESOURCE_GONE = "该资源{status}，不能提交共享申请。"
OWN_RESOURCE = "本部门的资源无需申请共享。"
PENDING_APPLICATION = "本部门已有该资源的申请 {reference}（{state}），请勿重复申请；如需调整，请打开该申请修改或撤回。"
NOT_EDITABLE = "只有草稿或退回补正的申请可以修改或提交。"
NOT_WITHDRAWABLE = "申请已有决定或已撤回，不能撤回。"
ITEMS_REQUIRED = "请至少选择一个信息项。"
ITEMS_NOT_IN_RESOURCE = "所选信息项不属于该资源：{names}。"
METHOD_NOT_OFFERED = "该资源不提供此共享方式，可选：{methods}。"
PERIOD_INVALID = "使用期限的结束日期不能早于开始日期。"
PERIOD_TOO_LONG = "使用期限不能超过 {years} 年。"
PERIOD_OVER = "使用期限已经结束，请填写今后的期限。"
GRANT_PERIOD_INVALID = "授权期限的结束日期不能早于开始日期。"
GRANT_PERIOD_OVER = "授权期限已经结束，不能授权已过去的期限；请填写今后的期限，或作不予授权决定。"
PURPOSES_REQUIRED = "请选择一项或多项应用方式（减材料、减填写、业务协同）。"
FIELD_REQUIRED = "此项为必填项。"
ATTACHMENT_TOO_LARGE = "附件“{name}”超过 {limit} 的大小限制。"
ATTACHMENT_NOT_REMOVABLE = "附件“{name}”已随申请提交给提供部门，不能删除；可上传新的附件说明更正。"
ATTACHMENT_BAD_TYPE = "附件“{name}”不是 PDF、PNG 或 JPEG 文件（按文件内容判断，与扩展名无关）。"
NOT_OPEN = "该申请当前不在待处理状态，可能已被他人处理，请刷新页面。"
ALREADY_DECIDED = "该申请已有决定（{state}），可能已被他人处理；请刷新页面查看。"
NOT_AT_STEP = "该申请当前处于“{state}”，没有待办理的这一步骤；可能已被他人处理，请刷新页面。"
ALREADY_YOURS = "您已认领该任务，可直接办理。"
NOT_PERMITTED = "您无权办理该申请的这一步骤。"
TASK_NOT_YOURS = "该任务已由{owner}认领，请先由其退回或转交。"
SELF_DECISION = "不能审核本部门提出或本人提交的申请（职责分离）。"
GRANT_ITEMS_OUTSIDE = "授权信息项必须是申请信息项的子集。"
GRANT_PERIOD_OUTSIDE = "授权期限不能超出申请期限（{start} 至 {end}）。"
GRANT_ITEMS_RETIRED = "信息项{names}已从资源目录中删除，不能授权。"
NEGATIVE_LISTED = "{what}已列入共享负面清单（{basis}），不得授权；请作不予授权决定。"
NEGATIVE_LISTED_AT_COUNTERSIGN = "{what}已于审核后列入共享负面清单（{basis}），不能会签生效；请退回审核人。"
REFUSAL_REASON_REQUIRED = "不予授权必须选择理由代码。"
REFUSAL_REASON_RESERVED = "该理由代码已停用或仅供系统自动决定使用，请另选理由。"
REFUSAL_TEXT_REQUIRED = "不予授权必须说明理由。"
LEGAL_BASIS_REQUIRED = "该资源或信息项属于不予共享，须引用法律法规依据（名称及条款）。"
LEGAL_BASIS_REQUIRED_BY_REASON = "以“{reason}”为理由不予授权，须引用法律法规依据（名称及条款）。"
CITATION_INCOMPLETE = "请写明法律法规的名称（用书名号《》）和条款（如第十三条），或从列表中选择依据。"
METHOD_BROADER = "授权的共享方式不能宽于申请的方式（{requested}）：只可改为核验、查询等更窄的方式。"
ADJUSTMENT_REASON_REQUIRED = "部分同意（少授信息项、改变共享方式或缩短期限）须说明理由。"
UNCONDITIONAL_AS_REQUESTED = (
    "无条件共享的资源须按申请授权，信息项、共享方式和期限都不能缩减；如有异议，请向政数局提出共享类型异议。"
)
UNCONDITIONAL_NO_CONDITIONS = (
    "无条件共享的资源不能附加其他共享条件（标准条款除外）；如认为需要条件，请向政数局提出共享类型异议。"
)
NOT_SHARED_NOT_GRANTABLE = (
    "该资源在目录中属于不予共享类，不能授权：请作不予授权决定并引用法律法规依据，或由提供部门先调整目录的共享类型。"
)
COUNTERSIGN_OWN_PROPOSAL = "会签人不能是拟同意该授权的审核人本人（职责分离）：请由本部门其他负责人会签，或选择“不同意，退回审核人”收回拟同意意见。"
UNCONDITIONAL_NOT_REFUSABLE = "无条件共享的资源不能拒绝，如有异议请向政数局提出共享类型异议。"
DISPUTE_ONLY_UNCONDITIONAL = "只有无条件共享的资源可以提出共享类型异议。"
DISPUTE_SETTLED = "政数局已就该申请的共享类型异议作出协调意见（异议不成立），不能再次提出；请按申请授权。"
COMMENT_REQUIRED = "请填写意见。"
HANDOVER_TARGET_INVALID = "只能转交给本部门有审核权限的同事。"
NOT_OVERDUE_QUEUE = "只有提请协调中的申请可以由政数局处理。"
WORKDAYS_INVALID = "限期须为 1 至 30 个工作日。"

DEADLINE_KIND = "provider_reply"
PDF_MAGIC, PNG_MAGIC, JPEG_MAGIC = b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"


class ApplicationError(Exception):
    """A share-application action is refused. `errors` maps form fields to messages ("" = the whole form)."""

    def __init__(self, message: str, *, field: str = "", stale: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, list[str]] = {field: [message]}
        self.stale = stale  # the step is no longer open: the page the user acted on is out of date

    @classmethod
    def from_errors(cls, errors: dict[str, list[str]]) -> ApplicationError:
        first_field = next(iter(errors))
        exc = cls(errors[first_field][0], field=first_field)
        exc.errors = errors
        return exc


# ---------------------------------------------------------------- input checks


def sniff_content_type(head: bytes) -> str | None:
    """The real type of a file from its first bytes; None when it is none of ours."""
    if head.startswith(PDF_MAGIC):
        return "application/pdf"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    if head.startswith(JPEG_MAGIC):
        return "image/jpeg"
    return None


def validate_attachment(upload: UploadedFile) -> str:
    """Size from the setting, type from the content (a renamed .exe is not a PDF). Returns the content type."""
    limit = settings.SHARE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ApplicationError(
            ATTACHMENT_TOO_LARGE.format(name=upload.name, limit=_human_size(limit)), field="attachments"
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise ApplicationError(ATTACHMENT_BAD_TYPE.format(name=upload.name), field="attachments")
    return content_type


def _human_size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for 29 February); the last date there is at the end of time."""
    if day.year + years > dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validate_application(*, resource: DataResource, data: dict[str, Any], items: Sequence[DataItem]) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("scenario", "business_matter", "share_method", "period_start", "period_end"):
        if not data.get(name):
            errors.setdefault(name, []).append(FIELD_REQUIRED)
    if not items:
        errors.setdefault("items", []).append(ITEMS_REQUIRED)
    foreign = [item.name for item in items if item.resource_id != resource.pk or item.retired_at]
    if foreign:
        errors.setdefault("items", []).append(ITEMS_NOT_IN_RESOURCE.format(names="、".join(foreign)))
    method = data.get("share_method")
    # A not-shared resource lists no method; the applicant still names the one they need.
    offered = resource.share_methods or list(ShareMethod.values)
    if method and method not in offered:
        errors.setdefault("share_method", []).append(
            METHOD_NOT_OFFERED.format(methods="、".join(resource.share_method_labels()))
        )
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        errors.setdefault("period_end", []).append(PERIOD_INVALID)
    elif start and end and end > years_after(start, settings.SHARE_MAX_PERIOD_YEARS):
        errors.setdefault("period_end", []).append(PERIOD_TOO_LONG.format(years=settings.SHARE_MAX_PERIOD_YEARS))
    purposes = data.get("purposes") or []
    from catalog.choices import Purpose

    if not purposes or set(purposes) - set(Purpose.values):
        errors.setdefault("purposes", []).append(PURPOSES_REQUIRED)
    if errors:
        raise ApplicationError.from_errors(errors)


APPLICATION_FIELDS = [
    "scenario",
    "business_matter",
    "purposes",
    "share_method",
    "period_start",
    "period_end",
    "call_volume",
    "need_legal_basis",
    "applied_before",
    "earlier_outcome",
]


REUSED_RELATED = ("applicant_department", "provider_department", "applicant")


def _lock(application: ShareApplication) -> ShareApplication:
    """The application's row, locked until commit (SELECT … FOR UPDATE), with its resource, departments and applicant.

    Those related rows are not locked, only read. The resource is read afresh: its status and
    version decide what the service may do. The departments and the applicant already loaded on
    `application` (by the view a moment ago, or by the service that returned it) are reused.
    """
    loaded = {
        name: ShareApplication._meta.get_field(name).get_cached_value(application, None) for name in REUSED_RELATED
    }
    missing = [name for name, obj in loaded.items() if obj is None]
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
    locked = ShareApplication.objects.select_for_update(of=("self",)).select_related("resource", *missing)
    locked = locked.get(pk=application.pk)
    for name, obj in loaded.items():
        if obj is not None:
            setattr(locked, name, obj)  # the same rows: these keys never change
    return locked


def _hold_published_resource(application: ShareApplication) -> None:
    """The resource stays published until commit, or the grant stops here with RESOURCE_WITHDRAWN.

    FOR SHARE (raw SQL: Django has no such lock): grants on one resource do not wait for each
    other, but a withdrawal (the catalog's FOR NO KEY UPDATE) waits for them and then revokes what
    they granted, and a grant after a withdrawal sees it. Call it before the first audit event:
    a withdrawal holds the resource while it waits for the audit chain. (SQLite serialises writers.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = DataResource._meta.db_table
            cursor.execute(f"SELECT status FROM {table} WHERE id = %s FOR SHARE", [application.resource_id])
            (status,) = cursor.fetchone()
    else:
        status = DataResource.objects.values_list("status", flat=True).get(pk=application.resource_id)
    if status not in PUBLISHED_STATES:
        raise ApplicationError(RESOURCE_WITHDRAWN)


def _store_attachments(application: ShareApplication, uploads: Iterable[UploadedFile], actor) -> None:
    for upload in uploads:
        content_type = validate_attachment(upload)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        ApplicationAttachment.objects.create(
            application=application,
            file=upload,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )


def previous_application(department, resource: DataResource) -> ShareApplication | None:
    """The department's latest decided application for the same resource (pre-fills "applied before")."""
    return (
        ShareApplication.objects.filter(
            applicant_department=department,
            resource=resource,
            state__in=[*DECIDED, ApplicationState.WITHDRAWN],
            submitted_at__isnull=False,  # a draft withdrawn unsent was never an application to the provider
        )
        .select_related("decision__refusal_reason", "grant")
        .order_by("-id")
        .first()
    )


DECIDED = [ApplicationState.GRANTED, ApplicationState.PARTIALLY_GRANTED, ApplicationState.REFUSED]


def earlier_outcome_text(previous: ShareApplication) -> str:
    decision = getattr(previous, "decision", None)
    text = f"{previous.reference}：{previous.get_state_display()}"
    if decision is not None and decision.outcome == DecisionOutcome.REFUSED:
        reason = decision.refusal_reason.label if decision.refusal_reason else ""
        text += f"，理由：{reason} {decision.refusal_text}".rstrip()
    grant = getattr(previous, "grant", None)
    if grant is not None and grant.state == GrantState.REVOKED:
        text += f"，授权{grant.number}已撤销，理由：{grant.revoked_reason}"
    elif grant is not None and grant.state == GrantState.EXPIRED:
        text += f"，授权{grant.number}已于{chinese_date(grant.valid_to)}到期"
    return text


# ---------------------------------------------------------------- the applicant


def _validated_input(resource, data, items, attachments) -> list[UploadedFile]:
    """Every field and attachment checked before anything is written."""
    validate_application(resource=resource, data=data, items=items)
    attachments = list(attachments)
    for upload in attachments:
        validate_attachment(upload)
    return attachments


def application_create(
    *,
    actor,
    resource: DataResource,
    data: dict[str, Any],
    items: Sequence[DataItem],
    attachments: Iterable[UploadedFile] = (),
    renews_grant=None,
    form_token=None,
) -> ShareApplication:
    """A draft application of the actor's department.

    `form_token` (the form's, see created_from_form) is unique: a second create with it raises IntegrityError.
    """
    if not permissions.can_apply(actor):
        raise ApplicationError(NOT_AN_APPLICANT)
    if not resource.is_published:
        raise ApplicationError(RESOURCE_NOT_PUBLISHED)
    if resource.provider_department_id == actor.department_id:
        raise ApplicationError(OWN_RESOURCE)
    attachments = _validated_input(resource, data, items, attachments)
    with transaction.atomic():
        application = ShareApplication(
            applicant_department=actor.department,
            applicant=actor,
            provider_department=resource.provider_department,
            resource=resource,
            renews_grant=renews_grant,
            form_token=form_token,
            previous_application=previous_application(actor.department, resource),
            **{name: data.get(name, "") for name in APPLICATION_FIELDS if name in data},
        )
        application.save()
        application.items.set(items)
        _store_attachments(application, attachments, actor)
        record_event(subject=application, action="application_created", actor=actor, to_state=application.state)
    return application


def created_from_form(actor, form_token) -> ShareApplication | None:
    """The application the actor's department already made from this form (a double click), if any."""
    if form_token is None:
        return None
    return ShareApplication.objects.filter(form_token=form_token, applicant_department_id=actor.department_id).first()


def application_update(
    *,
    actor,
    obj: ShareApplication,
    data: dict[str, Any],
    items: Sequence[DataItem],
    attachments: Iterable[UploadedFile] = (),
    remove_attachments: Sequence[ApplicationAttachment] = (),
) -> ShareApplication:
    """Change a draft, or a returned application before resubmitting it (补正).

    Attachments no reviewer has seen may be removed (selectors.removable_attachments); the
    others are part of what was submitted and stay.
    """
    if not permissions.can_edit(actor, obj):
        raise ApplicationError(NOT_AN_APPLICANT)
    attachments = _validated_input(obj.resource, data, items, attachments)
    with transaction.atomic():
        application = _lock(obj)
        if application.state not in (ApplicationState.DRAFT, ApplicationState.RETURNED):
            raise ApplicationError(NOT_EDITABLE)
        removed = _remove_attachments(application, remove_attachments)
        for name in APPLICATION_FIELDS:
            if name in data:
                setattr(application, name, data[name])
        application.save(update_fields=[name for name in APPLICATION_FIELDS if name in data] + ["updated_at"])
        application.items.set(items)
        _store_attachments(application, attachments, actor)
        record_event(
            subject=application,
            action="application_updated",
            actor=actor,
            to_state=application.state,
            comment=f"删除附件：{'、'.join(removed)}" if removed else "",
        )
    return application


def _remove_attachments(application: ShareApplication, attachments: Sequence[ApplicationAttachment]) -> list[str]:
    """Delete them, rows now and files after commit; the names removed."""
    removable = set(removable_attachments(application).values_list("pk", flat=True))
    for attachment in attachments:
        if attachment.pk not in removable:
            raise ApplicationError(
                ATTACHMENT_NOT_REMOVABLE.format(name=attachment.original_name), field="remove_attachments"
            )
    for attachment in attachments:
        attachment.delete()
        transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
    return [attachment.original_name for attachment in attachments]


def application_submit(*, actor, obj: ShareApplication) -> ShareApplication:
    """Submit (or resubmit after 补正). Routes at once: automatic refusal, automatic grant, or provider review.

    The negative list wins over "unconditional is shared by default": a listed item is never granted.
    Only review needs people, so only review starts the flow (a resubmission resumes it).
    """
    if not permissions.can_edit(actor, obj):
        raise ApplicationError(NOT_AN_APPLICANT)
    with transaction.atomic():
        application = _lock(obj)
        if application.state not in (ApplicationState.DRAFT, ApplicationState.RETURNED):
            raise ApplicationError(NOT_EDITABLE)
        if not application.resource.is_published:
            raise ApplicationError(RESOURCE_GONE.format(status=application.resource.get_status_display()))
        if renews_revoked_grant(application):
            raise ApplicationError(MSG_RENEW_REVOKED)  # revoked since the renewal was started
        resubmission = application.state == ApplicationState.RETURNED
        from_state = application.state
        application.resource_version_id = application.resource.current_version_id
        application.submit()
        application.submitted_at = timezone.now()
        submitted = ["resource_version", "state", "submitted_at", "updated_at"]
        action = "application_resubmitted" if resubmission else "application_submitted"
        hits = application.negative_list_hits()  # a resubmission too: the list may have grown meanwhile
        if not hits and (resubmission or not application.is_auto_grantable()):
            _start_review(application, actor=actor, action=action, from_state=from_state, also_save=submitted)
            return application
        if not hits:
            _hold_published_resource(application)  # it is granted below
        application.save(update_fields=submitted)
        record_event(subject=application, action=action, actor=actor, from_state=from_state, to_state=application.state)
        if hits:
            _cancel_flow(application)  # a resubmission's correction task; a first submission has no flow
            refuse_by_negative_list(application=application, hit=hits[0])
        else:
            decide_automatically(application=application)
    return application


def renews_revoked_grant(application: ShareApplication) -> bool:
    """A renewal whose grant was revoked since it was started: it may no longer be submitted."""
    return (
        bool(application.renews_grant_id)
        and Grant.objects.filter(pk=application.renews_grant_id, state=GrantState.REVOKED).exists()
    )


def _start_review(
    application: ShareApplication, *, actor, action: str, from_state: str, also_save: Sequence[str] = ()
) -> None:
    """In review: the provider's clock starts (again), its reviewers hear of it and get the task.

    One audit event for the submission and the start of review: `from_state` → in review, with the deadline.
    """
    from requests.flows import ShareApplicationFlow

    resubmission = from_state == ApplicationState.RETURNED
    application.start_review()
    _start_clock(application, settings.SHARE_REPLY_WORKDAYS, replace=resubmission)  # a first one has none to stop
    application.save(update_fields=sorted({*also_save, "state", "due_at", "updated_at"}))
    record_event(
        subject=application,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=application.state,
        comment=f"答复期限 {timezone.localtime(application.due_at):%Y-%m-%d %H:%M}",
    )
    if resubmission:
        task = _open_task(application, ShareApplicationFlow.correction)
        ShareApplicationFlow.correction.run(task)
    else:
        ShareApplicationFlow.start.run(application=application)
    verb = "重新提交（补正后）" if resubmission else "提交"
    _tell_reviewers(application, f"{application.applicant_department}{verb}了共享申请，请在期限内答复。")


def _start_clock(application: ShareApplication, workdays: int, *, replace: bool = True) -> None:
    deadline = deadlines.register(
        subject=application,
        kind=DEADLINE_KIND,
        title="提供方答复期限",
        start=timezone.now(),
        workdays=workdays,
        remind_before=min(settings.SHARE_REMIND_BEFORE_WORKDAYS, max(workdays - 1, 0)),
        on_remind="share_requests.remind_reviewers",
        on_expiry="share_requests.escalate_overdue",
        replace=replace,
    )
    application.due_at = deadline.due_at


def _stop_clock(application: ShareApplication) -> None:
    deadlines.complete_for(application, kind=DEADLINE_KIND)
    application.due_at = None


def application_withdraw(*, actor, obj: ShareApplication) -> ShareApplication:
    """The applicant withdraws before a decision; open tasks are cancelled with the process."""
    if not permissions.can_edit(actor, obj):
        raise ApplicationError(NOT_AN_APPLICANT)
    with transaction.atomic():
        application = _lock(obj)
        if application.state not in (ApplicationState.DRAFT, *OPEN):
            raise ApplicationError(NOT_WITHDRAWABLE)
        from_state = application.state
        if from_state == ApplicationState.COUNTERSIGNING:
            _discard_proposal(application.decision)  # the proposed grant never took effect
        application.withdraw()
        deadlines.cancel_for(application, kind=DEADLINE_KIND)
        application.due_at = None
        application.save(update_fields=["state", "due_at", "updated_at"])
        _cancel_flow(application)
        record_event(
            subject=application,
            action="application_withdrawn",
            actor=actor,
            from_state=from_state,
            to_state="withdrawn",
        )
        if from_state != ApplicationState.DRAFT:
            # Whoever it was waiting on: the reviewers, and the leaders at 会签 or the 政数局 in 协调.
            waiting = [*who.by_role(Role.PROVIDER_REVIEWER, application.provider_department)]
            if from_state == ApplicationState.COUNTERSIGNING:
                waiting += who.department_leaders(application.provider_department)
            elif from_state == ApplicationState.ESCALATED:
                waiting += who.data_bureau()
            notify(
                recipients=waiting,
                event="share_application_withdrawn",
                subject=application,
                context={
                    "message": f"{application.applicant_department}已撤回共享申请{application.reference}，无需再办理。"
                },
            )
    return application


def _cancel_flow(application: ShareApplication) -> None:
    """The application's process and its open tasks are cancelled: nobody is left waiting on it."""
    process = getattr(application, "process", None)
    if process is not None and process.finished is None:
        process.flow_class.instance.cancel(process)


OPEN = [
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.RETURNED,
    ApplicationState.COUNTERSIGNING,
    ApplicationState.ESCALATED,
]


# ---------------------------------------------------------------- tasks


def _open_task(application: ShareApplication, node=None) -> Task | None:
    # Through the process's application link, in one query (not: load application.process, then its tasks).
    tasks = Task.objects.filter(
        process__shareapplicationprocess__application_id=application.pk, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )
    if node is not None:
        tasks = tasks.filter(flow_task=node)
    return tasks.select_related("owner", "process__shareapplicationprocess").order_by("-pk").first()


def not_open(application: ShareApplication) -> ApplicationError:
    """The step acted on is not open (any more): decided meanwhile, or waiting at another step."""
    if application.state in OPEN:
        return ApplicationError(NOT_AT_STEP.format(state=application.get_state_display()), stale=True)
    if application.state in DECIDED:
        return ApplicationError(ALREADY_DECIDED.format(state=application.get_state_display()), stale=True)
    return ApplicationError(NOT_OPEN, stale=True)


def open_task(application: ShareApplication) -> Task | None:
    """The human task waiting on the application (review, countersign, arbitrate or correction)."""
    return _open_task(application)


def _check_may_work(actor, application: ShareApplication, node, *, deciding: bool = True) -> Task:
    """The actor may execute `node`'s open task now: owner, substitute, or anyone who may take it.

    Whoever decides (`deciding`) may not be of the applicant department (separation of duties).
    """
    if deciding and (
        actor.pk == application.applicant_id or actor.department_id == application.applicant_department_id
    ):
        raise ApplicationError(SELF_DECISION)
    task = _open_task(application, node)
    if task is None:
        raise not_open(application)
    task._share_application = application  # DepartmentTask.can_assign: the provider, without a read
    if task.owner_id:
        if not node.can_execute(actor, task):
            raise ApplicationError(TASK_NOT_YOURS.format(owner=task.owner))
    elif not node.can_assign(actor, task):
        raise ApplicationError(NOT_PERMITTED)
    return task


def _complete_task(task: Task, actor, application: ShareApplication) -> None:
    """Finish the human task for `actor` (None: the system, e.g. on escalation); the flow routes on.

    The caller holds `application` locked and read `task` (with its process) after that, so the
    task is current and is not read again (viewflow's task.activation() would re-read it and its
    process twice). The gateways after the task route on the state the caller just set.
    """
    node = task.flow_task
    if actor is not None and task.owner_id not in (None, actor.pk):
        # A substitute finishes the absent owner's task: the trail says on whose behalf.
        record_event(
            subject=application, action="task_done_for", actor=actor, comment=f"代理{task.owner}办理{node.task_title}"
        )
    with node.flow_class.lock(task.process_id):
        activation = node.activation_class(task)
        activation.process.application = application
        activation.process.application_state = application.state
        if task.status == STATUS.NEW:
            # Taken and done in one write: viewflow's assign() would save the task once more first.
            # (_check_may_work has checked that the actor may take it.)
            task.owner, task.status = actor, STATUS.ASSIGNED
        activation.start(None)
        activation.execute()


def task_take(*, actor, task: Task) -> Task:
    """认领: take an unassigned task of one's department."""
    with transaction.atomic():
        # One read: locked, and what the check needs (nothing is written before it).
        application = _lock_of_task(task)
        if actor.pk == application.applicant_id or actor.department_id == application.applicant_department_id:
            raise ApplicationError(SELF_DECISION)
        task._share_application = application  # DepartmentTask.can_assign: the provider, without a read
        with task.activation() as activation:
            if task.status == STATUS.ASSIGNED and task.owner_id == actor.pk:
                raise ApplicationError(ALREADY_YOURS)
            if task.status == STATUS.ASSIGNED:
                raise ApplicationError(TASK_NOT_YOURS.format(owner=task.owner))
            if task.status != STATUS.NEW:
                raise not_open(application)
            if not task.flow_task.can_assign(actor, task):
                raise ApplicationError(NOT_PERMITTED)
            activation.assign(actor)
        record_event(subject=application, action="task_taken", actor=actor, comment=task.flow_task.task_title)
    return task


def task_release(*, actor, task: Task) -> Task:
    """退回任务池: the owner (or their substitute) puts the task back in the queue."""
    application = _application_of(task)
    with transaction.atomic():
        application = _lock(application)
        with task.activation() as activation:
            if task.status != STATUS.ASSIGNED:
                raise not_open(application)
            if not task.flow_task.can_execute(actor, task):
                raise ApplicationError(NOT_PERMITTED)
            activation.unassign()
        record_event(subject=application, action="task_released", actor=actor, comment=task.flow_task.task_title)
    return task


def task_handover(*, actor, task: Task, to_user) -> Task:
    """转交: the owner hands the task to a colleague who could have taken it."""
    application = _application_of(task)
    with transaction.atomic():
        application = _lock(application)
        with task.activation() as activation:
            if task.status != STATUS.ASSIGNED:
                raise not_open(application)
            if not task.flow_task.can_execute(actor, task):
                raise ApplicationError(NOT_PERMITTED)
            if (
                to_user.pk == task.owner_id
                or to_user.department_id != application.provider_department_id
                or not to_user.is_active
                or not to_user.has_perm(task.owner_permission)
            ):
                raise ApplicationError(HANDOVER_TARGET_INVALID, field="to_user")
            activation.reassign(to_user)
        record_event(
            subject=application,
            action="task_handed_over",
            actor=actor,
            comment=f"{task.flow_task.task_title} → {to_user}",
        )
        notify(
            recipients=[to_user],
            event="share_application_task",
            subject=application,
            context={"message": f"{actor}将共享申请{application.reference}的审核任务转交给您。"},
        )
    return task


def _application_of(task: Task) -> ShareApplication:
    return ShareApplication.objects.select_related("process").get(process__pk=task.process_id)


def _lock_of_task(task: Task) -> ShareApplication:
    """The task's application, locked like `_lock` (found through its process): only what a task needs."""
    return (
        ShareApplication.objects.select_for_update(of=("self",))
        .only("pk", "applicant_id", "applicant_department_id", "provider_department_id", "state")
        .get(process__pk=task.process_id)
    )


# ---------------------------------------------------------------- decisions


@dataclass
class GrantTerms:
    """What a provider grants. Fewer items, another method or a shorter period make it partial."""

    items: Sequence[DataItem]
    share_method: str
    period_start: dt.date
    period_end: dt.date
    conditions: str = ""
    standard_clauses: list[str] = field(default_factory=list)
    adjustment_reason: str = ""  # required when the terms make it partial: what is withheld is refused, with reasons


# How much of the data a method hands over: a yes/no check, a record on request, the whole table.
METHOD_BREADTH = {
    ShareMethod.VERIFY_API: 1,
    ShareMethod.QUERY_API: 2,
    ShareMethod.BULK_EXCHANGE: 3,
    ShareMethod.FILE_DOWNLOAD: 3,
}


def validate_grant_terms(
    application: ShareApplication,
    terms: GrantTerms,
    requested_items: Sequence[DataItem] | None = None,
    *,
    as_provider: bool = True,
) -> str:
    """The outcome the terms amount to (granted or partially granted), or field errors.

    Not-shared data is granted by nobody; unconditional data by its provider only in full
    (共享为原则: the provider's recourse is a class dispute, which the 政数局 decides).
    """
    if application.resource.share_class == ShareClass.NONE:
        raise ApplicationError(NOT_SHARED_NOT_GRANTABLE)
    errors: dict[str, list[str]] = {}
    if requested_items is None:
        requested = set(application.items.values_list("pk", flat=True))
    else:
        requested = {item.pk for item in requested_items}
    granted = {item.pk for item in terms.items}
    if not granted:
        errors.setdefault("items", []).append(ITEMS_REQUIRED)
    elif granted - requested:
        errors.setdefault("items", []).append(GRANT_ITEMS_OUTSIDE)
    elif retired := [item.name for item in terms.items if item.retired_at]:
        errors.setdefault("items", []).append(GRANT_ITEMS_RETIRED.format(names="、".join(retired)))
    if terms.share_method not in (application.resource.share_methods or [application.share_method]):
        errors.setdefault("share_method", []).append(
            METHOD_NOT_OFFERED.format(methods="、".join(application.resource.share_method_labels()))
        )
    elif METHOD_BREADTH[terms.share_method] > METHOD_BREADTH[application.share_method]:
        errors.setdefault("share_method", []).append(
            METHOD_BROADER.format(requested=application.get_share_method_display())
        )
    if terms.period_end < terms.period_start:
        errors.setdefault("period_end", []).append(GRANT_PERIOD_INVALID)
    elif terms.period_start < application.period_start or terms.period_end > application.period_end:
        errors.setdefault("period_end", []).append(
            GRANT_PERIOD_OUTSIDE.format(start=application.period_start, end=application.period_end)
        )
    if set(terms.standard_clauses) - set(StandardClause.values):
        errors.setdefault("standard_clauses", []).append("未知的标准条款。")
    if "items" not in errors and (listed := negative_listed(application, terms.items, NEGATIVE_LISTED)):
        errors["items"] = [listed]
    if errors:
        raise ApplicationError.from_errors(errors)
    full = (
        granted == requested
        and terms.share_method == application.share_method
        and (terms.period_start, terms.period_end) == (application.period_start, application.period_end)
    )
    if as_provider and application.resource.share_class == ShareClass.UNCONDITIONAL:
        if not full:
            raise ApplicationError(UNCONDITIONAL_AS_REQUESTED)
        if terms.conditions.strip():
            raise ApplicationError(UNCONDITIONAL_NO_CONDITIONS, field="conditions")
    if not full and not terms.adjustment_reason.strip():
        raise ApplicationError(ADJUSTMENT_REASON_REQUIRED, field="adjustment_reason")
    return DecisionOutcome.GRANTED if full else DecisionOutcome.PARTIALLY_GRANTED


def negative_listed(application: ShareApplication, items: Sequence[DataItem], message: str) -> str:
    """`message` naming what of `items` the negative list forbids now, or "" when nothing.

    Checked again at every grant: an entry may be added while an application waits for review.
    """
    hits = negative_list_hits(application.resource, [item.pk for item in items])
    if not hits:
        return ""
    hit = hits[0]
    listed = {item.pk for item in hit.items.all()}
    what = "该资源" if not listed else "信息项" + "、".join(item.name for item in items if item.pk in listed)
    return message.format(what=what, basis=f"{hit.legal_basis.title}{hit.legal_basis.article}")


def _decision_role(actor, application: ShareApplication):
    """(flow node, decided_as) of who decides now: the provider in review, the bureau in arbitration."""
    from requests.flows import ShareApplicationFlow

    if application.state == ApplicationState.IN_REVIEW:
        return ShareApplicationFlow.review, Decision.DecidedAs.PROVIDER
    if application.state == ApplicationState.ESCALATED:
        return ShareApplicationFlow.arbitrate, Decision.DecidedAs.DATA_BUREAU
    raise not_open(application)


def application_grant(*, actor, obj: ShareApplication, terms: GrantTerms) -> Decision:
    """Grant or counter-offer. Level ≥ 3 data decided by the provider waits for the leader's countersign."""
    with transaction.atomic():
        application = _lock(obj)
        node, decided_as = _decision_role(actor, application)
        task = _check_may_work(actor, application, node)
        requested = list(application.items.order_by("position", "pk"))  # one read: the check and the record
        outcome = validate_grant_terms(
            application, terms, requested, as_provider=decided_as == Decision.DecidedAs.PROVIDER
        )
        granted_levels = [item.security_level for item in terms.items]
        countersign = decided_as == Decision.DecidedAs.PROVIDER and (
            max(granted_levels) >= 3 or application.resource.security_level >= 3
        )
        decision = Decision(
            application=application,
            outcome=outcome,
            decided_by=actor,
            decided_as=decided_as,
            granted_method=terms.share_method,
            granted_period_start=terms.period_start,
            granted_period_end=terms.period_end,
            conditions=terms.conditions,
            standard_clauses=list(terms.standard_clauses),
            adjustment_reason=terms.adjustment_reason.strip() if outcome == DecisionOutcome.PARTIALLY_GRANTED else "",
            countersign_required=countersign,
        )
        if application.resource.share_class == ShareClass.UNCONDITIONAL:  # only those are disputed
            # The 政数局 granting less than asked agrees with the provider's dispute, at least in part.
            _close_dispute(application, actor, upheld=outcome == DecisionOutcome.PARTIALLY_GRANTED)
        from_state = application.state
        if countersign:
            _save_new_decision(decision, terms.items)
            application.propose_for_countersign()
            application.save(update_fields=["state", "updated_at"])
            record_event(
                subject=application,
                action="grant_proposed",
                actor=actor,
                from_state=from_state,
                to_state=application.state,
                comment=f"{decision.get_outcome_display()}，待部门负责人会签",
            )
            _complete_task(task, actor, application)
            notify(
                recipients=who.department_leaders(application.provider_department),
                event="share_application_task",
                subject=application,
                context={"message": f"共享申请{application.reference}涉及3级及以上信息项，审核人拟同意，请会签。"},
            )
        else:
            _hold_published_resource(application)
            _make_effective(
                application,
                decision,
                actor=actor,
                from_state=from_state,
                granted_items=terms.items,
                requested_items=requested,
            )
            _complete_task(task, actor, application)
    return decision


def _save_new_decision(decision: Decision, granted_items: Sequence[DataItem]) -> None:
    decision.save()
    decision.granted_items.add(*granted_items)  # a new decision: add, not set (no read of what it has)


def _make_effective(
    application: ShareApplication,
    decision: Decision,
    *,
    actor,
    from_state: str,
    granted_items: Sequence[DataItem] | None = None,
    requested_items: Sequence[DataItem] | None = None,
) -> None:
    """The grant takes effect: transition, record, enforceable Grant, notice.

    The caller holds the resource published (_hold_published_resource) from before its first audit event.

    `decision` may be unsaved (decided and effective at once): it is then written once, with its record.
    """
    if granted_items is None:
        granted_items = list(decision.granted_items.all())
    if decision.outcome == DecisionOutcome.GRANTED:
        application.approve()
    else:
        application.grant_partially()
    application.decided_at = decision.effective_at = timezone.now()
    _stop_clock(application)
    application.save(update_fields=["state", "decided_at", "due_at", "updated_at"])
    decision.record = _issue_decision_record(
        application, decision, actor=actor, granted_items=granted_items, requested_items=requested_items
    )
    if decision.pk is None:
        _save_new_decision(decision, granted_items)
    else:
        decision.save(update_fields=["effective_at", "record"])
    grant_create_from_decision(decision=decision, items=granted_items)
    record_event(
        subject=application,
        action="application_decided",
        actor=actor,
        from_state=from_state,
        to_state=application.state,
        comment=f"{decision.get_outcome_display()}（{decision.get_decided_as_display()}），文号 {decision.record.number}",
    )
    _tell_applicant(application, f"共享申请{application.reference}已有决定：{decision.get_outcome_display()}。")
    if decision.decided_as == Decision.DecidedAs.DATA_BUREAU:
        message = f"政数局已代为作出决定：{decision.get_outcome_display()}，文号 {decision.record.number}。"
        _tell_reviewers(application, message, event="share_application_decided")


def application_countersign(*, actor, obj: ShareApplication, approve: bool, comment: str = "") -> ShareApplication:
    """The provider's leader confirms a level ≥ 3 grant (it takes effect) or sends it back to the reviewer."""
    from requests.flows import ShareApplicationFlow

    with transaction.atomic():
        application = _lock(obj)
        if application.state != ApplicationState.COUNTERSIGNING:
            raise not_open(application)
        task = _check_may_work(actor, application, ShareApplicationFlow.countersign)
        if not approve and not comment.strip():
            raise ApplicationError(COMMENT_REQUIRED, field="comment")
        decision = application.decision
        if approve and actor.pk == decision.decided_by_id:  # sending one's own proposal back is allowed
            raise ApplicationError(COUNTERSIGN_OWN_PROPOSAL)
        if approve:
            if listed := negative_listed(application, decision.granted_items.all(), NEGATIVE_LISTED_AT_COUNTERSIGN):
                raise ApplicationError(listed)
            _hold_published_resource(application)
            decision.countersigned_by = actor
            decision.countersigned_at = timezone.now()
            decision.save(update_fields=["countersigned_by", "countersigned_at"])
            _make_effective(application, decision, actor=actor, from_state=ApplicationState.COUNTERSIGNING)
        else:
            proposer = decision.decided_by
            _discard_proposal(decision)  # the reviewer decides afresh
            application.send_back_from_countersign()
            application.save(update_fields=["state", "updated_at"])
            record_event(
                subject=application,
                action="countersign_refused",
                actor=actor,
                from_state=ApplicationState.COUNTERSIGNING,
                to_state=application.state,
                comment=comment,
            )
            _tell_reviewers(application, f"部门负责人未会签共享申请{application.reference}：{comment}")
        _complete_task(task, actor, application)
        if not approve:
            _give_back(application, proposer)
    return application


def _give_back(application: ShareApplication, proposer) -> None:
    """The review task a send-back opens goes straight to the reviewer who proposed, if they may still take it."""
    from requests.flows import ShareApplicationFlow

    review = _open_task(application, ShareApplicationFlow.review)
    if review is None or proposer is None:
        return
    review._share_application = application  # DepartmentTask.can_assign: the provider, without a read
    if review.status == STATUS.NEW and review.flow_task.can_assign(proposer, review):
        with review.activation() as activation:
            activation.assign(proposer)


# A typed citation names a law, regulation or policy and its article: 《…》…第…条.
CITATION = re.compile(r"《[^》]+》.*第[一二三四五六七八九十百零〇\d]+条")


def legal_basis_required(application: ShareApplication, reason: RefusalReason | None) -> bool:
    """Not-shared data and "prohibited by law" need a statute and article (DESIGN.md §3.1)."""
    return (
        application.resource.share_class == ShareClass.NONE
        or application.is_on_negative_list()
        or bool(reason and reason.requires_legal_basis)
    )


def _discard_proposal(decision: Decision) -> None:
    """A grant proposed for countersign never took effect (no record, no grant): it leaves no decision."""
    decision.granted_items.clear()
    decision.delete()


def application_refuse(
    *,
    actor,
    obj: ShareApplication,
    reason: RefusalReason | None,
    text: str,
    legal_basis: LegalBasis | None = None,
    citation: str = "",
) -> Decision:
    """A reasoned refusal (不予授权，说明理由) with a refusal notice."""
    with transaction.atomic():
        application = _lock(obj)
        node, decided_as = _decision_role(actor, application)
        task = _check_may_work(actor, application, node)
        errors: dict[str, list[str]] = {}
        if reason is None:
            errors["reason"] = [REFUSAL_REASON_REQUIRED]
        elif reason.code in RefusalReason.SYSTEM_ONLY or not reason.is_active:
            errors["reason"] = [REFUSAL_REASON_RESERVED]
        if not text.strip():
            errors["text"] = [REFUSAL_TEXT_REQUIRED]
        if legal_basis_required(application, reason) and not (citation.strip() or legal_basis):
            data_not_shared = application.resource.share_class == ShareClass.NONE or application.is_on_negative_list()
            errors["citation"] = [
                LEGAL_BASIS_REQUIRED if data_not_shared else LEGAL_BASIS_REQUIRED_BY_REASON.format(reason=reason.label)
            ]
        elif citation.strip() and not CITATION.search(citation):
            errors["citation"] = [CITATION_INCOMPLETE]
        if errors:
            raise ApplicationError.from_errors(errors)
        if application.resource.share_class == ShareClass.UNCONDITIONAL:
            # Only the bureau, upholding the provider's class dispute, may refuse unconditional data.
            if decided_as != Decision.DecidedAs.DATA_BUREAU or not application.disputes.exists():
                raise ApplicationError(UNCONDITIONAL_NOT_REFUSABLE)
        if legal_basis and not citation.strip():
            citation = f"{legal_basis.title}{legal_basis.article}"
        decision = Decision.objects.create(
            application=application,
            outcome=DecisionOutcome.REFUSED,
            decided_by=actor,
            decided_as=decided_as,
            refusal_reason=reason,
            refusal_text=text.strip(),
            legal_basis=legal_basis,
            legal_basis_citation=citation.strip(),
        )
        _close_dispute(application, actor, upheld=True)
        _refuse(application, decision, actor=actor)
        _complete_task(task, actor, application)
    return decision


def _refuse(application: ShareApplication, decision: Decision, *, actor) -> None:
    from_state = application.state
    application.refuse()
    application.decided_at = decision.effective_at = timezone.now()
    _stop_clock(application)
    application.save(update_fields=["state", "decided_at", "due_at", "updated_at"])
    decision.record = _issue_decision_record(application, decision, actor=actor)
    decision.save(update_fields=["effective_at", "record"])
    record_event(
        subject=application,
        action="application_refused",
        actor=actor,
        from_state=from_state,
        to_state=application.state,
        comment=f"{decision.refusal_reason}：{decision.refusal_text}；文号 {decision.record.number}",
    )
    _tell_applicant(application, f"共享申请{application.reference}不予授权，理由：{decision.refusal_text}")
    if decision.decided_as == Decision.DecidedAs.DATA_BUREAU:
        message = f"政数局已代为作出不予授权决定，文号 {decision.record.number}。"
        _tell_reviewers(application, message, event="share_application_decided")


def application_return(*, actor, obj: ShareApplication, comment: str) -> ShareApplication:
    """补正: back to the applicant with comments; the clock stops until resubmission."""
    with transaction.atomic():
        application = _lock(obj)
        node, _ = _decision_role(actor, application)
        task = _check_may_work(actor, application, node)
        if not comment.strip():
            raise ApplicationError(COMMENT_REQUIRED, field="comment")
        from_state = application.state
        application.return_for_correction()
        application.return_comment = comment.strip()
        deadlines.cancel_for(application, kind=DEADLINE_KIND)
        application.due_at = None
        application.save(update_fields=["state", "return_comment", "due_at", "updated_at"])
        record_event(
            subject=application,
            action="application_returned",
            actor=actor,
            from_state=from_state,
            to_state=application.state,
            comment=comment,
        )
        _complete_task(task, actor, application)
        _tell_applicant(
            application, f"共享申请{application.reference}被退回补正：{comment}", event="share_application_returned"
        )
    return application


def application_dispute_class(*, actor, obj: ShareApplication, reason: str) -> ClassDispute:
    """The provider disputes an unconditional class before the bureau instead of refusing (共享为原则)."""
    from requests.flows import ShareApplicationFlow

    with transaction.atomic():
        application = _lock(obj)
        if application.state != ApplicationState.IN_REVIEW:
            raise not_open(application)
        task = _check_may_work(actor, application, ShareApplicationFlow.review)
        if application.resource.share_class != ShareClass.UNCONDITIONAL:
            raise ApplicationError(DISPUTE_ONLY_UNCONDITIONAL)
        if not may_dispute(application):
            raise ApplicationError(DISPUTE_SETTLED)
        if not reason.strip():
            raise ApplicationError(COMMENT_REQUIRED, field="reason")
        dispute = ClassDispute.objects.create(application=application, filed_by=actor, reason=reason.strip())
        application.escalate()
        application.escalated_at = timezone.now()
        application.save(update_fields=["state", "escalated_at", "updated_at"])
        record_event(
            subject=application,
            action="class_disputed",
            actor=actor,
            from_state=ApplicationState.IN_REVIEW,
            to_state=application.state,
            comment=reason,
        )
        _complete_task(task, actor, application)
        notify(
            recipients=who.data_bureau(),
            event="share_application_task",
            subject=application,
            context={
                "message": f"{application.provider_department}对共享申请{application.reference}提出共享类型异议。"
            },
        )
    return dispute


def may_dispute(application: ShareApplication) -> bool:
    """Unconditional data whose class the 政数局 has not already upheld against a dispute on this application."""
    return (
        application.resource.share_class == ShareClass.UNCONDITIONAL
        and not application.disputes.filter(outcome=ClassDispute.Outcome.DISMISSED).exists()
    )


def _close_dispute(application: ShareApplication, actor, *, upheld: bool, comment: str = "") -> int:
    """Settle the open class dispute, if any; how many were settled."""
    return application.disputes.filter(outcome=ClassDispute.Outcome.OPEN).update(
        outcome=ClassDispute.Outcome.UPHELD if upheld else ClassDispute.Outcome.DISMISSED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_comment=comment,
    )


# ---------------------------------------------------------------- deadline and the data bureau


@deadlines.action("share_requests.remind_reviewers")
def remind_reviewers(deadline) -> None:
    """The reply is due soon: to the provider's reviewers as they are by then, not as they were at submission."""
    notify(
        recipients=who.by_role(Role.PROVIDER_REVIEWER, deadline.subject.provider_department),
        event="deadline_reminder",
        subject=deadline.subject,
        context={"deadline": deadline},
    )


@deadlines.action("share_requests.escalate_overdue")
def escalate_overdue(deadline) -> None:
    """The provider missed its reply deadline: to the bureau's overdue queue (协调), counted for good."""
    application = deadline.subject
    with transaction.atomic():
        application = _lock(application)
        if application.state not in (ApplicationState.IN_REVIEW, ApplicationState.COUNTERSIGNING):
            return  # decided or returned meanwhile: nothing to escalate
        from_state = application.state
        if from_state == ApplicationState.COUNTERSIGNING:
            _discard_proposal(application.decision)  # the unconfirmed proposal lapses; the bureau decides afresh
        application.escalate()
        application.was_overdue = True
        application.escalated_at = timezone.now()
        application.save(update_fields=["state", "was_overdue", "escalated_at", "updated_at"])
        record_event(
            subject=application,
            action="application_escalated",
            actor=None,
            from_state=from_state,
            to_state=application.state,
            comment=f"{deadline.title}已于{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}到期，提请政数局协调",
        )
        task = _open_task(application)
        if task is not None:
            _complete_task(task, None, application)
        notify(
            recipients=[*who.by_role(Role.PROVIDER_REVIEWER, application.provider_department), *who.data_bureau()],
            event="deadline_escalated",
            subject=application,
            context={"deadline": deadline},
        )


def application_order_decision(*, actor, obj: ShareApplication, workdays: int, comment: str = "") -> ShareApplication:
    """The bureau orders the provider to decide within `workdays` working days (限期答复)."""
    from requests.flows import ShareApplicationFlow

    with transaction.atomic():
        application = _lock(obj)
        if application.state != ApplicationState.ESCALATED:
            raise ApplicationError(NOT_OVERDUE_QUEUE)
        # Not a decision: the bureau may order the provider even on its own department's application.
        task = _check_may_work(actor, application, ShareApplicationFlow.arbitrate, deciding=False)
        if not 1 <= workdays <= 30:
            raise ApplicationError(WORKDAYS_INVALID, field="workdays")
        # An order answers a class dispute too: the provider is to decide, so the class stands.
        dismissed = _close_dispute(application, actor, upheld=False, comment=f"责令提供部门限期答复。{comment}".strip())
        settled = "共享类型异议不成立，" if dismissed else ""
        application.order_provider_decision()
        _start_clock(application, workdays)
        application.save(update_fields=["state", "due_at", "updated_at"])
        record_event(
            subject=application,
            action="decision_ordered",
            actor=actor,
            from_state=ApplicationState.ESCALATED,
            to_state=application.state,
            comment=f"{settled}责令{workdays}个工作日内答复。{comment}".strip(),
        )
        _complete_task(task, actor, application)
        _tell_reviewers(
            application,
            f"{settled}政数局责令在{workdays}个工作日内（{chinese_date(application.due_at)}前）"
            f"答复共享申请{application.reference}。{comment}",
        )
    return application


# ---------------------------------------------------------------- automatic routes (called on submit)


def decide_automatically(*, application: ShareApplication) -> Decision:
    """Unconditional data, no item above level 2: granted on submit, recorded, the provider informed.

    The caller (application_submit) holds the application locked.
    """
    items = list(application.items.order_by("position", "pk"))
    decision = Decision(
        application=application,
        outcome=DecisionOutcome.GRANTED,
        decided_as=Decision.DecidedAs.AUTOMATIC,
        granted_method=application.share_method,
        granted_period_start=application.period_start,
        granted_period_end=application.period_end,
        conditions=application.resource.share_conditions,
        standard_clauses=[StandardClause.PURPOSE_ONLY, StandardClause.NO_ONWARD_SHARING],
    )
    _make_effective(
        application,
        decision,
        actor=None,
        from_state=ApplicationState.SUBMITTED,
        granted_items=items,
        requested_items=items,
    )
    notify(
        recipients=who.by_role(Role.PROVIDER_REVIEWER, application.provider_department),
        event="share_application_auto_granted",
        subject=application,
        context={
            "message": f"{application.applicant_department}申请的无条件共享资源“{application.resource.name}”已自动授权。"
        },
    )
    return decision


def refuse_by_negative_list(*, application: ShareApplication, hit) -> Decision:
    """An item on the negative list (`hit`): refused on submit, citing the list's legal basis.

    The caller (application_submit) holds the application locked.
    """
    decision = Decision.objects.create(
        application=application,
        outcome=DecisionOutcome.REFUSED,
        decided_as=Decision.DecidedAs.AUTOMATIC,
        refusal_reason=RefusalReason.objects.filter(code="LAW_PROHIBITED").first(),
        refusal_text=f"所申请数据列入共享负面清单：{hit.reason}",
        legal_basis=hit.legal_basis,
        legal_basis_citation=f"{hit.legal_basis.title}{hit.legal_basis.article}",
    )
    _refuse(application, decision, actor=None)
    return decision


def refuse_for_withdrawn_resources() -> int:
    """Refuse the open applications whose resource has left the catalog; how many were refused.

    A withdrawal (catalog.services.resource_withdraw) queues this after it commits, and the
    beat runs it hourly in case the queue missed one. It cannot be part of the withdrawal's own
    transaction: a decision locks its application and then its resource, a withdrawal the other
    way round. Each application is refused in its own transaction, under its row lock, so a run
    that meets a reviewer's decision, or a second run, refuses nothing twice.
    """
    waiting = ShareApplication.objects.filter(state__in=OPEN, resource__status=ResourceStatus.WITHDRAWN)
    return sum(_refuse_for_withdrawn_resource(pk) for pk in waiting.order_by("pk").values_list("pk", flat=True))


def queue_refusals_for_withdrawn_resources() -> None:
    """For a withdrawal's on_commit. A broker outage loses nothing: the hourly beat runs the same task."""
    from requests.tasks import refuse_for_withdrawn_resources

    try:
        refuse_for_withdrawn_resources.delay()
    except Exception:
        logger.exception("Could not queue the refusals for a withdrawn resource; the hourly beat will run them.")


def _refuse_for_withdrawn_resource(application_id: int) -> bool:
    with transaction.atomic():
        application = _lock(ShareApplication(pk=application_id))
        resource = application.resource  # read with the lock, so as current as the application
        if application.state not in OPEN or resource.status != ResourceStatus.WITHDRAWN:
            return False
        if application.state == ApplicationState.COUNTERSIGNING:
            _discard_proposal(application.decision)
        reason, _ = RefusalReason.objects.get_or_create(
            code="RESOURCE_WITHDRAWN", defaults={"label": "数据资源已从目录撤销"}
        )
        withdrawn_on = timezone.localtime(resource.withdrawn_at) if resource.withdrawn_at else timezone.localtime()
        decision = Decision.objects.create(
            application=application,
            outcome=DecisionOutcome.REFUSED,
            decided_as=Decision.DecidedAs.AUTOMATIC,
            refusal_reason=reason,
            refusal_text=(
                f"数据资源“{resource.name}”已于{chinese_date(withdrawn_on)}从政务数据资源目录撤销"
                f"（{resource.withdraw_reason}），不再共享。"
            ),
        )
        _cancel_flow(application)
        _refuse(application, decision, actor=None)
    return True


# ---------------------------------------------------------------- records and notices


def _bureau_ground(application: ShareApplication) -> str:
    """Why the 政数局 decides: a class dispute settled in this escalation, or the provider's missed deadline.

    A dispute dismissed by an earlier order, after which the provider let the deadline pass again, is not it.
    """
    provider = application.provider_department.name
    if application.disputes.filter(decided_at__gte=application.escalated_at).exists():
        return f"{provider}对该资源的共享类型提出异议，由本局协调作出决定。"
    return f"因{provider}未在规定期限内答复，由本局协调作出决定。"


def _issue_decision_record(
    application: ShareApplication,
    decision: Decision,
    *,
    actor,
    granted_items: Sequence[DataItem] = (),
    requested_items: Sequence[DataItem] | None = None,
):
    bureau = decision.decided_as == Decision.DecidedAs.DATA_BUREAU
    issuer = actor.department if bureau else application.provider_department
    submitted = timezone.localtime(application.submitted_at) if application.submitted_at else timezone.localtime()
    facts = [
        {"label": "申请编号", "value": application.reference},
        {"label": "申请部门", "value": application.applicant_department.name},
        {"label": "数据资源", "value": f"{application.resource.name}（{application.resource.code}）"},
        {"label": "办理事项", "value": application.business_matter},
        {"label": "决定方式", "value": decision.get_decided_as_display()},
    ]
    if decision.countersigned_by_id:
        signed_on = timezone.localtime(decision.countersigned_at)
        facts.append({"label": "负责人会签", "value": f"{decision.countersigned_by}（{chinese_date(signed_on)}）"})
    body = [
        f"你单位于{chinese_date(submitted)}提交的《{application.resource.name}》共享申请（{application.reference}）收悉。"
        "经审核，现将意见告知如下。"
    ]
    if bureau:
        body.append(_bureau_ground(application))
    if decision.outcome == DecisionOutcome.REFUSED:
        return issue_record(
            type=RecordType.REFUSAL_NOTICE,
            subject=application,
            issuer=issuer,
            actor=actor,
            title=f"关于{application.applicant_department.name}申请共享{application.resource.name}的不予共享告知书",
            addressee=application.applicant_department,
            data={
                "body": body,
                "reason": f"{decision.refusal_reason.label if decision.refusal_reason else ''}。{decision.refusal_text}",
                "legal_basis": decision.legal_basis_citation,
                "facts": facts,
                "by_bureau": bureau,  # the arbiter itself: no appeal to it
            },
        )
    # The requested items, split by what the decision granted.
    # (Granted items are always among the requested ones: validate_grant_terms.)
    if requested_items is None:
        requested_items = list(application.items.order_by("position", "pk"))
    granted_ids = {item.pk for item in granted_items}
    granted = [i for i in requested_items if i.pk in granted_ids]
    not_granted = [i for i in requested_items if i.pk not in granted_ids]
    method_label = dict(decision._meta.get_field("granted_method").choices)[decision.granted_method]
    if decision.outcome == DecisionOutcome.PARTIALLY_GRANTED:
        verdict = "部分同意共享。"
        if not_granted:
            body.append("以下信息项不予授权：" + "、".join(i.name for i in not_granted) + "。")
        if decision.granted_method != application.share_method:
            body.append(f"共享方式调整为{method_label}（申请为{application.get_share_method_display()}）。")
        if (decision.granted_period_start, decision.granted_period_end) != (
            application.period_start,
            application.period_end,
        ):
            body.append(
                f"使用期限调整为{chinese_date(decision.granted_period_start)}至{chinese_date(decision.granted_period_end)}。"
            )
        if decision.adjustment_reason:
            body.append(f"调整理由：{decision.adjustment_reason}")
    else:
        verdict = "同意共享。"
    conditions = StandardClause.labels_of(decision.standard_clauses)
    if decision.conditions:
        conditions.append(decision.conditions)
    return issue_record(
        type=RecordType.REVIEW_OPINION,
        subject=application,
        issuer=issuer,
        actor=actor,
        title=f"关于{application.applicant_department.name}申请共享{application.resource.name}的审核意见书",
        addressee=application.applicant_department,
        data={
            "body": body,
            "decision": f"{verdict}共享方式为{method_label}。",
            "granted_items": [i.name for i in granted],
            "not_granted_items": [i.name for i in not_granted],
            "conditions": conditions,
            "valid_from": chinese_date(decision.granted_period_start),
            "valid_until": chinese_date(decision.granted_period_end),
            "facts": facts,
        },
    )


def _tell_applicant(application: ShareApplication, message: str, event: str = "share_application_decided") -> None:
    notify(
        recipients=[application.applicant],
        event=event,
        subject=application,
        context={"message": message},
    )


def _tell_reviewers(application: ShareApplication, message: str, event: str = "share_application_task") -> None:
    notify(
        recipients=who.by_role(Role.PROVIDER_REVIEWER, application.provider_department),
        event=event,
        subject=application,
        context={"message": message},
    )
