from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

from catalog.api_docs import api_docs_view, api_schema_view
from catalog.views import CatalogApplication
from dashboard.views import DashboardApplication
from notifications.views import NotificationsApplication
from pdf_templates.views import RecordsApplication
from project_approvals.views import ProjectApprovalsApplication
from requests.views import ShareRequestsApplication
from requests.views.grants import GrantsApplication
from requests.views.scenarios import ScenariosApplication
from systems_inventory.views import SystemsInventoryApplication
from workflows.views import HomeApplication

admin.site.site_header = "govshare 政务数据共享 管理后台"
admin.site.site_title = "govshare 管理后台"
admin.site.index_title = "系统管理"

site = Site(
    title="govshare 政务数据共享",
    viewsets=[
        HomeApplication(),
        CatalogApplication(),
        ShareRequestsApplication(),
        GrantsApplication(),
        SystemsInventoryApplication(),
        ProjectApprovalsApplication(),
        ScenariosApplication(),
        DashboardApplication(),
        RecordsApplication(),
        NotificationsApplication(),
    ],
)


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on a page that names no icon (the admin, /verify/); a 404 there is a console
    error on every such page. The icon is the one viewflow's pages name."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("viewflow/img/favicon.png")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The calendar of viewflow's date fields reads its month and day names, and the first day of the week, from
    # here (Django's own translations); cached per language.
    path(
        "jsi18n/",
        cache_page(86400)(JavaScriptCatalog.as_view(packages=["django.contrib.admin"])),
        name="javascript-catalog",
    ),
    path("verify/", include("pdf_templates.urls_public")),
    path("api/schema/", api_schema_view, name="api-schema"),
    path("api/docs/", api_docs_view, name="api-docs"),
    path("api/grants/", include("requests.api_urls")),
    path("api/systems/", include("systems_inventory.api_urls")),
    path("api/gates/", include("project_approvals.api_urls")),
    path("api/", include("catalog.api_urls")),
    path("", site.urls),
]
