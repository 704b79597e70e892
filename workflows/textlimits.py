"""How long free text may be: one constant per kind of text, and the one check services use.

Each free-text model field takes its kind's limit as `max_length` with `validator(limit)`:

    refusal_text = models.TextField("理由说明", blank=True, max_length=NOTICE_REASON,
                                    validators=[validator(NOTICE_REASON)])

so a ModelForm (and the API, which validates with the forms) refuses more, `full_clean()` refuses more, and
a service that takes the text as an argument calls `too_long(Model, "field", value)` before writing it.
A plain form's field takes the model field's limit (`form_max_length(Model, "field")`).
tests/requests/test_text_limits.py walks every model's text fields and every form's.

The limits are what each text is for. A reason printed in a notice keeps the notice within its two pages
(a 不予共享告知书 with the longest refusal text is two A4 pages); a reason another notice quotes (a catalog
withdrawal in the revocations it causes) is shorter still, so the quote fits the quoting field.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models

# Comments, opinions and reasons that stay on the page and in the audit trail (补正意见, 审核意见, 会签意见,
# 协调意见, 异议理由, 此前申请结果).
COMMENT = 2000
# Reasons a notice prints (不予授权理由说明, 撤销理由, 调整理由): the notice stays two pages, a partial grant's
# 审核意见书 with the longest adjustment reason and conditions too.
NOTICE_REASON = 400
# Reasons that other notices quote (a catalog entry's 撤销原因, a negative-list entry's 原因).
CITED_REASON = 300
# Sharing conditions (a resource's, a decision's, a grant's), printed in the 审核意见书 beside the standard clauses.
CONDITIONS = 300
# A citation of laws and their articles (依据条款), printed in a notice beside its reason.
CITATION = 200
# Explanations of a legal or policy basis (依据说明, 需求的法律法规或政策依据, 数据来源依据).
BASIS = 1000
# Catalog descriptions (资源摘要, 需求描述).
DESCRIPTION = 2000
# What a search box takes.
SEARCH = 100
# A record's title under its red header (three lines of the title type at most): the system composes it from
# names people gave (`composed`), shortening the longest.
TITLE = 60

MSG_TOO_LONG = "{label}不能超过 {limit} 个字（现有 {length} 个字）。"


def validator(limit: int) -> MaxLengthValidator:
    return MaxLengthValidator(limit, message=f"不能超过 {limit} 个字（现有 %(show_value)d 个字）。")


def limit_of(model: type[models.Model] | models.Model, name: str) -> int | None:
    return model._meta.get_field(name).max_length  # type: ignore[union-attr]


def form_max_length(model: type[models.Model], name: str) -> int:
    """The limit a plain form's field takes from the model field it fills."""
    limit = limit_of(model, name)
    assert limit is not None, f"{model._meta.label}.{name} has no limit"
    return limit


def exceeds(value: str | None, limit: int, label: str) -> str | None:
    """The message when `value` (a text no model field holds, such as a countersign comment) is over `limit`."""
    if value is None or len(value) <= limit:
        return None
    return MSG_TOO_LONG.format(label=label, limit=limit, length=len(value))


def too_long(model: type[models.Model] | models.Model, name: str, value: str | None) -> str | None:
    """The message when `value` is longer than `model.name` allows, else None."""
    limit = limit_of(model, name)
    if value is None or limit is None or len(value) <= limit:
        return None
    label = str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    return MSG_TOO_LONG.format(label=label, limit=limit, length=len(value))


def composed(template: str, limit: int, **parts: str) -> str:
    """`template` filled with `parts`, the longest parts shortened (ending in …) until the text fits `limit`.

    For texts the system writes itself from what people typed (an automatic refusal quoting a withdrawal's
    reason and a resource's name): each part is within its own limit, but together they could overflow the
    field, and the record that prints it could grow past its page.
    """
    parts = dict(parts)
    text = template.format(**parts)
    while len(text) > limit:
        longest = max(parts, key=lambda name: len(parts[name]))
        if len(parts[longest]) <= 1:
            return text[: limit - 1] + "…"
        over = len(text) - limit
        keep = max(1, len(parts[longest]) - over - 1)
        parts[longest] = parts[longest][:keep] + "…"
        text = template.format(**parts)
    return text
