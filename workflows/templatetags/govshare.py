"""Template tags every app may load (`{% load govshare %}`): how a deadline reads, how a form looks."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from workflows import forms as form_look
from workflows import menus
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


class CachedMenusNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        key = menus.key_for(context.get("request"))
        if key is None:
            return self.nodelist.render(context)
        return menus.kept(key, lambda: self.nodelist.render(context))


@register.tag
def cached_menus(parser, token) -> CachedMenusNode:
    """`{% cached_menus %}…{% endcached_menus %}`: the page's side menus, kept per user and page (workflows.menus)."""
    nodelist = parser.parse(("endcached_menus",))
    parser.delete_first_token()
    return CachedMenusNode(nodelist)
