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
from typing import NoReturn

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import authentication, exceptions, renderers
from rest_framework.schemas.openapi import AutoSchema
from rest_framework.views import APIView

from requests.services import grant_check_cache
from requests.services.grant_check import (
    STATS_TTL,
    answer_check,
    check_facts,
    checked_at,
    count_check_call,
    counted,
    note_token_used,
    stats_counter,
    token_by_hash,
)
from requests.services.grant_check_cache import Question, Remembered
from requests.services.grants import hash_token
from workflows.audit import client_ip
from workflows.ratelimit import Batch, count_up

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


_JSON = renderers.JSONRenderer()


def json_response(data: dict, status: int = 200) -> HttpResponse:
    """A JSON answer exactly as DRF's JSONRenderer writes it (compact, UTF-8 characters as they are)."""
    return HttpResponse(_JSON.render(data), status=status, content_type=_JSON.media_type)


def error_response(exc: exceptions.APIException) -> HttpResponse:
    """DRF's answer to the errors the check raises: {"detail": …}, WWW-Authenticate on a 401, Retry-After on a 429."""
    response = json_response({"detail": exc.detail}, status=exc.status_code)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response["WWW-Authenticate"] = "Token"
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


def throttled(wait: int, message: str) -> exceptions.Throttled:
    """429 with Retry-After and our message alone (DRF would append its own sentence about the wait)."""
    exc = exceptions.Throttled(detail=message.format(wait=wait))
    exc.wait = wait
    return exc


class WrongTokens:
    """Wrong tokens per client address, in GRANT_CHECK_BAD_TOKEN_RATE's window: one budget for every API the
    tokens open (the grant check, the gate API), so trying another API does not buy more guesses. Past the
    limit every call from the address is a 429 until the window ends, even with the right token; calls from
    other addresses are not slowed.

    `check` reads the count (or the caller reads `key` in a batch of its own and passes the value to
    `refuse_if_over`); `failed` counts a wrong token and raises.
    """

    def __init__(self, request) -> None:
        # The address as the proxy reports it, reduced to an address's characters: it goes into a cache key.
        address = re.sub(r"[^0-9A-Fa-f:.]", "_", client_ip(request) or "-")[:45]
        self.window = Window("grant_check_bad_token", address, settings.GRANT_CHECK_BAD_TOKEN_RATE)
        self.key = self.window.key

    def refuse_if_over(self, count: int | None) -> None:
        if (count or 0) >= self.window.limit:
            raise throttled(self.window.wait, MSG_BAD_TOKEN_THROTTLED)

    def check(self) -> None:
        """429 while the address is over the limit (one cache read)."""
        self.refuse_if_over(self.window.used())

    def failed(self, refusal: exceptions.APIException) -> NoReturn:
        """Count one wrong (or missing) token and raise `refusal`: a 429 instead once concurrent wrong tokens got
        past the limit."""
        if self.window.count() > self.window.limit:
            raise throttled(self.window.wait, MSG_BAD_TOKEN_THROTTLED)
        raise refusal


def presented_token_hash(request) -> str | None:
    """The hash of the `Authorization: Token <token>` header's token; "" for a malformed one; None without one."""
    header = authentication.get_authorization_header(request).split()
    if not header or header[0].lower() != b"token":
        return None
    if len(header) != 2:
        return ""
    try:
        return hash_token(header[1].decode("ascii"))
    except UnicodeError:
        return ""


class CheckCall:
    """One call of the check: the token, the rate counters and the answer, in as few round trips as it can.

    A call whose token and answer this process remembers (requests.services.grant_check_cache) costs one
    cache round trip and no query: the stamp, the address's wrong-token count, the token's rate count and
    the answer's statistics counter go together in one `Batch`. Anything not remembered, or remembered under
    another stamp, is read from the database and counted in a round trip of its own (a statistic counted
    for a stale answer is taken back).
    """

    def __init__(self, request, token_hash: str, question: Question) -> None:
        self.failures = WrongTokens(request)
        self.token_hash, self.question = token_hash, question
        self.memo = grant_check_cache.memo()
        self.seen, self.token_id, self.remembered = (
            self.memo.lookup(token_hash, question) if self.memo else (None, None, None)
        )
        self.stamp: int | None = None
        self.rate_count: int | None = None

    def _rate(self, token_id: int) -> Window:
        """The token's GRANT_CHECK_RATE window, in the cache every web process shares."""
        return Window("grant_check", str(token_id), settings.GRANT_CHECK_RATE)

    def start(self) -> None:
        """The one round trip every call makes; then the token (401 and 429 as the wrong-token rule says)."""
        batch = Batch()
        stamp_at = batch.get(grant_check_cache.STAMP_KEY) if self.memo else None
        failures_at = batch.get(self.failures.key)
        self.counted_for = self.token_id  # the token whose rate this round trip counts
        window = self._rate(self.token_id) if self.token_id else None
        rate_at = batch.count_up(window.key, window.duration + 5) if window else None
        stats_key = self._stats_key(self.remembered) if self.remembered else None
        stats_at = batch.count_up(stats_key, STATS_TTL) if stats_key else None
        values = batch.run()
        if self.memo is not None and stamp_at is not None:
            self.stamp = grant_check_cache.stamp_or_start(values[stamp_at])
            if self.stamp != self.seen:  # remembered under another stamp: none of it stands
                self.memo.at(self.stamp)
                self.token_id, self.remembered = None, None  # the token's rate was counted (see _authenticate)
                if stats_key:
                    count_up(stats_key, STATS_TTL, by=-1)  # the statistic counted for that answer is taken back
        if stats_key and stats_at is not None and self.remembered:
            counted(stats_key, values[stats_at] or 0)
        self.failures.refuse_if_over(values[failures_at])
        self.rate_count = values[rate_at] if rate_at is not None else None
        if self.token_id is None:
            self._authenticate()

    def _stats_key(self, remembered: Remembered) -> str:
        return stats_counter(
            consumer_id=remembered.consumer_id,
            resource_id=remembered.resource_id,
            outcome=remembered.reason,
            day=self.question[3],
        )

    def _authenticate(self) -> None:
        token = token_by_hash(self.token_hash) if self.token_hash else None
        if token is None or not token.is_active:
            self.failures.failed(exceptions.AuthenticationFailed(MSG_BAD_TOKEN))
        self.token_id = token.pk
        if self.memo is not None and self.stamp is not None:
            self.memo.remember_token(self.stamp, self.token_hash, token.pk)
        if token.pk != self.counted_for:
            self.rate_count = None

    def check_rate(self) -> None:
        """429 once the token has used up GRANT_CHECK_RATE in its window (the window's first call is noted)."""
        assert self.token_id is not None
        rate = self._rate(self.token_id)
        if self.rate_count is None:
            self.rate_count = rate.count()
        if self.rate_count == 1:  # the first call of the window: enough to stamp the token's last use (by beat)
            note_token_used(self.token_id)
        if self.rate_count > rate.limit:
            raise throttled(rate.wait, MSG_THROTTLED)

    def answer(self, items: list[str]) -> HttpResponse:
        """The answer: remembered, or read and counted (and remembered when the stamp allows)."""
        if self.remembered is not None:
            return json_response({**self.remembered.body, "checked_at": checked_at()})
        consumer_code, resource_code, _, today = self.question
        facts = check_facts(consumer_code=consumer_code, resource_code=resource_code, items=items)
        if facts.consumer is None:
            return json_response({"detail": MSG_UNKNOWN_CONSUMER.format(code=consumer_code)}, status=404)
        if facts.resource is None:
            return json_response({"detail": MSG_UNKNOWN_RESOURCE.format(code=resource_code)}, status=404)
        answer = answer_check(facts, items=items, today=today)
        body = answer.as_dict(consumer=facts.consumer, resource=facts.resource, items=items)
        count_check_call(consumer_id=facts.consumer.pk, resource_id=facts.resource.pk, outcome=answer.reason, day=today)
        if self.memo is not None and self.stamp is not None:
            body_without_time = {key: value for key, value in body.items() if key != "checked_at"}
            remembered = Remembered(facts.consumer.pk, facts.resource.pk, answer.reason, body_without_time)
            self.memo.remember(self.stamp, self.question, remembered)
        return json_response(body)


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
                    "scenario": {
                        "type": "object",
                        "nullable": True,
                        "description": "授权来源的应用场景（场景授权主动共享或据场景自动授权）；经一般共享申请授权的为 null",
                        "properties": {
                            "reference": {"type": "string", "description": "场景编号，如 CJ00001"},
                            "name": {"type": "string", "description": "场景名称"},
                        },
                    },
                    "checked_at": {"type": "string", "format": "date-time", "description": "北京时间（+08:00）"},
                },
            }
        }


def parse_items(value: str) -> list[str]:
    """Item names, split on ASCII or full-width commas, blanks dropped, order kept, each once."""
    names = [name.strip() for name in re.split(r"[,，]", value or "")]
    return list(dict.fromkeys(name for name in names if name))


# GET and HEAD are answered on Django's own request and response (`get`): DRF's request wrapper, its
# authentication, permission and throttle hooks, content negotiation and rendering cost more than a remembered
# answer. The answers are DRF's as they were (`json_response`, `error_response`). Other methods (OPTIONS; the 405
# of the rest) go through DRF; the OpenAPI schema comes from this class as before. (No docstring: OPTIONS shows it.)
class GrantCheckView(APIView):
    # The token and the rate are checked by CheckCall, in the same round trip as the rest; a session is ignored.
    authentication_classes: list = []
    permission_classes: list = []
    renderer_classes = [renderers.JSONRenderer]  # JSON only, whatever Accept says
    schema = GrantCheckSchema(tags=["共享授权"], operation_id_base="GrantCheck")

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        try:
            response = self.get(request)
        except exceptions.APIException as exc:
            response = error_response(exc)
        response["Allow"] = ", ".join(self.allowed_methods)
        return response

    def get(self, request) -> HttpResponse:
        token_hash = presented_token_hash(request)
        if token_hash is None:
            raise exceptions.NotAuthenticated(MSG_NO_TOKEN)  # 401 with WWW-Authenticate: Token
        params = request.GET
        items = parse_items(params.get("items", ""))
        consumer, resource = params.get("consumer", "").strip(), params.get("resource", "").strip()
        call = CheckCall(request, token_hash, (consumer, resource, tuple(items), timezone.localdate()))
        call.start()
        call.check_rate()
        missing = {
            name: [MSG_PARAM_REQUIRED.format(name=name)] for name in ("consumer", "resource") if not params.get(name)
        }
        if missing:
            return json_response(missing, status=400)
        return call.answer(items)

    def get_authenticate_header(self, request) -> str:
        return "Token"

    def perform_content_negotiation(self, request, force=False):
        return renderers.JSONRenderer(), renderers.JSONRenderer.media_type  # JSON only, whatever Accept says
