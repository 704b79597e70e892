"""Template tags every app may load (`{% load govshare %}`): how a deadline reads, how a form looks."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from workflows import forms as form_look
from workflows.workdays import Countdown

register = template.Library()


@register.filter
def countdown(value: Countdown | None) -> str:
    """A deadline's countdown (workflows.workdays.countdown) in words, the overdue marked 逾期."""
    if value is None:
        return format_html('<span class="govshare-due govshare-due--none">{}</span>', "—")
    if value.overdue:
        late = -value.workdays
        words = f"逾期 {late} 个工作日" if late > 0 else "已逾期"
        return format_html('<span class="govshare-due govshare-due--overdue">{}</span>', words)
    if value.workdays == 0:
        return format_html('<span class="govshare-due govshare-due--today">{}</span>', "今日到期")
    return format_html('<span class="govshare-due">剩 {} 个工作日</span>', value.workdays)


@register.simple_tag
def govshare_fields(form) -> str:
    """The form's fields as every form shows them (workflows.forms); its templates use it, pages use {{ form }}."""
    return form_look.render_fields(form)
