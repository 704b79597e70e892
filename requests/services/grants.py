"""Grants after the decision: expiry and its notices, revocation, renewal, API tokens, the check API's answer.

A grant is what makes a decision enforceable: the exchange platform asks
`grant_check()` (through /api/grants/check) before it lets data flow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from catalog.models import DataItem, DataResource
from notifications import recipients
from notifications.services import notify
from organizations.models import Department
from organizations.roles import Role
from pdf_templates.dates import chinese_date
from pdf_templates.models import Record, RecordType
from pdf_templates.services import RecordError, issue_record
from requests.models import (
    OPEN_STATES,
    ApiToken,
    ApplicationState,
    Decision,
    Grant,
    GrantState,
    Scenario,
    ShareApplication,
)
from requests.services.grant_check import CheckAnswer, CheckReason, grant_check  # noqa: F401  (its home before)
from requests.services.validation import years_after
from workflows import textlimits
from workflows.audit import record_event

MSG_REVOKE_NOT_ALLOWED = "只有提供部门的审核人、部门负责人或政数局可以撤销共享授权。"
MSG_REVOKE_NEEDS_REASON = "撤销共享授权必须说明理由。"
MSG_NOT_ACTIVE = "该授权当前状态为“{state}”，不能{action}。"
MSG_NOT_YET_DUE = "该授权有效期至{valid_to}，尚未到期。"
MSG_RENEW_NOT_ALLOWED = "只有使用部门的申请人可以申请续期。"
MSG_RENEW_REVOKED = "已撤销的授权不能续期，请重新提出共享申请。"
MSG_RENEW_RESOURCE_GONE = "资源“{resource}”已不在目录中（{status}），不能续期。"
MSG_RENEW_ENDLESS = "该授权没有到期日，无需续期。"
MSG_RENEW_NO_ITEMS = "该授权的信息项均已从资源目录中删除，不能续期；请重新提出共享申请。"
MSG_RENEWED = "该授权已续期（续期申请 {reference} 已获授权），无需再次续期。"
MSG_RENEW_OPEN = "该授权已有办理中的续期申请 {reference}，请勿重复申请。"
MSG_TOKEN_NEEDS_NAME = "请填写使用令牌的系统名称。"
MSG_REVOKED_RESOURCE_WITHDRAWN = "数据资源已从目录撤销（{reason}）"

# Days before valid_to on which the consumer and the provider are told.
NOTICE_DAYS = (30, 7)


class GrantError(Exception):
    """A grant cannot be changed as asked; the message says why, in Chinese."""


# --- who is told ----------------------------------------------------------------------------


def consumer_recipients(grant: Grant) -> set:
    """The consumer department's applicants and leader, and whoever applied for this grant."""
    users = set(recipients.by_role(Role.APPLICANT, grant.consumer_department))
    users |= set(recipients.department_leaders(grant.consumer_department))
    application = grant.application  # None for a scenario's grant
    applicant = application.applicant if application is not None else None
    if applicant is not None and applicant.is_active and applicant.department_id == grant.consumer_department_id:
        users.add(applicant)
    return users


def provider_recipients(grant: Grant) -> set:
    users = set(recipients.by_role(Role.PROVIDER_REVIEWER, grant.provider_department))
    return users | set(recipients.department_leaders(grant.provider_department))


def grant_link(grant: Grant) -> str:
    return reverse("grants:detail", args=[grant.pk])


def _for_update() -> QuerySet[Grant]:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    return Grant.objects.select_for_update(of=("self",)).select_related(
        "consumer_department", "provider_department", "resource", "application__applicant"
    )


def _lock(grant: Grant) -> Grant:
    return _for_update().get(pk=grant.pk)


# --- expiry -----------------------------------------------------------------------------------


def grant_expire(*, grant: Grant, today: dt.date | None = None) -> Grant:
    """Expire a grant whose last valid day has passed. Run twice, it changes nothing the second time."""
    today = today or timezone.localdate()
    with transaction.atomic():
        grant = _lock(grant)
        if grant.state == GrantState.EXPIRED:
            return grant
        if grant.state != GrantState.ACTIVE:
            raise GrantError(MSG_NOT_ACTIVE.format(state=grant.get_state_display(), action="到期"))
        if grant.valid_to >= today:
            raise GrantError(MSG_NOT_YET_DUE.format(valid_to=chinese_date(grant.valid_to)))
        grant.expire()
        grant.save(update_fields=["state"])
        record_event(
            subject=grant,
            action="share_requests.grant_expired",
            from_state=GrantState.ACTIVE,
            to_state=grant.state,
            comment=f"有效期至{chinese_date(grant.valid_to)}，已到期",
        )
        context = {"grant": grant, "link": grant_link(grant)}
        notify(
            recipients=consumer_recipients(grant) | provider_recipients(grant),
            event="grant_expired",
            subject=grant,
            context=context,
        )
    return grant


def grant_send_expiry_notice(*, grant: Grant, days: int, today: dt.date | None = None) -> bool:
    """The notice `days` (30 or 7) before valid_to, once: the sent-at stamp is set under the row lock."""
    if days not in NOTICE_DAYS:
        raise ValueError(f"no expiry notice {days} days before")
    stamp = f"notice_{days}_sent_at"
    today = today or timezone.localdate()
    with transaction.atomic():
        grant = _lock(grant)
        days_left = (grant.valid_to - today).days
        if grant.state != GrantState.ACTIVE or getattr(grant, stamp) is not None or not 0 <= days_left <= days:
            return False
        setattr(grant, stamp, timezone.now())
        grant.save(update_fields=[stamp])
        record_event(
            subject=grant, action=f"share_requests.grant_expiry_notice_{days}", comment=f"距到期还有 {days_left} 天"
        )
        notify(
            recipients=consumer_recipients(grant) | provider_recipients(grant),
            event="grant_expiring",
            subject=grant,
            context={"grant": grant, "days_left": days_left, "link": grant_link(grant)},
        )
    return True


def expiry_notice_due(today: dt.date) -> dict[int, QuerySet[Grant]]:
    """Grants owed each notice today. A grant already inside 7 days gets only the 7-day one."""
    active = Grant.objects.filter(state=GrantState.ACTIVE, valid_to__gte=today)
    return {
        30: active.filter(
            notice_30_sent_at=None, valid_to__lte=today + dt.timedelta(days=30), valid_to__gt=today + dt.timedelta(7)
        ),
        7: active.filter(notice_7_sent_at=None, valid_to__lte=today + dt.timedelta(days=7)),
    }


def grants_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """What beat runs: every notice that is due, then every expiry. Each grant in its own transaction."""
    today = today or timezone.localdate()
    counts = {"notice_30": 0, "notice_7": 0, "expired": 0}
    for days, due in expiry_notice_due(today).items():
        for grant in due.order_by("pk"):
            counts[f"notice_{days}"] += grant_send_expiry_notice(grant=grant, days=days, today=today)
    for grant in Grant.objects.filter(state=GrantState.ACTIVE, valid_to__lt=today).order_by("pk"):
        try:
            grant_expire(grant=grant, today=today)
        except GrantError:
            continue  # revoked meanwhile by someone else
        counts["expired"] += 1
    return counts


# --- revocation -------------------------------------------------------------------------------


def can_revoke(user, grant: Grant) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_role(Role.DATA_BUREAU):
        return True
    return user.department_id == grant.provider_department_id and (
        user.has_role(Role.PROVIDER_REVIEWER)
        or user.has_role(Role.DEPT_LEADER)
        or user.has_perm("share_requests.can_revoke_grant")
    )


def grant_revoke(*, actor, obj: Grant, reason: str, ip: str | None = None) -> Grant:
    """The provider or the data bureau withdraws a grant: a revocation notice is issued and the consumer told."""
    if not can_revoke(actor, obj):
        raise GrantError(MSG_REVOKE_NOT_ALLOWED)
    reason = (reason or "").strip().rstrip("。")  # the notices end the sentence themselves
    if not reason:
        raise GrantError(MSG_REVOKE_NEEDS_REASON)
    if message := textlimits.too_long(Grant, "revoked_reason", reason):
        raise GrantError(message)
    with transaction.atomic():
        grant = _lock(obj)
        if grant.state != GrantState.ACTIVE:
            raise GrantError(MSG_NOT_ACTIVE.format(state=grant.get_state_display(), action="撤销"))
        _revoke(grant, actor=actor, reason=reason, ip=ip)
    return grant


def grants_revoke_for_withdrawal(*, actor, resource: DataResource, ip: str | None = None) -> list[Grant]:
    """The catalog entry was withdrawn: every active grant of it ends, each revoked as `grant_revoke` does.

    Called on the catalog's resource_withdrawing signal (requests.receivers) inside the withdrawal's transaction, so the
    entry and its grants end together. Whoever may withdraw the entry ends its grants with it:
    the withdrawal is the decision, and its reason is the revocation's.

    Every grant is locked before the first revocation writes to the audit chain: a concurrent
    `grant_revoke` holds its grant and then waits for the chain's lock. A grant it revoked
    first is no longer active when the lock is granted, and is left alone.
    """
    reason = MSG_REVOKED_RESOURCE_WITHDRAWN.format(reason=resource.withdraw_reason.rstrip("。"))
    with transaction.atomic():
        grants = list(_for_update().filter(resource=resource, state=GrantState.ACTIVE).order_by("pk"))
        return [_revoke(grant, actor=actor, reason=reason, ip=ip, withdrawn=True) for grant in grants]


def _revoke(grant: Grant, *, actor, reason: str, ip: str | None, withdrawn: bool = False) -> Grant:
    """Revoke a locked, active grant: transition, audit event, revocation notice, notices to the parties."""
    grant.revoke()
    grant.revoked_reason = reason
    grant.revoked_by = actor
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["state", "revoked_reason", "revoked_by", "revoked_at"])
    record_event(
        subject=grant,
        action="share_requests.grant_revoked",
        actor=actor,
        from_state=GrantState.ACTIVE,
        to_state=grant.state,
        comment=reason,
        ip=ip,
    )
    record = issue_revocation_notice(grant, actor, cause=_revocation_cause(grant, actor, withdrawn=withdrawn))
    # Drafts renewing it can no longer be submitted (applications.application_submit): say so.
    renewals = [draft.reference for draft in grant.renewals.filter(state=ApplicationState.DRAFT).only("pk")]
    told = consumer_recipients(grant)
    if actor.department_id != grant.provider_department_id:
        told |= provider_recipients(grant)  # the bureau revoked: the provider must know too
    notify(
        recipients=told,
        event="grant_revoked",
        subject=grant,
        context={"grant": grant, "record": record, "renewals": renewals, "link": grant_link(grant)},
    )
    return grant


def _revocation_cause(grant: Grant, actor, *, withdrawn: bool) -> str:
    if withdrawn:
        return f"因{actor.department.name}已将该数据资源从政务数据资源目录中撤销，"
    return "经本单位研究，" if actor.department_id == grant.provider_department_id else "经政数局协调，"


def issue_revocation_notice(grant: Grant, actor, *, cause: str) -> Record:
    """The 撤销通知 of a revoked grant, to its consumer: `cause` says why, before "现决定予以撤销"."""
    consumer, resource = grant.consumer_department, grant.resource
    revoked_on = chinese_date(timezone.localdate(grant.revoked_at))
    application, scenario = grant.application, grant.scenario
    if application is not None:
        source = f"经{application.reference}号共享申请"
    else:
        source = f"因应用场景“{scenario.name}”（{scenario.reference}）授权" if scenario is not None else ""
    data = {
        "body": [
            f"你单位{source}获得的“{resource.name}”共享授权"
            f"（授权文号{grant.number or '无'}），" + cause + "现决定予以撤销。"
        ],
        "reason": grant.revoked_reason,
        "effective_on": revoked_on,
        "facts": [
            {"label": "申请编号" if grant.application_id else "场景编号", "value": grant.source_reference},
            {"label": "数据资源", "value": f"{resource.code} {resource.name}"},
            {"label": "提供部门", "value": grant.provider_department.name},
            {"label": "授权信息项", "value": "、".join(item.name for item in grant.items.all())},
            {"label": "原有效期", "value": f"{chinese_date(grant.valid_from)}至{chinese_date(grant.valid_to)}"},
        ],
    }
    try:
        return issue_record(
            type=RecordType.REVOCATION_NOTICE,
            subject=grant,
            issuer=actor.department,
            data=data,
            actor=actor,
            title=textlimits.composed(
                "关于撤销{consumer}“{resource}”共享授权的通知",
                textlimits.TITLE,
                consumer=consumer.name,
                resource=resource.name,
            ),
            addressee=consumer,
        )
    except RecordError as exc:
        raise GrantError(str(exc)) from exc


# --- renewal ----------------------------------------------------------------------------------


def can_renew(user, grant: Grant) -> bool:
    """A grant made on an application; a scenario's grants run and end with the scenario."""
    return (
        grant.application_id is not None
        and user.is_authenticated
        and user.department_id == grant.consumer_department_id
        and user.has_role(Role.APPLICANT)
        and grant.state != GrantState.REVOKED
    )


def renewal_period(grant: Grant, today: dt.date) -> tuple[dt.date, dt.date]:
    """The new period starts the day after the old one ends (today if it has ended) and lasts as long.

    At most as long as an application may ask for (SHARE_MAX_PERIOD_YEARS); a grant running to the
    end of the calendar has nothing to renew.
    """
    if grant.valid_to >= dt.date.max - dt.timedelta(days=1):
        raise GrantError(MSG_RENEW_ENDLESS)
    start = max(today, grant.valid_to + dt.timedelta(days=1))
    end = min(years_after(start, settings.SHARE_MAX_PERIOD_YEARS), start + (grant.valid_to - grant.valid_from))
    return start, end


def grant_renew(*, actor, obj: Grant, ip: str | None = None) -> ShareApplication:
    """A draft application pre-filled from the grant, for the consumer's applicant to check and submit.

    A second click returns the draft already started instead of making another.
    """
    if obj.state == GrantState.REVOKED:
        raise GrantError(MSG_RENEW_REVOKED)
    if not can_renew(actor, obj):
        raise GrantError(MSG_RENEW_NOT_ALLOWED)
    with transaction.atomic():
        grant = _lock(obj)
        if grant.state == GrantState.REVOKED:  # revoked since the page was opened
            raise GrantError(MSG_RENEW_REVOKED)
        renewals = grant.renewals.filter(applicant_department=grant.consumer_department)
        draft = renewals.filter(state=ApplicationState.DRAFT).first()
        if draft is not None:
            return draft
        pending = renewals.filter(state__in=OPEN_STATES).first()
        if pending is not None:
            raise GrantError(MSG_RENEW_OPEN.format(reference=pending.reference))
        renewed = renewals.filter(state__in=[ApplicationState.GRANTED, ApplicationState.PARTIALLY_GRANTED]).first()
        if renewed is not None:
            raise GrantError(MSG_RENEWED.format(reference=renewed.reference))
        resource = DataResource.objects.get(pk=grant.resource_id)
        if not resource.is_published:
            raise GrantError(MSG_RENEW_RESOURCE_GONE.format(resource=resource, status=resource.get_status_display()))
        from requests.services.applicant import application_create  # applicant imports this module

        source = grant.application
        if source is None:  # a scenario's grant (can_renew says no): renewed with the scenario
            raise GrantError(MSG_RENEW_NOT_ALLOWED)
        start, end = renewal_period(grant, timezone.localdate())
        # Only items the resource still has: a later catalog version may have deleted some.
        items = list(grant.items.filter(resource_id=resource.pk, retired_at=None))
        if not items:
            raise GrantError(MSG_RENEW_NO_ITEMS)
        # The same method if still offered; else the resource's first, for the applicant to check.
        offered = resource.share_methods or [grant.share_method]
        method = grant.share_method if grant.share_method in offered else offered[0]
        application = application_create(
            actor=actor,
            resource=resource,
            data={
                "scenario": source.scenario,
                "business_matter": source.business_matter,
                "purposes": list(source.purposes),
                "share_method": method,
                "period_start": start,
                "period_end": end,
                "call_volume": source.call_volume,
                "need_legal_basis": source.need_legal_basis,
                "applied_before": True,
                "earlier_outcome": f"已获授权（{grant.number or source.reference}），有效期至{chinese_date(grant.valid_to)}。",
            },
            items=items,
            renews_grant=grant,
        )
        record_event(
            subject=grant,
            action="share_requests.grant_renewal_started",
            actor=actor,
            comment=application.reference,
            ip=ip,
        )
    return application


# --- the enforceable grant: created with the decision, checked by the exchange platform -------


def grant_create_from_decision(
    *, decision: Decision, items: Sequence[DataItem] | None = None, scenario: Scenario | None = None
) -> Grant:
    """The enforceable grant of an effective grant or partial grant, inside the decision's transaction.

    `items`: the decision's granted items when the caller holds them already (saves reading them back).
    `scenario`: the authorized scenario it was granted under, which it ends with.
    """
    application = decision.application
    valid_from, valid_to = decision.granted_period_start, decision.granted_period_end
    assert valid_from is not None and valid_to is not None  # a grant always has its period
    grant = Grant.objects.create(
        application=application,
        scenario=scenario,
        number=decision.record.number if decision.record is not None else "",
        consumer_department=application.applicant_department,
        provider_department=application.provider_department,
        resource=application.resource,
        share_method=decision.granted_method,
        conditions=decision.conditions,
        standard_clauses=decision.standard_clauses,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    grant.items.add(
        *(decision.granted_items.all() if items is None else items)
    )  # a new grant: add, not set (no read of what it has)
    return grant


def grants_in_force(*, resource: DataResource, today: dt.date | None = None) -> QuerySet[Grant]:
    today = today or timezone.localdate()
    return Grant.objects.filter(state=GrantState.ACTIVE, resource=resource, valid_from__lte=today, valid_to__gte=today)


# --- API tokens -------------------------------------------------------------------------------

TOKEN_PREFIX = "gs_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_issue(*, department: Department, name: str, actor=None, ip: str | None = None) -> tuple[ApiToken, str]:
    """A new token for one system. The raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise GrantError(MSG_TOKEN_NEEDS_NAME)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(name=name, department=department, prefix=raw[:10], token_hash=hash_token(raw))
        record_event(
            subject=token,
            action="share_requests.api_token_issued",
            actor=actor,
            comment=f"{department.code} {name}",
            ip=ip,
        )
    return token, raw


def api_token_disable(*, actor, obj: ApiToken, ip: str | None = None) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=obj.pk)
        if token.is_active:
            token.is_active = False
            token.save(update_fields=["is_active"])
            record_event(subject=token, action="share_requests.api_token_disabled", actor=actor, ip=ip)
    return token
