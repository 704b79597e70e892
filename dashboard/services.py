"""Writes: drafting, editing and issuing 情况通报, and setting the assessment weights.

Issuing locks the draft, moves it to issued, freezes the period's figures, rankings and charts on it (the
snapshot; later data changes do not reach it), issues the stamped, numbered record (情况通报, its own
number series) with them, audits, and tells every department's leaders and the bureau, all in one
transaction: two clicks at once give one bulletin and one number.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dashboard import bulletins, permissions
from dashboard.messages import (
    MSG_ALREADY_ISSUED,
    MSG_NO_ISSUER,
    MSG_NOT_BUREAU,
    MSG_PERIOD_INVALID,
    MSG_TEXT_REQUIRED,
    MSG_TEXT_TOO_LONG,
    MSG_WEIGHTS_SUM,
)
from dashboard.models import Bulletin, BulletinState, ScoreWeights
from notifications import recipients
from notifications.services import notify
from organizations.models import User
from organizations.roles import Role
from pdf_templates.models import RecordType
from pdf_templates.services import issue_record
from workflows import textlimits
from workflows.audit import record_event

TEXT_FIELDS = ("title", "progress", "problems", "next_steps")


class BulletinError(Exception):
    """A bulletin cannot be drafted, changed or issued as asked; the message says why, in Chinese."""


def _check_bureau(actor) -> None:
    if not permissions.manages_bulletins(actor):
        raise BulletinError(MSG_NOT_BUREAU)


def bulletin_draft(
    *, actor, period_start: dt.date, period_end: dt.date, reader=None, scheduled: bool = False, ip: str | None = None
) -> Bulletin:
    """A draft for the period, its narrative written from the figures. `actor` is None when beat drafts (then
    `reader`, a bureau user, reads the figures)."""
    if actor is not None:
        _check_bureau(actor)
    if period_end < period_start:
        raise BulletinError(MSG_PERIOD_INVALID)
    reader = reader or actor
    data = bulletins.snapshot(reader, period_start, period_end)
    text = bulletins.narrative(data)
    with transaction.atomic():
        bulletin = Bulletin.objects.create(
            title=bulletins.title_for(period_start, period_end),
            period_start=period_start,
            period_end=period_end,
            scheduled=scheduled,
            created_by=actor,
            **text,
        )
        record_event(
            subject=bulletin,
            action="dashboard.bulletin_drafted",
            actor=actor,
            to_state=bulletin.state,
            comment="定时起草" if scheduled else "",
            ip=ip,
            data={"period_start": period_start.isoformat(), "period_end": period_end.isoformat()},
        )
    return bulletin


def _lock(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update().get(pk=bulletin.pk)


def bulletin_update(*, actor, obj: Bulletin, ip: str | None = None, **text: str) -> Bulletin:
    """The bureau edits the title and narrative of a draft."""
    _check_bureau(actor)
    values = {field: (text.get(field) or "").strip() for field in TEXT_FIELDS}
    if not all(values.values()):
        raise BulletinError(MSG_TEXT_REQUIRED)
    for field, value in values.items():
        if textlimits.too_long(Bulletin, field, value):
            model_field = Bulletin._meta.get_field(field)
            raise BulletinError(MSG_TEXT_TOO_LONG.format(field=model_field.verbose_name, limit=model_field.max_length))
    with transaction.atomic():
        bulletin = _lock(obj)
        if bulletin.state != BulletinState.DRAFT:
            raise BulletinError(MSG_ALREADY_ISSUED)
        for field, value in values.items():
            setattr(bulletin, field, value)
        bulletin.save(update_fields=list(TEXT_FIELDS))
        record_event(subject=bulletin, action="dashboard.bulletin_edited", actor=actor, ip=ip)
    return bulletin


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def bulletin_recipients() -> set[User]:
    """Every department's leaders, and the bureau."""
    leaders = User.objects.filter(is_active=True, groups__name=Role.DEPT_LEADER, department__is_active=True)
    return set(leaders) | set(recipients.data_bureau())


def bulletin_issue(*, actor, obj: Bulletin, ip: str | None = None) -> Bulletin:
    _check_bureau(actor)
    if actor.department is None:
        raise BulletinError(MSG_NO_ISSUER)
    with transaction.atomic():
        bulletin = _lock(obj)
        if bulletin.state != BulletinState.DRAFT:
            raise BulletinError(MSG_ALREADY_ISSUED)
        data = bulletins.snapshot(actor, bulletin.period_start, bulletin.period_end)
        bulletin.issue()
        bulletin.snapshot = data
        bulletin.issued_by = actor
        bulletin.issued_at = timezone.now()
        record = issue_record(
            type=RecordType.BULLETIN,
            subject=bulletin,
            issuer=actor.department,
            actor=actor,
            title=bulletin.title,
            addressee="市直各部门",
            data={
                "period": data["period"],
                "progress": _paragraphs(bulletin.progress),
                "problems": _paragraphs(bulletin.problems),
                "next_steps": _paragraphs(bulletin.next_steps),
                "sections": data["sections"],
                "rankings": data["rankings"],
                "scores": data["scores"],
                "charts": [{"title": c["title"], "svg": c["svg"]} for c in data["charts"]],
            },
        )
        bulletin.record = record
        bulletin.save(update_fields=["state", "snapshot", "issued_by", "issued_at", "record"])
        record_event(
            subject=bulletin,
            action="dashboard.bulletin_issued",
            actor=actor,
            from_state=BulletinState.DRAFT,
            to_state=bulletin.state,
            ip=ip,
            data={"record": record.number},
        )
        notify(
            recipients=bulletin_recipients(),
            event="bulletin_issued",
            subject=bulletin,
            context={"number": record.number},
        )
    return bulletin


def weights_set(*, actor, ip: str | None = None, note: str = "", **weights: int) -> ScoreWeights:
    """A new version of the weights; the old ones stay, so a score read under them reads the same."""
    _check_bureau(actor)
    values = {measure: int(weights.get(measure) or 0) for measure in ScoreWeights.MEASURES}
    if sum(values.values()) != 100 or min(values.values()) < 0:
        raise BulletinError(MSG_WEIGHTS_SUM)
    with transaction.atomic():
        last = ScoreWeights.objects.select_for_update().order_by("-version").first()
        created = ScoreWeights.objects.create(
            version=(last.version if last else 0) + 1, created_by=actor, note=note[:200], **values
        )
        record_event(subject=created, action="dashboard.weights_set", actor=actor, ip=ip, data=values)
    return created
