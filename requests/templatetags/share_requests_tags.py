from django import template
from django.urls import reverse

from requests import permissions, selectors

register = template.Library()


@register.simple_tag
def share_requests_menu(user) -> list[tuple[str, str, str]]:
    """(title, url, icon) of the 共享申请 pages this user may open; the menu shows only those."""
    if not user.is_authenticated:
        return []
    links = []
    if user.department_id:
        links.append(("我的申请", "share_requests:index", "description"))
    if any(
        user.has_perm(f"share_requests.{p}")
        for p in ("can_review_application", "can_countersign_application", "can_arbitrate_application")
    ):
        links.append(("待办审核", "share_requests:tasks", "inbox"))
    if permissions.reads_overdue(user):
        links.append(("逾期协调", "share_requests:overdue", "alarm"))
    if permissions.sees_all(user):
        links.append(("全部申请", "share_requests:all", "list"))
    return [(title, reverse(name), icon) for title, name, icon in links]


@register.simple_tag
def scenarios_menu(user) -> list[tuple[str, str, str]]:
    """(title, url, icon) of the 应用场景 pages this user may open."""
    if not user.is_authenticated:
        return []
    index = reverse("scenarios:index")
    labels = {"published": "list_alt", "mine": "apartment", "open": "pending_actions", "all": "list"}
    links = [
        (selectors.scenarios.SCOPES[scope], f"{index}?scope={scope}", labels[scope])
        for scope in selectors.scenario_scopes(user)
    ]
    if user.has_perm("share_requests.can_confirm_scenario_part") or permissions.can_authorize_scenario(user):
        links.append(("场景待办", reverse("scenarios:tasks"), "inbox"))
    if permissions.can_propose_scenario(user):
        links.append(("提出应用场景", reverse("scenarios:propose"), "add"))
    return links
