"""Project-wide request guards and response headers, configured in project/settings.py.

Each answers for every URL at once, so that a new endpoint is covered without doing anything:
- ChineseFirstLocaleMiddleware: Simplified Chinese pages unless the user chose otherwise;
- RequestBodyLimitMiddleware: a body larger than its path allows gets 413 before it is read;
- NulByteMiddleware: a NUL character in the path, query string, cookies, form or JSON body gets 400
  (PostgreSQL refuses NUL in text, so it would otherwise be an HTTP 500 wherever it reaches a query);
- PermissionsPolicyMiddleware: the Permissions-Policy header (the CSP comes from django-csp).
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation

MSG_NUL_BYTE = "请求中含有空字符（NUL，%00），无法处理：请去掉地址、参数或提交内容中的空字符后重试。"
MSG_BODY_TOO_LARGE = "提交的内容过大（超过 {limit}），无法处理。"

_JSON_NUL_ESCAPE = re.compile(rb"\\u0000", re.IGNORECASE)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user picked another language (the language cookie).

    Django's own middleware follows the browser's Accept-Language, which would
    show English pages to a civil servant whose browser happens to be English.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def error_response(request, status: int, message: str) -> HttpResponse:
    """JSON `{"detail": ...}` for the API (as DRF answers), the Chinese error page otherwise."""
    if is_api_path(request.path_info):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("400.html", {"message": message, "status": status})
    return HttpResponse(body, status=status)


def _human_size(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


class RequestBodyLimitMiddleware:
    """413 for a body over the limit of its path, judged by Content-Length before a byte of it is read.

    settings.REQUEST_BODY_LIMITS maps path prefixes to byte limits (the longest prefix wins); other paths
    have settings.REQUEST_BODY_MAX_BYTES. A body sent without Content-Length is not read by Django at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def limit_for(path: str) -> int:
        limits = sorted(getattr(settings, "REQUEST_BODY_LIMITS", {}).items(), key=lambda item: -len(item[0]))
        for prefix, limit in limits:
            if path.startswith(prefix):
                return limit
        return settings.REQUEST_BODY_MAX_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = self.limit_for(request.path_info)
        if length > limit:
            return error_response(request, 413, MSG_BODY_TOO_LARGE.format(limit=_human_size(limit)))
        return self.get_response(request)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _json_has_nul(body: bytes) -> bool:
    if b"\x00" in body:
        return True
    if not _JSON_NUL_ESCAPE.search(body):
        return False
    try:
        return _has_nul(json.loads(body))
    except ValueError:  # not JSON after all: the view answers its own 400
        return False


def _form_has_nul(request) -> bool:
    for key, values in request.POST.lists():
        if _has_nul(key) or any(_has_nul(value) for value in values):
            return True
    return any(_has_nul(key) or _has_nul(upload.name) for key, upload in request.FILES.items())


class NulByteMiddleware:
    """400 for a NUL character anywhere a view could pass it to the database.

    The path (decoded), the raw and decoded query string, cookies, form fields (and upload file names;
    a file's content is the view's business) and JSON bodies, `\\u0000` escapes included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.has_nul(request):
            return error_response(request, 400, MSG_NUL_BYTE)
        return self.get_response(request)

    @staticmethod
    def has_nul(request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "\x00" in request.path or b"\x00" in unquote_to_bytes(query):
            return True
        if any(_has_nul(key) or _has_nul(value) for key, value in request.COOKIES.items()):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _form_has_nul(request)
        if content_type == "application/json" or content_type.endswith("+json"):
            return _json_has_nul(request.body)
        return False


class PermissionsPolicyMiddleware:
    """Permissions-Policy from settings.PERMISSIONS_POLICY (feature -> allowlist, [] for none)."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response
