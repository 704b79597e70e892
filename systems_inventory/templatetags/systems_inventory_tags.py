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
    tasks = (permissions.FILL, permissions.CONFIRM, permissions.REVIEW, permissions.ANSWER_SHUTDOWN)
    if any(user.has_perm(p) for p in (*tasks, permissions.DECIDE_SHUTDOWN)):
        links.append(("自查待办", "systems_inventory:tasks", "inbox"))
    links.append(("自查活动", "systems_inventory:campaigns", "fact_check"))
    if permissions.reports_activity(user):
        links.append(("使用情况报送", "systems_inventory:activity", "monitoring"))
    if permissions.sees_all(user) or permissions.reports_activity(user):
        links.append(("僵尸系统研判", "systems_inventory:candidates", "power_settings_new"))
    return [(title, reverse(name), icon) for title, name, icon in links]


@register.filter
def evidence_rows(evidence) -> list[tuple[str, str]]:
    """A finding's evidence as (label, value) in words: 无 for nothing, 是/否, lists joined; peers are in its text."""
    from systems_inventory.zombie_rules.rules import EVIDENCE_LABELS

    rows = []
    for key, value in (evidence or {}).items():
        if key == "peers":
            continue
        if value is None or value == "":
            value = "无"
        elif isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, list):
            value = "、".join(map(str, value))
        rows.append((EVIDENCE_LABELS.get(key, key), value))
    return rows


@register.simple_tag
def shutdown_label(state: str) -> str:
    """A shutdown case's state in words (the register's column)."""
    from systems_inventory.models import CaseState

    return CaseState(state).label if state in CaseState.values else state
