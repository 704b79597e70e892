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


def walk_world(coordinator, zhujian_clerk, zhujian_leader, gongan_applicant) -> dict:
    """Projects at every step a form is drawn at, for the walk of every form page (tests/requests/
    test_form_pages.py): 市医保局 in good standing with a project passed on a condition (立项, the condition met),
    one approved (the budget) and one budgeted (验收); the 住建局's waiting for its leader and in the bureau's
    review; the 公安局's draft. Returns the approving authority and finance, who walk them."""
    from tests.factories import DepartmentFactory, UserFactory

    yibao = DepartmentFactory(code="TH-YB", name="市医保局", short_name="通医保", seal_text="通化市医疗保障局")
    clerk = UserFactory(username="yb_applicant", department=yibao, roles=["applicant"])
    leader = UserFactory(username="yb_leader", department=yibao, roles=["dept_leader"])
    data = resource(clerk, coordinator, "220500-YB-00001", name="医疗保险参保信息")
    self_check(coordinator, yibao, clerk, leader, systems=[{"name": "医保经办服务系统", "resources": [data]}])
    system = system_named(yibao, "医保经办服务系统")
    approver = UserFactory(
        username="fgw_approver",
        department=DepartmentFactory(
            code="TH-FG", name="市发改委", short_name="通发改", seal_text="通化市发展和改革委员会"
        ),
        roles=["project_approver"],
    )
    finance = UserFactory.create(username="cz_walker", roles=["finance"])
    steps = {}
    for name, target in (
        ("医保经办服务系统升级", "passed"),
        ("医保基金监管平台", "approved"),
        ("医保移动支付", "budgeted"),
    ):
        project = to_bureau(make_project(clerk, systems=[system], produced=[data], name=name), clerk, leader)
        if target == "passed":
            services.review_pass_with_conditions(
                actor=coordinator, obj=project, conditions=[("接入共享平台", later(20))]
            )
        else:
            services.review_pass(actor=coordinator, obj=project)
            services.project_approve(
                actor=approver, obj=project, approval_number=f"通发改审批〔2026〕{project.pk}号", approved_on=later(0)
            )
        if target == "budgeted":
            services.project_fund(actor=finance, obj=project, amount="100", budget_line="信息化支出")
        steps[target] = project
    category = new_category()
    steps["submitted"] = make_project(zhujian_clerk, new_system_name="住房租赁监管平台", new_system_category=category)
    services.project_submit(actor=zhujian_clerk, obj=steps["submitted"])
    steps["in_review"] = to_bureau(
        make_project(
            zhujian_clerk, new_system_name="物业监管平台", new_system_category=category, name="物业监管平台建设"
        ),
        zhujian_clerk,
        zhujian_leader,
    )
    steps["draft"] = make_project(gongan_applicant, new_system_name="警务数据中台", new_system_category=category)
    return {"approver": approver, "finance": finance, **steps}
