"""The grant check API for the exchange platform: GET /api/grants/check.

Authentication is a per-system API token (`Authorization: Token <token>`), issued with
`manage.py issue_api_token` or on the 接口令牌 page; only its SHA-256 is stored.

A token belongs to a department, but it does not narrow the answers: the caller is the
exchange platform (or a gateway) enforcing grants for every consumer, so any valid token
may ask about any consumer department. The department names who operates the calling
system and is accountable for the token; the token itself is what is rate-limited and
can be disabled.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.response import Response
from rest_framework.schemas.openapi import AutoSchema
from rest_framework.views import APIView

from catalog.models import DataResource
from organizations.models import Department
from requests.models import ApiToken
from requests.services.grants import grant_check, hash_token

MSG_NO_TOKEN = "缺少接口令牌：请在请求头中提供 Authorization: Token <令牌>。"
MSG_BAD_TOKEN = "接口令牌无效或已停用。"
MSG_UNKNOWN_CONSUMER = "未找到部门编码为“{code}”的使用部门。"
MSG_UNKNOWN_RESOURCE = "未找到目录编码为“{code}”的数据资源。"
MSG_PARAM_REQUIRED = "必须提供参数 {name}。"

# Stamping last_used_at on every call would turn each check into a write; once a minute tells enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: the permission check answers 401
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(MSG_BAD_TOKEN)
        try:
            raw = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(MSG_BAD_TOKEN) from None
        token = ApiToken.objects.select_related("department").filter(token_hash=hash_token(raw)).first()
        if token is None or not token.is_active:
            raise exceptions.AuthenticationFailed(MSG_BAD_TOKEN)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return AnonymousUser(), token

    def authenticate_header(self, request) -> str:
        return self.keyword


class HasApiToken(permissions.BasePermission):
    message = MSG_NO_TOKEN

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            raise exceptions.NotAuthenticated(MSG_NO_TOKEN)  # 401 with WWW-Authenticate: Token
        return True


class ApiTokenRateThrottle(throttling.SimpleRateThrottle):
    """Per token, in Django's cache (Redis in production, so all web processes share the count)."""

    scope = "grant_check"

    def get_rate(self) -> str:
        return settings.GRANT_CHECK_RATE

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class GrantCheckSchema(AutoSchema):
    def get_operation(self, path, method):
        operation = super().get_operation(path, method)
        operation["summary"] = "共享授权核验"
        operation["description"] = (
            "交换平台在放行数据调用前询问：使用部门现在能否使用该资源的这些信息项。"
            "allowed 为 true 时才可放行；items_not_covered 列出未获授权的信息项。"
            "认证：请求头 Authorization: Token <接口令牌>。"
        )
        operation["parameters"] = [
            {
                "name": "consumer",
                "in": "query",
                "required": True,
                "schema": {"type": "string"},
                "description": "使用部门编码",
            },
            {
                "name": "resource",
                "in": "query",
                "required": True,
                "schema": {"type": "string"},
                "description": "目录编码",
            },
            {
                "name": "items",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "信息项名称，逗号分隔；省略时只核验是否有有效授权",
            },
        ]
        operation["responses"] = {
            "200": {
                "description": "核验结果",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GrantCheck"}}},
            },
            "400": {"description": "缺少参数"},
            "401": {"description": "缺少或无效的接口令牌"},
            "404": {"description": "未知的部门或资源编码"},
            "429": {"description": "超过调用频率限制"},
        }
        return operation

    def get_components(self, path, method):
        nullable_string = {"type": "string", "nullable": True}
        return {
            "GrantCheck": {
                "type": "object",
                "properties": {
                    "allowed": {"type": "boolean"},
                    "reason": {
                        "type": "string",
                        "enum": [
                            "granted",
                            "items_not_covered",
                            "not_yet_valid",
                            "expired",
                            "revoked",
                            "no_grant",
                            "resource_withdrawn",
                            "negative_list",
                        ],
                    },
                    "consumer": {"type": "string"},
                    "resource": {"type": "string"},
                    "items": {"type": "array", "items": {"type": "string"}},
                    "items_not_covered": {"type": "array", "items": {"type": "string"}},
                    "unknown_items": {"type": "array", "items": {"type": "string"}},
                    "grant_number": nullable_string,
                    "grant_state": nullable_string,
                    "share_method": nullable_string,
                    "valid_from": {**nullable_string, "format": "date"},
                    "valid_until": {**nullable_string, "format": "date"},
                    "checked_at": {"type": "string", "format": "date-time"},
                },
            }
        }


def parse_items(value: str) -> list[str]:
    """Item names, split on ASCII or full-width commas, blanks dropped, order kept, each once."""
    names = [name.strip() for name in re.split(r"[,，]", value or "")]
    return list(dict.fromkeys(name for name in names if name))


class GrantCheckView(APIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasApiToken]
    throttle_classes = [ApiTokenRateThrottle]
    schema = GrantCheckSchema(tags=["共享授权"], operation_id_base="GrantCheck")

    def get(self, request):
        params = request.query_params
        missing = {
            name: [MSG_PARAM_REQUIRED.format(name=name)] for name in ("consumer", "resource") if not params.get(name)
        }
        if missing:
            return Response(missing, status=400)
        consumer = Department.objects.filter(code=params["consumer"].strip()).first()
        if consumer is None:
            return Response({"detail": MSG_UNKNOWN_CONSUMER.format(code=params["consumer"])}, status=404)
        resource = DataResource.objects.filter(code=params["resource"].strip()).first()
        if resource is None:
            return Response({"detail": MSG_UNKNOWN_RESOURCE.format(code=params["resource"])}, status=404)
        items = parse_items(params.get("items", ""))
        answer = grant_check(consumer=consumer, resource=resource, items=items)
        return Response(answer.as_dict(consumer=consumer, resource=resource, items=items))
