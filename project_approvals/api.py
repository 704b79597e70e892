"""The gate API for the budget system: is a project's (or a system's annual O&M) funding gate passed now?

    GET /api/gates/projects/<code>               (code: XM000012)
    GET /api/gates/systems/<code>/om?year=YYYY   (code: XT000034)

Authentication is an API token (`Authorization: Token <token>`), the same tokens as the grant check's
(requests.api: issued with `manage.py issue_api_token` or on the 接口令牌 page; only their SHA-256 is stored).
The answer is evaluated live and not kept: passed or not, every rule with its result and evidence, and the
evaluation's SHA-256 and time (Beijing time, +08:00), which the budget system may keep as its proof. Read-only:
no API records money (finance does, on its pages, past the gate).
"""

from __future__ import annotations

import re

from rest_framework import authentication, exceptions, renderers
from rest_framework.response import Response
from rest_framework.schemas.openapi import AutoSchema
from rest_framework.views import APIView

from project_approvals import gate
from project_approvals.models import ConstructionProject
from project_approvals.services.funding import om_years
from requests.api import MSG_BAD_TOKEN, MSG_NO_TOKEN, WrongTokens, presented_token_hash
from requests.services.grant_check import note_token_used, token_by_hash
from systems_inventory.models import InfoSystem

MSG_UNKNOWN_PROJECT = "未找到编号为“{code}”的建设项目。"
MSG_UNKNOWN_SYSTEM = "未找到编号为“{code}”的信息系统。"
MSG_YEAR = "参数 year 须为 {low} 至 {high} 之间的年份，例如 year={low}。"
PROJECT_CODE = re.compile(r"^XM(\d{6,})$")
SYSTEM_CODE = re.compile(r"^XT(\d{6,})$")


class TokenAuthentication(authentication.BaseAuthentication):
    """The grant check's API tokens: 401 without one or with one unknown or disabled. Each such call counts
    against its address's wrong-token budget, shared with the grant check (requests.api.WrongTokens): past it,
    429 with Retry-After for every call from that address until the window ends."""

    def authenticate(self, request):
        wrong = WrongTokens(request)
        wrong.check()
        token_hash = presented_token_hash(request)
        if token_hash is None:
            wrong.failed(exceptions.NotAuthenticated(MSG_NO_TOKEN))
        token = token_by_hash(token_hash) if token_hash else None
        if token is None or not token.is_active:
            wrong.failed(exceptions.AuthenticationFailed(MSG_BAD_TOKEN))
        note_token_used(token.pk)
        return (None, token)

    def authenticate_header(self, request) -> str:
        return "Token"


def answer(evaluation: gate.Evaluation) -> dict:
    body = evaluation.payload()
    body["sha256"] = evaluation.sha256
    return body


def _pk(pattern: re.Pattern, code: str) -> int | None:
    match = pattern.match(code.strip().upper())
    return int(match.group(1)) if match else None


class GateSchema(AutoSchema):
    def __init__(self, *, summary: str, description: str, parameters: list, **kwargs):
        super().__init__(**kwargs)
        self.summary, self.description_text, self.extra_parameters = summary, description, parameters

    def get_operation(self, path, method):
        operation = super().get_operation(path, method)
        operation["summary"] = self.summary
        operation["description"] = self.description_text + "认证：请求头 Authorization: Token <接口令牌>。"
        operation["parameters"] = [*operation.get("parameters", []), *self.extra_parameters]
        operation["responses"] = {
            "200": {
                "description": "核验结果（实时计算，不保存）",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GateEvaluation"}}},
            },
            "400": {"description": "参数无效"},
            "401": {"description": "缺少或无效的接口令牌"},
            "404": {"description": "未知的项目或系统编号"},
            "429": {"description": "同一地址的错误令牌过多，请按 Retry-After 稍后再试"},
        }
        return operation

    def get_components(self, path, method):
        text, flag = {"type": "string"}, {"type": "boolean"}
        rule = {
            "type": "object",
            "properties": {
                "code": text,
                "version": {"type": "integer"},
                "name": text,
                "clause": text,
                "blocking": flag,
                "result": {"type": "string", "enum": ["passed", "failed", "warning"]},
                "passed": flag,
                "message": text,
                "evidence": {"type": "object"},
            },
        }
        return {
            "GateEvaluation": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["project", "system_om"]},
                    "subject": {"type": "object"},
                    "year": {"type": "integer", "nullable": True},
                    "ruleset_version": text,
                    "evaluated_at": {"type": "string", "format": "date-time"},
                    "passed": flag,
                    "rules": {"type": "array", "items": rule},
                    "sha256": text,
                },
            }
        }


class GateView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes: list = []
    renderer_classes = [renderers.JSONRenderer]


class ProjectGateView(GateView):
    schema = GateSchema(
        summary="建设项目资金闸口核验",
        description="预算系统在批复预算前询问：该建设项目的资金闸口现在是否通过，逐条规则给出结果、证据和应整改的事项。",
        parameters=[],
        tags=["资金闸口"],
        operation_id_base="ProjectGate",
    )

    def get(self, request, code: str):
        pk = _pk(PROJECT_CODE, code)
        project = ConstructionProject.objects.select_related("department").filter(pk=pk).first() if pk else None
        if project is None:
            return Response({"detail": MSG_UNKNOWN_PROJECT.format(code=code)}, status=404)
        return Response(answer(gate.evaluate_project(project)))


class SystemOmGateView(GateView):
    schema = GateSchema(
        summary="信息系统年度运维经费闸口核验",
        description="预算系统在安排运维经费前询问：该信息系统该年度的运维经费闸口现在是否通过。",
        parameters=[
            {
                "name": "year",
                "in": "query",
                "required": True,
                "schema": {"type": "integer"},
                "description": "经费年度",
            }
        ],
        tags=["资金闸口"],
        operation_id_base="SystemOmGate",
    )

    def get(self, request, code: str):
        low, high = om_years()
        year_text = request.query_params.get("year", "")
        if not year_text.isdigit() or not low <= int(year_text) <= high:
            return Response({"year": [MSG_YEAR.format(low=low, high=high)]}, status=400)
        pk = _pk(SYSTEM_CODE, code)
        system = InfoSystem.objects.filter(pk=pk).first() if pk else None
        if system is None:
            return Response({"detail": MSG_UNKNOWN_SYSTEM.format(code=code)}, status=404)
        return Response(answer(gate.evaluate_system_om(system, year=int(year_text))))
