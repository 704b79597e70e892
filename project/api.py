"""What the API answers on errors: in Chinese, like the rest of govshare, and saying what to do."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND = "未找到所请求的对象：请检查地址中的编码或编号。"
BAD_REQUEST_BODY = (
    "请求内容无法解析：请发送有效的 JSON（检查括号、引号和逗号是否成对），并在请求头中设置 "
    "Content-Type: application/json。"
)
CSRF_FAILED = (
    "CSRF 校验失败：请在请求头 X-CSRFToken 中带上 Cookie csrftoken 的值（登录后打开任一页面即可取得该 Cookie）。"
)


def exception_handler(exc, context):
    # DRF's own 401/403/404 details are already translated; these few are English developer messages.
    if isinstance(exc, Http404):  # get_object_or_404: "No DataResource matches the given query."
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, exceptions.ParseError):  # "JSON parse error - Expecting value: line 1 column 2"
        exc = exceptions.ParseError(BAD_REQUEST_BODY)
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        exc = exceptions.PermissionDenied(CSRF_FAILED)
    return drf_exception_handler(exc, context)
