from django import template
from django.urls import reverse

from dashboard import permissions

register = template.Library()


@register.simple_tag
def dashboard_menu(user) -> list[tuple[str, str, str]]:
    """(title, url, icon) of the dashboard pages this user may open."""
    if not user.is_authenticated:
        return []
    links = []
    if permissions.reads_dashboard(user):
        links.append(("数据看板", "dashboard:index", "insights"))
    if permissions.reads_rankings(user):
        links.append(("部门排名与考核", "dashboard:rankings", "leaderboard"))
    links.append(("情况通报", "dashboard:bulletins", "campaign"))
    return [(title, reverse(name), icon) for title, name, icon in links]
