"""What the API answers on errors: in Chinese, like the rest of govshare."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND = "未找到所请求的对象：请检查地址中的编码或编号。"


def exception_handler(exc, context):
    # get_object_or_404 raises Http404 with an English developer message ("No DataResource matches the
    # given query."); DRF's own 401/403/404 details are already translated.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    return drf_exception_handler(exc, context)
