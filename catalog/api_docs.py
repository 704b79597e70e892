"""/api/schema/ (OpenAPI 3, JSON) and /api/docs/ (Swagger UI served from our own static files, so it works offline).

drf-spectacular is not used: it imports DRF's test module, which fails because our `requests`
app shadows the HTTP library. DRF's own generator needs nothing more than uritemplate.
"""

from django.shortcuts import render
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONOpenAPIRenderer
from rest_framework.schemas import get_schema_view

api_schema_view = get_schema_view(
    title="govshare API",
    description="政务数据共享平台接口。政务数据资源目录：只读，只列出已注册、已挂载的资源。",
    version="1.0.0",
    public=True,
    permission_classes=[AllowAny],
    renderer_classes=[JSONOpenAPIRenderer],
)


def api_docs_view(request):
    return render(request, "api/swagger_ui.html")
