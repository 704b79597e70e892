from django import template
from django.urls import reverse

from systems_inventory import permissions

register = template.Library()


@register.simple_tag
def systems_inventory_menu(user) -> list[tuple[str, str, str]]:
    """(title, url, icon) of the self-check pages this user may open; the menu shows only those."""
    if not user.is_authenticated:
        return []
    links = [("信息系统清单", "systems_inventory:index", "dns")]
    if any(user.has_perm(p) for p in (permissions.FILL, permissions.CONFIRM, permissions.REVIEW)):
        links.append(("自查待办", "systems_inventory:tasks", "inbox"))
    links.append(("自查活动", "systems_inventory:campaigns", "fact_check"))
    if permissions.reports_activity(user):
        links.append(("使用情况报送", "systems_inventory:activity", "monitoring"))
    return [(title, reverse(name), icon) for title, name, icon in links]
