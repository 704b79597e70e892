"""REST API of the register of information systems: GET /api/systems/ and /api/systems/<id>/ (read-only), and
POST /api/systems/activity, where a system's monitor pushes its use with the system's own token.

Each caller reads what the register's pages show them (systems_inventory.selectors.systems_visible_to): a
department its own systems, the data bureau and auditors every one, finance every one with its funding fields
only. Filters as the register's search.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from rest_framework import exceptions, generics, serializers, viewsets
from rest_framework.response import Response
from rest_framework.schemas.openapi import AutoSchema

from catalog.api import FilterBackend
from requests.api import presented_token_hash
from systems_inventory import permissions, selectors, services
from systems_inventory.choices import BuildType, Deployment, UsageFrequency
from systems_inventory.messages import MSG_ACTIVITY_BAD_MONTH
from systems_inventory.models import FUNDING_FIELDS, SYSTEM_FIELDS, InfoSystem, SystemStatus
from systems_inventory.services import SelfCheckError
from workflows.audit import client_ip
from workflows.ratelimit import hit


class InfoSystemSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="系统编号，如 XT000012")
    department = serializers.CharField(source="department.name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True)
    resources = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = InfoSystem
        fields = ["id", "reference", "department", "department_code", *SYSTEM_FIELDS, "resources", "status"]
        fields += ["version", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not permissions.sees_full_system(user, instance):  # finance: the funding fields
            keep = {"id", "reference", "department", "department_code", "status", *FUNDING_FIELDS}
            data = {key: value for key, value in data.items() if key in keep}
        return data


class SystemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="关键词（系统名称、功能、承建单位）")
    department = django_filters.CharFilter(field_name="department__code", label="所属部门编码")
    deployment = django_filters.ChoiceFilter(choices=Deployment.choices, label="部署方式")
    build_type = django_filters.ChoiceFilter(choices=BuildType.choices, label="建设方式")
    usage_frequency = django_filters.ChoiceFilter(choices=UsageFrequency.choices, label="使用频度")
    connected = django_filters.BooleanFilter(label="已接入共享平台")
    status = django_filters.ChoiceFilter(choices=SystemStatus.choices, label="运行状态")

    class Meta:
        model = InfoSystem
        fields = []

    def filter_q(self, queryset, name, value):
        return selectors.search_systems(queryset, q=value, status="")


class InfoSystemViewSet(viewsets.ReadOnlyModelViewSet):
    """The register of departments' information systems, as far as the caller may read it."""

    serializer_class = InfoSystemSerializer
    filter_backends = [FilterBackend]
    filterset_class = SystemFilter

    def get_queryset(self):
        systems = selectors.systems_visible_to(self.request.user).prefetch_related("resources")
        return systems.order_by("department__code", "name", "pk")


# --- POST /api/systems/activity: a system's monitor pushes a month of use ------------------------------

MSG_NO_TOKEN = "缺少推送令牌：请在请求头中提供 Authorization: Token <令牌>（在信息系统页面签发）。"
MSG_BAD_TOKEN = "推送令牌无效或已停用。"
MSG_TOO_MANY = "调用过于频繁，请 {wait} 秒后再试。"
PUSH_RATE = 60  # per token and minute: a monitor sends a month at a time
BAD_TOKEN_RATE = 20  # per address and minute


class ActivitySerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", help_text="月份，如 2026-02", error_messages={"invalid": MSG_ACTIVITY_BAD_MONTH}
    )
    active_users = serializers.IntegerField(min_value=0, default=0, help_text="活跃用户数")
    logins = serializers.IntegerField(min_value=0, default=0, help_text="登录次数")
    transactions = serializers.IntegerField(min_value=0, max_value=2**62, default=0, help_text="业务办理量（写入）")
    last_activity = serializers.DateField(required=False, allow_null=True, help_text="最近活动日期，如 2026-02-27")

    def values(self) -> dict:
        data = dict(self.validated_data)
        year, month = map(int, data.pop("month").split("-"))
        return {**data, "month": dt.date(year, month, 1)}


class ActivityPushView(generics.GenericAPIView):
    """推送信息系统使用情况：以该系统的推送令牌认证，每次一个月份；同一月份再次推送的，以最后一次为准。"""

    authentication_classes: list = []
    permission_classes: list = []
    serializer_class = ActivitySerializer
    schema = AutoSchema(tags=["信息系统"], operation_id_base="SystemActivity")

    def post(self, request):
        address = client_ip(request) or "-"
        token_hash = presented_token_hash(request)
        if token_hash is None:
            raise exceptions.NotAuthenticated(MSG_NO_TOKEN)
        token = selectors.active_token(token_hash) if token_hash else None
        if token is None:
            if not hit(f"activity_push_bad_{address}", limit=BAD_TOKEN_RATE, window_seconds=60):
                raise exceptions.Throttled(detail=MSG_TOO_MANY.format(wait=60))
            raise exceptions.AuthenticationFailed(MSG_BAD_TOKEN)
        if not hit(f"activity_push_{token.pk}", limit=PUSH_RATE, window_seconds=60):
            raise exceptions.Throttled(detail=MSG_TOO_MANY.format(wait=60))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            activity = services.activity_push(token=token, values=serializer.values(), ip=address)
        except SelfCheckError as exc:
            return Response(exc.errors or {"detail": exc.message}, status=400)
        return Response(
            {
                "system": token.system.reference,
                "month": f"{activity.month:%Y-%m}",
                "source": activity.get_source_display(),
                "active_users": activity.active_users,
                "logins": activity.logins,
                "transactions": activity.transactions,
                "last_activity": activity.last_activity,
            }
        )

    def get_authenticate_header(self, request) -> str:
        return "Token"
