"""Filters for the record templates: lists written into one paragraph, as official documents do."""

from __future__ import annotations

from django import template

register = template.Library()

DIGITS = "零一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (up to 99)."""
    tens, ones = divmod(number, 10)
    if tens == 0:
        return DIGITS[ones]
    return f"{DIGITS[tens] if tens > 1 else ''}十{DIGITS[ones] if ones else ''}"


@register.filter
def inline_list(items) -> str:
    """["甲。", "乙"] → "（一）甲；（二）乙。": each item's own closing punctuation gives way to the list's."""
    parts = [str(item).strip().rstrip("。；;，,.") for item in items or []]
    parts = [part for part in parts if part]
    if not parts:
        return ""
    return "；".join(f"（{chinese_ordinal(i)}）{part}" for i, part in enumerate(parts, 1)) + "。"
