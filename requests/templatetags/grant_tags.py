from django import template
from django.urls import reverse

from requests.selectors import grant_scopes, manages_api_tokens

register = template.Library()


@register.simple_tag
def grants_menu(user) -> list[tuple[str, str, str]]:
    """(title, url, icon) of the grant pages this user may open; the menu shows only those."""
    if not user.is_authenticated:
        return []
    index = reverse("grants:index")
    labels = {
        "held": ("本部门获得的授权", "login"),
        "given": ("本部门给出的授权", "logout"),
        "all": ("全部授权", "list"),
    }
    links = [(labels[scope][0], f"{index}?scope={scope}", labels[scope][1]) for scope in grant_scopes(user)]
    if manages_api_tokens(user):
        links.append(("接口令牌", reverse("grants:tokens"), "key"))
    return links
