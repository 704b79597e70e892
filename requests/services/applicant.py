"""The applicant's writes: create, update, submit (with its automatic routes) and withdraw."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from catalog.models import DataItem, DataResource
from notifications import recipients as who
from notifications.services import notify
from organizations.roles import Role
from pdf_templates.dates import chinese_date
from requests import permissions, rules
from requests.flows import ShareApplicationFlow
from requests.messages import (
    MSG_ATTACHMENT_NOT_REMOVABLE,
    MSG_NOT_AN_APPLICANT,
    MSG_NOT_EDITABLE,
    MSG_NOT_WITHDRAWABLE,
    MSG_OWN_RESOURCE,
    MSG_RECEIPT,
    MSG_RESOURCE_GONE,
    MSG_RESOURCE_NOT_PUBLISHED,
    MSG_SCENARIO_NOT_AUTHORIZED,
    MSG_SCENARIO_NOT_CONSUMER,
)
from requests.models import (
    ApplicationAttachment,
    ApplicationState,
    Scenario,
    ShareApplication,
)
from requests.selectors import previous_application, removable_attachments, renews_revoked_grant
from requests.services.automatic import decide_automatically, decide_by_scenario, refuse_by_negative_list
from requests.services.common import (
    APPLICATION_FIELDS,
    DEADLINE_KIND,
    hold_published_resource,
    lock_application,
    start_clock,
    tell_reviewers,
)
from requests.services.decisions import discard_proposal
from requests.services.errors import ApplicationError
from requests.services.grants import MSG_RENEW_REVOKED
from requests.services.scenarios.sharing import scenario_ground
from requests.services.tasks import cancel_flow
from requests.services.validation import validate_application, validate_attachment
from workflows import deadlines, flowtasks
from workflows.audit import record_event


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
            original_name=(upload.name or "")[:200],
            content_type=content_type,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )


# ---------------------------------------------------------------- the applicant


def _validated_input(resource, data, items, attachments, *, actor) -> list[UploadedFile]:
    """Every field and attachment checked before anything is written."""
    validate_application(resource=resource, data=data, items=items)
    _check_cited_scenario(actor, data.get("cited_scenario"))
    attachments = list(attachments)
    for upload in attachments:
        validate_attachment(upload)
    return attachments


def _check_cited_scenario(actor, scenario: Scenario | None) -> None:
    """A scenario cited must be in force, and the applicant department one of its consumers."""
    if scenario is None:
        return
    scenario = Scenario.objects.get(pk=scenario.pk)  # as it is now, not as the form or caller read it
    if not rules.scenario_in_force(scenario, timezone.localdate()):
        message = MSG_SCENARIO_NOT_AUTHORIZED.format(name=scenario.name, state=scenario.get_state_display())
        raise ApplicationError(message, field="cited_scenario")
    if not scenario.consumer_departments.filter(pk=actor.department_id).exists():
        raise ApplicationError(MSG_SCENARIO_NOT_CONSUMER.format(name=scenario.name), field="cited_scenario")


def application_create(
    *,
    actor,
    resource: DataResource,
    data: dict[str, Any],
    items: Sequence[DataItem],
    attachments: Iterable[UploadedFile] = (),
    renews_grant=None,
    form_token=None,
    ip: str | None = None,
) -> ShareApplication:
    """A draft application of the actor's department.

    `form_token` (the form's, see created_from_form) is unique: a second create with it raises IntegrityError.
    """
    if not permissions.can_apply(actor):
        raise ApplicationError(MSG_NOT_AN_APPLICANT)
    if not resource.is_published:
        raise ApplicationError(MSG_RESOURCE_NOT_PUBLISHED)
    if resource.provider_department_id == actor.department_id:
        raise ApplicationError(MSG_OWN_RESOURCE)
    attachments = _validated_input(resource, data, items, attachments, actor=actor)
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
        record_event(
            subject=application,
            action="share_requests.application_created",
            actor=actor,
            ip=ip,
            to_state=application.state,
        )
    return application


def application_update(
    *,
    actor,
    obj: ShareApplication,
    data: dict[str, Any],
    items: Sequence[DataItem],
    attachments: Iterable[UploadedFile] = (),
    remove_attachments: Sequence[ApplicationAttachment] = (),
    ip: str | None = None,
) -> ShareApplication:
    """Change a draft, or a returned application before resubmitting it (补正).

    Attachments no reviewer has seen may be removed (selectors.removable_attachments); the
    others are part of what was submitted and stay.
    """
    if not permissions.can_edit(actor, obj):
        raise ApplicationError(MSG_NOT_AN_APPLICANT)
    attachments = _validated_input(obj.resource, data, items, attachments, actor=actor)
    with transaction.atomic():
        application = lock_application(obj)
        if not rules.is_editable(application):
            raise ApplicationError(MSG_NOT_EDITABLE)
        removed = _remove_attachments(application, remove_attachments)
        for name in APPLICATION_FIELDS:
            if name in data:
                setattr(application, name, data[name])
        application.save(update_fields=[name for name in APPLICATION_FIELDS if name in data] + ["updated_at"])
        application.items.set(items)
        _store_attachments(application, attachments, actor)
        record_event(
            subject=application,
            action="share_requests.application_updated",
            actor=actor,
            ip=ip,
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
                MSG_ATTACHMENT_NOT_REMOVABLE.format(name=attachment.original_name), field="remove_attachments"
            )
    for attachment in attachments:
        attachment.delete()
        if attachment.file.name:
            transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
    return [attachment.original_name for attachment in attachments]


def application_submit(*, actor, obj: ShareApplication, ip: str | None = None) -> ShareApplication:
    """Submit (or resubmit after 补正). Routes at once: automatic refusal, automatic grant, or provider review.

    The negative list wins over "unconditional is shared by default": a listed item is never granted.
    Only review needs people, so only review starts the flow (a resubmission resumes it).
    """
    if not permissions.can_edit(actor, obj):
        raise ApplicationError(MSG_NOT_AN_APPLICANT)
    with transaction.atomic():
        application = lock_application(obj)
        if not rules.is_editable(application):
            raise ApplicationError(MSG_NOT_EDITABLE)
        if not application.resource.is_published:
            raise ApplicationError(MSG_RESOURCE_GONE.format(status=application.resource.get_status_display()))
        if renews_revoked_grant(application):
            raise ApplicationError(MSG_RENEW_REVOKED)  # revoked since the renewal was started
        resubmission = application.state == ApplicationState.RETURNED
        from_state = application.state
        application.resource_version_id = application.resource.current_version_id
        application.submit()
        application.submitted_at = timezone.now()
        submitted = ["resource_version", "state", "submitted_at", "updated_at"]
        action = "share_requests.application_resubmitted" if resubmission else "share_requests.application_submitted"
        hits = application.negative_list_hits()  # a resubmission too: the list may have grown meanwhile
        # An authorized scenario the application cites and stays within grants it, on its first submission or on
        # its resubmission after 补正 (narrowed to the scenario's scope, say).
        ground = None if hits else scenario_ground(application, timezone.localdate())
        if not hits and ground is None and (resubmission or not application.is_auto_grantable()):
            _start_review(application, actor=actor, action=action, from_state=from_state, also_save=submitted, ip=ip)
            return application
        if not hits:
            hold_published_resource(application)  # it is granted below
        application.save(update_fields=submitted)
        record_event(
            subject=application, action=action, actor=actor, ip=ip, from_state=from_state, to_state=application.state
        )
        if hits or resubmission:
            cancel_flow(application)  # a resubmission's correction task; a first submission has no flow
        if hits:
            refuse_by_negative_list(application=application, hit=hits[0])
        elif ground is not None:
            decide_by_scenario(application=application, part=ground)
        else:
            decide_automatically(application=application)
    return application


def _start_review(
    application: ShareApplication,
    *,
    actor,
    action: str,
    from_state: str,
    also_save: Sequence[str] = (),
    ip: str | None = None,
) -> None:
    """In review: the provider's clock starts (again), its reviewers hear of it and get the task.

    One audit event for the submission and the start of review: `from_state` → in review, with the deadline.
    """
    resubmission = from_state == ApplicationState.RETURNED
    application.start_review()
    start_clock(application, settings.SHARE_REPLY_WORKDAYS, replace=resubmission)  # a first one has none to stop
    application.save(update_fields=sorted({*also_save, "state", "due_at", "updated_at"}))
    record_event(
        subject=application,
        action=action,
        actor=actor,
        ip=ip,
        from_state=from_state,
        to_state=application.state,
        comment=f"答复期限 {timezone.localtime(application.due_at):%Y-%m-%d %H:%M}",
    )
    if resubmission:
        flowtasks.resume(ShareApplicationFlow, application, ShareApplicationFlow.correction)
    else:
        flowtasks.start(ShareApplicationFlow, application)
    verb = "重新提交（补正后）" if resubmission else "提交"
    tell_reviewers(application, f"{application.applicant_department}{verb}了共享申请，请在期限内答复。")
    send_receipt(application, submitter=actor, verb=verb)


def send_receipt(application: ShareApplication, *, submitter, verb: str) -> None:
    """The applicant's receipt (回执): what was submitted to whom, and by when the provider must answer."""
    assert application.due_at is not None  # the review's clock has just started
    notify(
        recipients=[submitter, application.applicant],  # the same person once
        event="share_application_received",
        subject=application,
        context={
            "message": MSG_RECEIPT.format(
                reference=application.reference,
                resource=application.resource.name,
                verb=verb,
                provider=application.provider_department,
                due=chinese_date(application.due_at),
            )
        },
    )


def application_withdraw(*, actor, obj: ShareApplication, ip: str | None = None) -> ShareApplication:
    """The applicant withdraws before a decision; open tasks are cancelled with the process."""
    if not permissions.can_edit(actor, obj):
        raise ApplicationError(MSG_NOT_AN_APPLICANT)
    with transaction.atomic():
        application = lock_application(obj)
        if not rules.is_withdrawable(application):
            raise ApplicationError(MSG_NOT_WITHDRAWABLE)
        from_state = application.state
        if from_state == ApplicationState.COUNTERSIGNING:
            discard_proposal(application.decision)  # the proposed grant never took effect
        application.withdraw()
        deadlines.cancel_for(application, kind=DEADLINE_KIND)
        application.due_at = None
        application.save(update_fields=["state", "due_at", "updated_at"])
        cancel_flow(application)
        record_event(
            subject=application,
            action="share_requests.application_withdrawn",
            actor=actor,
            ip=ip,
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
