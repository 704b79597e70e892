"""Template tags every app may load (`{% load govshare %}`): how a deadline reads."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def workdays_left(left: int | None) -> str:
    """A deadline's working days left (workflows.workdays.workdays_left) in words, the overdue marked 逾期."""
    if left is None:
        return format_html('<span class="govshare-due govshare-due--none">—</span>')
    if left < 0:
        return format_html('<span class="govshare-due govshare-due--overdue">逾期 {} 个工作日</span>', -left)
    if left == 0:
        return format_html('<span class="govshare-due govshare-due--today">今日到期</span>')
    return format_html('<span class="govshare-due">剩 {} 个工作日</span>', left)
