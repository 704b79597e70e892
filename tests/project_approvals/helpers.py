"""Building blocks of the project tests, through the services: the register and a self-check (a campaign the
department reports in and the bureau accepts), catalog resources, projects and their steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from catalog.services import resource_create, resource_register, resource_submit
from project_approvals import services
from project_approvals.models import ConstructionProject
from systems_inventory import services as inventory
from systems_inventory.models import DepartmentReport, InfoSystem
from tests.catalog.factories import resource_data
from tests.systems_inventory.helpers import category, system_data


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def self_check(coordinator, department, filler, leader, *, systems=(), accept=True, title="信息系统建设自查"):
    """A campaign over `department`: its report lists the register's systems and adds `systems` (field overrides
    of tests.systems_inventory.helpers.system_data, `resources` apart); the leader confirms; the bureau accepts
    (unless accept=False). Returns the report."""
    draft = inventory.campaign_create(
        actor=coordinator, data={"title": title, "due_workdays": 10, "covers_all": False}, departments=[department]
    )
    campaign = inventory.campaign_launch(actor=coordinator, obj=draft)
    report = DepartmentReport.objects.get(campaign=campaign, department=department)
    inventory.report_start(actor=filler, obj=report)
    inventory.lines_confirm_all(actor=filler, report=report)
    for overrides in systems:
        overrides = dict(overrides)
        resources = overrides.pop("resources", ())
        inventory.line_add(actor=filler, report=report, data=system_data(**overrides), resources=resources)
    if not report.lines.exists():
        inventory.report_declare(actor=filler, obj=report, no_self_built=True)
    inventory.report_submit(actor=filler, obj=report)
    inventory.report_confirm(actor=leader, obj=report)
    if accept:
        inventory.report_accept(actor=coordinator, obj=report)
        inventory.campaign_close(actor=coordinator, obj=campaign)
    return DepartmentReport.objects.get(pk=report.pk)


def system_named(department, name: str) -> InfoSystem:
    return InfoSystem.objects.get(department=department, name=name)


def resource(clerk, coordinator, code: str, *, register=True, **data):
    """A catalog resource of the clerk's department: registered through the catalog's services, or left a draft."""
    made = resource_create(
        actor=clerk,
        data=resource_data(clerk.department, code=code, **data),
        items=[{"name": "合同编号", "data_type": "C", "length": 40, "security_level": 2}],
    )
    if not register:
        return made
    resource_submit(actor=clerk, obj=made)
    return resource_register(actor=coordinator, obj=made)


def conditional_resource(clerk, coordinator, code: str, **data):
    """A registered 有条件共享 resource of the clerk's department: its applications wait for a reviewer's reply."""
    values = {
        "name": "房屋登记信息",
        "share_class": "conditional",
        "share_conditions": "仅用于户籍业务",
        "legal_basis_text": "《不动产登记暂行条例》",
        **data,
    }
    return resource(clerk, coordinator, code, **values)


def project_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "房屋网签备案系统升级改造项目",
        "project_type": "upgrade",
        "year": timezone.localdate().year,
        "description": "升级网签备案系统，新增存量房交易资金监管功能。",
        "construction_budget": Decimal("320.00"),
        "annual_om_budget": Decimal("45.50"),
        "new_system_name": "",
        "new_system_category": None,
        "sharing_plan": "交易数据通过共享交换平台接口实时推送，向公安、税务、不动产登记部门共享。",
        "deployment": "gov_cloud",
        "is_classified": False,
        "not_on_cloud_reason": "",
    }
    data.update(overrides)
    return data


def make_project(clerk, *, systems=(), produced=(), consumed=(), **overrides) -> ConstructionProject:
    return services.project_create(
        actor=clerk, data=project_data(**overrides), systems=systems, produced=produced, consumed=consumed
    )


def to_bureau(project, clerk, leader) -> ConstructionProject:
    services.project_submit(actor=clerk, obj=project)
    return services.project_confirm(actor=leader, obj=project, comment="同意报送。")


def later(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def new_category(code: str = "BUSINESS"):
    return category(code)


def fresh(project: ConstructionProject) -> ConstructionProject:
    return ConstructionProject.objects.select_related("department").get(pk=project.pk)
