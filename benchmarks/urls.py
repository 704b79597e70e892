"""Benchmark-only URLs (benchmarks.serve_settings): the project's, plus the trivial JSON view B10 compares with.

Never in production's URL conf.
"""

from django.http import JsonResponse
from django.urls import include, path


def trivial(request):
    """The floor of our stack: the middleware, the URL resolver, a JSON body; no database."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/trivial.json", trivial), path("", include("project.urls"))]
