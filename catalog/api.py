"""Read-only REST API of registered catalog entries ."""

from __future__ import annotations

from collections.abc import Sequence

import django_filters
from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors
from catalog.choices import (
    SHARE_METHOD_FIELDS,
    BaseLibrary,
    DataType,
    Domain,
    Network,
    SecurityLevel,
    ShareClass,
    ShareMethod,
    UpdateFrequency,
)
from catalog.forms import entry_errors
from catalog.models import ITEM_FIELDS, RESOURCE_FIELDS, DataItem, DataResource, LegalBasis, ResourceVersion
from organizations.models import Department


def _with_after(fields: Sequence[str], after: str, extra: str) -> list[str]:
    position = fields.index(after) + 1
    return [*fields[:position], extra, *fields[position:]]


def _share_methods_as_list(fields: Sequence[str]) -> list[str]:
    """The catalogued fields as the API shows them: the four share-method booleans as one share_methods list."""
    position = fields.index(SHARE_METHOD_FIELDS[0])
    kept = [field for field in fields if field not in SHARE_METHOD_FIELDS]
    return [*kept[:position], "share_methods", *kept[position:]]


class LegalBasisSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalBasis
        fields = ["code", "title", "issuer", "document_number", "article"]


class DataItemSerializer(serializers.ModelSerializer):
    resource_code = serializers.CharField(source="resource.code", read_only=True)
    data_type_label = serializers.CharField(source="get_data_type_display", read_only=True)

    class Meta:
        model = DataItem
        fields = ["id", "resource_code", "position", *_with_after(ITEM_FIELDS, "data_type", "data_type_label")]


class DataResourceSerializer(serializers.ModelSerializer):
    provider_department = serializers.CharField(source="provider_department.name", read_only=True)
    provider_department_code = serializers.CharField(source="provider_department.code", read_only=True)
    legal_basis = LegalBasisSerializer(read_only=True)
    share_methods = serializers.ListField(child=serializers.ChoiceField(choices=ShareMethod.choices), read_only=True)
    items = DataItemSerializer(many=True, read_only=True)

    class Meta:
        model = DataResource
        fields = [
            "id",
            *_with_after(_share_methods_as_list(RESOURCE_FIELDS), "provider_department", "provider_department_code"),
            "mounted_records",
            "last_mounted_on",
            "status",
            "version",
            "registered_at",
            "items",
        ]


class ResourceVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()

    class Meta:
        model = ResourceVersion
        fields = ["number", "summary", "changes", "created_by", "created_at", "snapshot_hash", "snapshot"]


MSG_NEEDS_DEPARTMENT = "请在 provider_department 中填写提供部门的部门编码，例如 TH-ZJ。"
MSG_UNKNOWN_DEPARTMENT = "没有部门编码为“{code}”的部门，请填写提供部门的部门编码，例如 TH-ZJ。"


class CheckItemSerializer(serializers.Serializer):
    name = serializers.CharField(label="信息项名称")
    data_type = serializers.ChoiceField(label="数据类型", choices=DataType.choices)
    length = serializers.IntegerField(label="长度", required=False, allow_null=True)
    precision = serializers.IntegerField(label="精度", required=False, allow_null=True)
    description = serializers.CharField(label="说明", required=False, allow_blank=True)
    security_level = serializers.ChoiceField(
        label="安全级别", choices=SecurityLevel.choices, required=False, allow_null=True, help_text="留空则与资源相同"
    )


class ResourceCheckSerializer(serializers.Serializer):
    """A proposed entry, checked exactly as the resource form checks it, without writing anything.

    The fields describe the payload for the schema; validation is the form's (catalog.forms.entry_errors),
    so the API accepts and rejects what the form does, with the same messages.
    """

    code = serializers.CharField(label="目录编码")
    name = serializers.CharField(label="资源名称")
    provider_department = serializers.CharField(
        label="提供部门编码", required=False, help_text="例如 TH-ZJ；不填则为调用者所在部门"
    )
    description = serializers.CharField(label="资源摘要", required=False, allow_blank=True)
    domain = serializers.ChoiceField(label="数据领域", choices=Domain.choices)
    domain_other = serializers.CharField(label="其他领域", required=False, allow_blank=True)
    share_class = serializers.ChoiceField(label="共享类型", choices=ShareClass.choices)
    share_conditions = serializers.CharField(label="共享条件", required=False, allow_blank=True)
    legal_basis = serializers.CharField(label="法律依据编号", required=False, allow_null=True)
    legal_basis_text = serializers.CharField(label="依据说明", required=False, allow_blank=True)
    security_level = serializers.ChoiceField(label="安全级别", choices=SecurityLevel.choices)
    network = serializers.ChoiceField(label="网络环境", choices=Network.choices)
    update_frequency = serializers.ChoiceField(label="更新频率", choices=UpdateFrequency.choices)
    update_frequency_other = serializers.CharField(label="其他更新周期", required=False, allow_blank=True)
    share_methods = serializers.ListField(
        label="共享方式", child=serializers.ChoiceField(choices=ShareMethod.choices), required=False
    )
    base_library = serializers.ChoiceField(label="所属基础库", choices=BaseLibrary.choices, required=False)
    in_responsibility_list = serializers.BooleanField(label="列入国家共享责任清单", required=False)
    open_to_public = serializers.BooleanField(label="向社会开放", required=False)
    items = CheckItemSerializer(label="信息项", many=True)

    def validate_empty_values(self, data):
        # A body of `null` is not an entry either: the form's message, not DRF's "No data provided".
        return False, data

    def to_internal_value(self, data):
        department, errors = self._provider(data)
        errors = entry_errors(data, department=department) | errors
        if errors:
            raise serializers.ValidationError(errors)
        return data

    def _provider(self, data) -> tuple[Department | None, dict[str, list[str]]]:
        """The department named by provider_department, or the caller's; the code is checked against it."""
        code = data.get("provider_department") if isinstance(data, dict) else None
        if not code:
            department = self.context["request"].user.department
            return department, {} if department else {"provider_department": [MSG_NEEDS_DEPARTMENT]}
        department = Department.objects.filter(code=str(code)).first()
        return department, {} if department else {"provider_department": [MSG_UNKNOWN_DEPARTMENT.format(code=code)]}


class FilterBackend(DjangoFilterBackend):
    """django-filter 25+ no longer describes its parameters to DRF's OpenAPI generator; we do."""

    def get_schema_fields(self, view):
        return []

    def get_schema_operation_parameters(self, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return []
        parameters = []
        for name, filter_ in filterset_class.base_filters.items():
            schema = {"type": "string"}
            if isinstance(filter_, django_filters.NumberFilter):
                schema = {"type": "number"}
            elif isinstance(filter_, django_filters.BooleanFilter):
                schema = {"type": "boolean"}
            elif isinstance(filter_, django_filters.ChoiceFilter):
                schema = {"type": "string", "enum": [value for value, _ in filter_.extra["choices"]]}
            parameters.append(
                {
                    "name": name,
                    "required": False,
                    "in": "query",
                    "description": str(filter_.label or name),
                    "schema": schema,
                }
            )
        return parameters


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="全文（名称、摘要、编码、信息项名称）")
    department = django_filters.CharFilter(field_name="provider_department__code", label="提供部门编码")
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    share_class = django_filters.ChoiceFilter(choices=ShareClass.choices)
    base_library = django_filters.ChoiceFilter(choices=BaseLibrary.choices)
    method = django_filters.ChoiceFilter(choices=ShareMethod.choices, method="filter_method", label="共享方式")
    security_level = django_filters.NumberFilter()
    in_responsibility_list = django_filters.BooleanFilter()

    class Meta:
        model = DataResource
        fields = []

    def filter_q(self, queryset, name, value):
        return selectors.search_resources(queryset, q=value)

    def filter_method(self, queryset, name, value):
        return selectors.search_resources(queryset, method=value)


class ItemFilter(django_filters.FilterSet):
    resource = django_filters.CharFilter(field_name="resource__code", label="资源目录编码")
    name = django_filters.CharFilter(lookup_expr="icontains")
    data_type = django_filters.CharFilter()
    security_level = django_filters.NumberFilter()

    class Meta:
        model = DataItem
        fields = []


class DataResourceViewSet(viewsets.ReadOnlyModelViewSet):
    """Registered and mounted catalog entries (drafts and withdrawn entries are not listed)."""

    serializer_class = DataResourceSerializer
    filter_backends = [FilterBackend]
    filterset_class = ResourceFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/.]+"  # anything, so a mistyped code gets the API's 404 and not the site's HTML one

    def get_queryset(self):
        current_items = Prefetch("items", queryset=DataItem.objects.filter(retired_at=None))
        return selectors.published_resources().prefetch_related(current_items).order_by("code")

    def get_serializer_class(self):
        if self.action == "check":
            return ResourceCheckSerializer
        return super().get_serializer_class()

    @action(detail=True)
    def versions(self, request, code=None, format=None):  # format: the router's .json suffix
        """Every version of the entry; share applications pin one by number."""
        resource = self.get_object()
        return Response(ResourceVersionSerializer(resource.versions.all(), many=True).data)

    @action(detail=False, methods=["post"])
    def check(self, request):
        """Check a proposed entry against the catalog rules; writes nothing."""
        serializer = ResourceCheckSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response({"valid": True})


class DataItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Information items of registered and mounted entries."""

    serializer_class = DataItemSerializer
    filter_backends = [FilterBackend]
    filterset_class = ItemFilter

    def get_queryset(self):
        return (
            DataItem.objects.filter(resource__in=selectors.published_resources().values("pk"), retired_at=None)
            .select_related("resource")
            .order_by("resource__code", "position", "id")
        )
