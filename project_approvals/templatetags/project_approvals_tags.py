from django import template
from django.urls import reverse

from project_approvals import permissions

register = template.Library()


@register.simple_tag
def project_approvals_menu(user) -> list[tuple[str, str, str]]:
    """(title, url, icon) of the project pages this user may open; the menu shows only those."""
    if not user.is_authenticated:
        return []
    links = [("建设项目", "project_approvals:index", "account_balance")]
    if any(
        user.has_perm(p)
        for p in (permissions.EDIT, permissions.CONFIRM, permissions.REVIEW, permissions.APPROVE, permissions.FUND)
    ):
        links.append(("项目待办", "project_approvals:tasks", "inbox"))
    if permissions.may_review(user):
        links.append(("待初审", "project_approvals:review_queue", "rule"))
    if permissions.may_approve(user):
        links.append(("立项与验收", "project_approvals:approval_queue", "gavel"))
    if permissions.sees_funding_queue(user):
        links.append(("资金闸口", "project_approvals:funding_queue", "savings"))
    return [(title, reverse(name), icon) for title, name, icon in links]
