"""Read-only REST API of the register of information systems: GET /api/systems/ and /api/systems/<id>/.

Each caller reads what the register's pages show them (systems_inventory.selectors.systems_visible_to): a
department its own systems, the data bureau and auditors every one, finance every one with its funding fields
only. Filters as the register's search.
"""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from catalog.api import FilterBackend
from systems_inventory import permissions, selectors
from systems_inventory.choices import BuildType, Deployment, UsageFrequency
from systems_inventory.models import FUNDING_FIELDS, SYSTEM_FIELDS, InfoSystem, SystemStatus


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
