from django import template
from django.urls import reverse

from catalog import permissions

register = template.Library()


@register.simple_tag
def catalog_menu(user) -> list[tuple[str, str, str]]:
    """(title, url, icon) of the catalog pages this user may open; the menu shows only those."""
    if not user.is_authenticated:
        return []
    links = [("检索目录", "catalog:index", "search")]
    if permissions.is_catalog_staff(user):
        links.append(("本部门目录", "catalog:mine", "folder_shared"))
    if permissions.can_import(user):
        links.append(("表格导入", "catalog:import", "upload_file"))
    if permissions.reviews_catalog(user):
        links.append(("注册审核", "catalog:review", "fact_check"))
    if permissions.can_see_completeness(user):
        links.append(("编目完整性", "catalog:completeness", "insights"))
    links.append(("需求清单", "catalog:demands", "playlist_add"))
    links.append(("负面清单", "catalog:negative_list", "block"))
    links.append(("权威数源", "catalog:sources", "verified"))
    return [(title, reverse(name), icon) for title, name, icon in links]
