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

import re
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, renderers, throttling
from rest_framework.response import Response
from rest_framework.schemas.openapi import AutoSchema
from rest_framework.views import APIView

from requests.models import ApiToken
from requests.services.grant_check import (
    answer_check,
    check_facts,
    count_check_call,
    note_token_used,
    token_by_hash,
)
from requests.services.grants import hash_token
from workflows.audit import client_ip
from workflows.ratelimit import count_up

MSG_NO_TOKEN = "缺少接口令牌：请在请求头中提供 Authorization: Token <令牌>。"
MSG_BAD_TOKEN = "接口令牌无效或已停用。"
MSG_BAD_TOKEN_THROTTLED = "接口令牌错误次数过多，请 {wait} 秒后再试。"
MSG_THROTTLED = "调用过于频繁，超过该接口令牌的频率限制，请 {wait} 秒后再试。"
MSG_UNKNOWN_CONSUMER = "未找到部门编码为“{code}”的使用部门。"
MSG_UNKNOWN_RESOURCE = "未找到目录编码为“{code}”的数据资源。"
MSG_PARAM_REQUIRED = "必须提供参数 {name}。"

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Window:
    """A fixed-window counter in Django's cache: `count` is atomic (Redis INCR; locmem's lock).

    Reading a count and writing it back (DRF's SimpleRateThrottle keeps a list of timestamps
    that way) lets concurrent calls through past the limit; an atomic increment cannot.
    """

    def __init__(self, scope: str, ident: str, rate: str, now: float | None = None) -> None:
        number, period = rate.split("/")
        self.limit, self.duration = int(number), _PERIODS[period[0]]
        now = time.time() if now is None else now
        window = int(now // self.duration)
        self.key = f"throttle_{scope}_{ident}_{window}"
        self.wait = max(1, int((window + 1) * self.duration - now + 0.999))

    def count(self) -> int:
        return count_up(self.key, self.duration + 5)

    def used(self) -> int:
        return cache.get(self.key) or 0


def throttled(wait: int, message: str) -> exceptions.Throttled:
    """429 with Retry-After and our message alone (DRF would append its own sentence about the wait)."""
    exc = exceptions.Throttled(detail=message.format(wait=wait))
    exc.wait = wait
    return exc


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A token in the header; wrong or disabled ones are counted per client address, and the address
    is refused (429) once it has used up GRANT_CHECK_BAD_TOKEN_RATE, whatever token it sends next.

    last_used_at is stamped by beat from the cache (requests.services.grant_check), not per call.
    """

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: the permission check answers 401
        # The address as the proxy reports it (workflows.audit.client_ip), reduced to an address's characters:
        # it goes into a cache key.
        address = re.sub(r"[^0-9A-Fa-f:.]", "_", client_ip(request) or "-")[:45]
        failures = Window("grant_check_bad_token", address, settings.GRANT_CHECK_BAD_TOKEN_RATE)
        if failures.used() >= failures.limit:
            raise throttled(failures.wait, MSG_BAD_TOKEN_THROTTLED)
        token = self._token(header)
        if token is None or not token.is_active:
            if failures.count() > failures.limit:  # concurrent failures got past the read above
                raise throttled(failures.wait, MSG_BAD_TOKEN_THROTTLED)
            raise exceptions.AuthenticationFailed(MSG_BAD_TOKEN)
        return AnonymousUser(), token

    def _token(self, header: list[bytes]) -> ApiToken | None:
        if len(header) != 2:
            return None
        try:
            raw = header[1].decode("ascii")
        except UnicodeError:
            return None
        return token_by_hash(hash_token(raw))

    def authenticate_header(self, request) -> str:
        return self.keyword


class HasApiToken(permissions.BasePermission):
    message = MSG_NO_TOKEN

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            raise exceptions.NotAuthenticated(MSG_NO_TOKEN)  # 401 with WWW-Authenticate: Token
        return True


class ApiTokenRateThrottle(throttling.BaseThrottle):
    """GRANT_CHECK_RATE per token, in Django's cache (Redis in production, so all web processes share the count)."""

    scope = "grant_check"

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        window = Window(self.scope, str(request.auth.pk), settings.GRANT_CHECK_RATE)
        self.window = window
        count = window.count()
        if count == 1:  # the first call of the window: enough to stamp the token's last use (by beat)
            note_token_used(request.auth.pk)
        return count <= window.limit

    def wait(self) -> float:
        return self.window.wait


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
                    "checked_at": {"type": "string", "format": "date-time", "description": "北京时间（+08:00）"},
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
    renderer_classes = [renderers.JSONRenderer]  # JSON only (and no content negotiation in the hot path)
    schema = GrantCheckSchema(tags=["共享授权"], operation_id_base="GrantCheck")

    def get(self, request):
        params = request.query_params
        missing = {
            name: [MSG_PARAM_REQUIRED.format(name=name)] for name in ("consumer", "resource") if not params.get(name)
        }
        if missing:
            return Response(missing, status=400)
        items = parse_items(params.get("items", ""))
        facts = check_facts(
            consumer_code=params["consumer"].strip(), resource_code=params["resource"].strip(), items=items
        )
        if facts.consumer is None:
            return Response({"detail": MSG_UNKNOWN_CONSUMER.format(code=params["consumer"])}, status=404)
        if facts.resource is None:
            return Response({"detail": MSG_UNKNOWN_RESOURCE.format(code=params["resource"])}, status=404)
        answer = answer_check(facts, items=items)
        count_check_call(
            consumer_id=facts.consumer.pk,
            resource_id=facts.resource.pk,
            outcome=answer.reason,
            day=timezone.localdate(),
        )
        return Response(answer.as_dict(consumer=facts.consumer, resource=facts.resource, items=items))

    def perform_content_negotiation(self, request, force=False):
        return renderers.JSONRenderer(), renderers.JSONRenderer.media_type  # JSON only, whatever Accept says

    def throttled(self, request, wait):
        raise throttled(int(wait or 1), MSG_THROTTLED)
