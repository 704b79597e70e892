"""Checks of what an applicant or a decider typed, made before anything is written."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from catalog.choices import ShareClass, ShareMethod
from catalog.models import DataItem, DataResource, LegalBasis
from catalog.selectors import negative_list_hits
from requests import rules
from requests.messages import (
    MSG_ADJUSTMENT_REASON_REQUIRED,
    MSG_ATTACHMENT_BAD_TYPE,
    MSG_ATTACHMENT_TOO_LARGE,
    MSG_CITATION_INCOMPLETE,
    MSG_FIELD_REQUIRED,
    MSG_GRANT_ITEMS_OUTSIDE,
    MSG_GRANT_ITEMS_RETIRED,
    MSG_GRANT_PERIOD_INVALID,
    MSG_GRANT_PERIOD_OUTSIDE,
    MSG_ITEMS_NOT_IN_RESOURCE,
    MSG_ITEMS_REQUIRED,
    MSG_LEGAL_BASIS_REQUIRED,
    MSG_LEGAL_BASIS_REQUIRED_BY_REASON,
    MSG_METHOD_BROADER,
    MSG_METHOD_NOT_OFFERED,
    MSG_NEGATIVE_LISTED,
    MSG_NOT_SHARED_NOT_GRANTABLE,
    MSG_PERIOD_INVALID,
    MSG_PERIOD_TOO_LONG,
    MSG_PURPOSES_REQUIRED,
    MSG_REFUSAL_REASON_REQUIRED,
    MSG_REFUSAL_REASON_RESERVED,
    MSG_REFUSAL_TEXT_REQUIRED,
    MSG_UNCONDITIONAL_AS_REQUESTED,
    MSG_UNCONDITIONAL_NO_CONDITIONS,
)
from requests.models import (
    Decision,
    DecisionOutcome,
    RefusalReason,
    ScenarioPart,
    ShareApplication,
    StandardClause,
)
from requests.services.errors import ApplicationError
from workflows import textlimits

PDF_MAGIC, PNG_MAGIC, JPEG_MAGIC = b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"


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


def check_text(model, name: str, value: str | None, *, field: str = "") -> None:
    """Refuse a text longer than `model.name` holds (workflows.textlimits), as an error on the form's `field`."""
    if message := textlimits.too_long(model, name, value):
        raise ApplicationError(message, field=field or name)


def check_comment(value: str | None, *, label: str = "意见", field: str = "comment") -> None:
    """Refuse a comment (one that only the audit trail keeps) longer than textlimits.COMMENT."""
    if message := textlimits.exceeds(value, textlimits.COMMENT, label):
        raise ApplicationError(message, field=field)


APPLICATION_TEXTS = ("scenario", "business_matter", "call_volume", "need_legal_basis", "earlier_outcome")


def validate_attachment(upload: UploadedFile) -> str:
    """Size from the setting, type from the content (a renamed .exe is not a PDF). Returns the content type."""
    limit = settings.SHARE_ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ApplicationError(
            MSG_ATTACHMENT_TOO_LARGE.format(name=upload.name, limit=_human_size(limit)), field="attachments"
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise ApplicationError(MSG_ATTACHMENT_BAD_TYPE.format(name=upload.name), field="attachments")
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
            errors.setdefault(name, []).append(MSG_FIELD_REQUIRED)
    if not items:
        errors.setdefault("items", []).append(MSG_ITEMS_REQUIRED)
    foreign = [item.name for item in items if item.resource_id != resource.pk or item.retired_at]
    if foreign:
        errors.setdefault("items", []).append(MSG_ITEMS_NOT_IN_RESOURCE.format(names="、".join(foreign)))
    method = data.get("share_method")
    # A not-shared resource lists no method; the applicant still names the one they need.
    offered = resource.share_methods or list(ShareMethod.values)
    if method and method not in offered:
        errors.setdefault("share_method", []).append(
            MSG_METHOD_NOT_OFFERED.format(methods="、".join(resource.share_method_labels()))
        )
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        errors.setdefault("period_end", []).append(MSG_PERIOD_INVALID)
    elif start and end and end > years_after(start, settings.SHARE_MAX_PERIOD_YEARS):
        errors.setdefault("period_end", []).append(MSG_PERIOD_TOO_LONG.format(years=settings.SHARE_MAX_PERIOD_YEARS))
    purposes = data.get("purposes") or []
    from catalog.choices import Purpose

    if not purposes or set(purposes) - set(Purpose.values):
        errors.setdefault("purposes", []).append(MSG_PURPOSES_REQUIRED)
    for name in APPLICATION_TEXTS:
        if message := textlimits.too_long(ShareApplication, name, data.get(name)):
            errors.setdefault(name, []).append(message)
    if errors:
        raise ApplicationError.from_errors(errors)


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


def validate_grant_terms(
    application: ShareApplication | ScenarioPart,
    terms: GrantTerms,
    requested_items: Sequence[DataItem] | None = None,
    *,
    decided_as: str = Decision.DecidedAs.PROVIDER,
) -> str:
    """The outcome the terms amount to (granted or partially granted), or field errors.

    Not-shared data is granted by nobody; unconditional data by its provider only in full
    (共享为原则: the provider's recourse is a class dispute, which the 政数局 decides).
    """
    if application.resource.share_class == ShareClass.NONE:
        raise ApplicationError(MSG_NOT_SHARED_NOT_GRANTABLE)
    if requested_items is None:
        requested = set(application.items.values_list("pk", flat=True))
    else:
        requested = {item.pk for item in requested_items}
    granted = {item.pk for item in terms.items}
    errors = {
        field: [message]
        for field, message in (
            ("items", _items_error(application, terms, granted, requested)),
            ("share_method", _method_error(application, terms)),
            ("period_end", _period_error(application, terms)),
            (
                "standard_clauses",
                "未知的标准条款。" if set(terms.standard_clauses) - set(StandardClause.values) else "",
            ),
            ("conditions", textlimits.too_long(Decision, "conditions", terms.conditions) or ""),
            ("adjustment_reason", textlimits.too_long(Decision, "adjustment_reason", terms.adjustment_reason) or ""),
        )
        if message
    }
    if errors:
        raise ApplicationError.from_errors(errors)
    full = (
        granted == requested
        and terms.share_method == application.share_method
        and (terms.period_start, terms.period_end) == (application.period_start, application.period_end)
    )
    if rules.grants_only_as_requested(application, decided_as):
        if not full:
            raise ApplicationError(MSG_UNCONDITIONAL_AS_REQUESTED)
        if terms.conditions.strip():
            raise ApplicationError(MSG_UNCONDITIONAL_NO_CONDITIONS, field="conditions")
    if not full and not terms.adjustment_reason.strip():
        raise ApplicationError(MSG_ADJUSTMENT_REASON_REQUIRED, field="adjustment_reason")
    return DecisionOutcome.GRANTED if full else DecisionOutcome.PARTIALLY_GRANTED


def _items_error(
    application: ShareApplication | ScenarioPart, terms: GrantTerms, granted: set[int], requested: set[int]
) -> str:
    if not granted:
        return MSG_ITEMS_REQUIRED
    if granted - requested:
        return MSG_GRANT_ITEMS_OUTSIDE
    if retired := [item.name for item in terms.items if item.retired_at]:
        return MSG_GRANT_ITEMS_RETIRED.format(names="、".join(retired))
    return negative_listed(application, terms.items, MSG_NEGATIVE_LISTED)


def _method_error(application: ShareApplication | ScenarioPart, terms: GrantTerms) -> str:
    if terms.share_method not in rules.offered_methods(application):
        return MSG_METHOD_NOT_OFFERED.format(methods="、".join(application.resource.share_method_labels()))
    if rules.is_broader(terms.share_method, application.share_method):
        return MSG_METHOD_BROADER.format(requested=application.get_share_method_display())
    return ""


def _period_error(application: ShareApplication | ScenarioPart, terms: GrantTerms) -> str:
    if terms.period_end < terms.period_start:
        return MSG_GRANT_PERIOD_INVALID
    if terms.period_start < application.period_start or terms.period_end > application.period_end:
        return MSG_GRANT_PERIOD_OUTSIDE.format(start=application.period_start, end=application.period_end)
    return ""


def negative_listed(application: ShareApplication | ScenarioPart, items: Sequence[DataItem], message: str) -> str:
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


# A typed citation names a law, regulation or policy and its article: 《…》…第…条.
CITATION = re.compile(r"《[^》]+》.*第[一二三四五六七八九十百零〇\d]+条")


def legal_basis_required(application: ShareApplication | ScenarioPart, reason: RefusalReason | None) -> bool:
    """Not-shared data and "prohibited by law" need a statute and article."""
    return (
        application.resource.share_class == ShareClass.NONE
        or application.is_on_negative_list()
        or bool(reason and reason.requires_legal_basis)
    )


def validate_refusal(
    subject: ShareApplication | ScenarioPart,
    *,
    reason: RefusalReason | None,
    text: str,
    legal_basis: LegalBasis | None,
    citation: str,
) -> None:
    """A reasoned refusal (不予授权，说明理由) of an application or of a scenario's part, or field errors.

    A reason code and its text; a statute and article when the data is not shared, on the negative list, or
    the reason says "prohibited by law" (legal_basis_required).
    """
    errors: dict[str, list[str]] = {}
    if reason is None:
        errors["reason"] = [MSG_REFUSAL_REASON_REQUIRED]
    elif reason.code in RefusalReason.SYSTEM_ONLY or not reason.is_active:
        errors["reason"] = [MSG_REFUSAL_REASON_RESERVED]
    if not text.strip():
        errors["text"] = [MSG_REFUSAL_TEXT_REQUIRED]
    for form_field, name, value in (
        ("text", "refusal_text", text.strip()),
        ("citation", "legal_basis_citation", citation),
    ):
        if message := textlimits.too_long(Decision, name, value):
            errors[form_field] = [message]
    if legal_basis_required(subject, reason) and not (citation.strip() or legal_basis):
        data_not_shared = subject.resource.share_class == ShareClass.NONE or subject.is_on_negative_list()
        errors["citation"] = [
            MSG_LEGAL_BASIS_REQUIRED
            if data_not_shared
            else MSG_LEGAL_BASIS_REQUIRED_BY_REASON.format(reason=reason.label if reason else "")
        ]
    elif citation.strip() and not CITATION.search(citation):
        errors["citation"] = [MSG_CITATION_INCOMPLETE]
    if errors:
        raise ApplicationError.from_errors(errors)


def refusal_citation(legal_basis: LegalBasis | None, citation: str) -> str:
    """The citation a refusal records: as typed, or the chosen basis's title and article."""
    if legal_basis and not citation.strip():
        return textlimits.composed(
            "{title}{article}", textlimits.CITATION, title=legal_basis.title, article=legal_basis.article
        )
    return citation.strip()
