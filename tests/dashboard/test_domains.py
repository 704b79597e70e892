"""The catalog, systems and projects figures against hand-counted data, and the lists behind them."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import BaseLibraryTarget, DataResource, DemandItem
from dashboard.figures import Filters, catalog, projects, systems
from project_approvals.models import GateEvaluation
from tests.project_approvals.helpers import make_project
from tests.requests.helpers import client_for
from tests.systems_inventory.conftest import zhujian_systems  # noqa: F401
from tests.systems_inventory.helpers import category
from tests.systems_inventory.test_statistics import counted  # noqa: F401

pytestmark = pytest.mark.django_db
THIS_YEAR = Filters(dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def values(section):
    return {f.key: f.value for f in section.figures}


def _demand(department, creator, status="open"):
    return DemandItem.objects.create(
        department=department,
        data_name="结婚证",
        business_matter="婚姻登记",
        purpose="fewer_materials",
        share_method="query_api",
        update_frequency="daily",
        status=status,
        created_by=creator,
    )


def test_catalog_figures(coordinator, housing_resource, police_resource, gongan, zhujian, gongan_leader):
    DataResource.objects.filter(pk=housing_resource.pk).update(base_library="housing")
    BaseLibraryTarget.objects.create(base_library="housing", expected_items=6)
    _demand(gongan, coordinator), _demand(gongan, coordinator, "linked"), _demand(zhujian, coordinator)
    section = catalog.overview(coordinator, THIS_YEAR)
    assert values(section)["resources"] == 2
    assert values(section)["demands_open"] == 2 and values(section)["demands_met"] == 1
    housing = next(row for row in catalog.libraries(coordinator).rows if row.cells[0] == "房屋基础库")
    # The catalog's completeness page is the bureau's: a leader's rows link nowhere, and list its department only.
    assert housing.url and all(row.url == "" for row in catalog.libraries(gongan_leader).rows)
    assert [row.cells[0] for row in catalog.registration(gongan_leader, THIS_YEAR).rows] == ["市公安局"]
    assert {row.cells[0] for row in catalog.registration(coordinator, THIS_YEAR).rows} >= {"市公安局", "市住建局"}
    assert housing.cells == ["房屋基础库", 3, 6, "50%"]  # three items of six
    per = {row.cells[0]: row.cells[1:] for row in catalog.by_department(coordinator, THIS_YEAR).rows}
    assert per == {"市住建局": [1, 0, 1, 0], "市公安局": [1, 1, 0, 0]}  # 合计, 无条件, 有条件, 不予
    # A department leader counts its own department's demands only.
    mine = Filters(THIS_YEAR.date_from, THIS_YEAR.date_to, gongan)
    assert values(catalog.overview(gongan_leader, mine))["demands_open"] == 1
    drill = client_for(coordinator).get(
        "/dashboard/list/resources/?date_from=2026-01-01&date_to=2026-12-31&share_class=conditional"
    )
    assert [row[0][1] for row in drill.context["rows"]] == ["房屋登记信息"]


@pytest.mark.frozen_at("2026-03-02 10:00 +0800")
def test_systems_figures_of_the_hand_counted_campaign(counted, coordinator, zhujian_leader):  # noqa: F811
    quarter = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    found = values(systems.overview(coordinator, quarter))
    assert found["departments_checked"] == 3
    assert found["departments_with_self_built"] == 2
    assert found["self_built_systems"] == 3
    assert found["gov_cloud_rate"] == 100.0 and found["connection_rate"] == 33.3
    assert found["reports_late"] == 0
    # The campaign's figures are the bureau's and auditors'; a leader sees only its own systems' cases.
    assert set(values(systems.overview(zhujian_leader, quarter))) == {"zombie_candidates"}
    assert systems.overview(coordinator, Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31))).figures[0].key == (
        "zombie_candidates"
    )  # no campaign launched by then


def _evaluation(project, passed, failed=()):
    rules = [{"code": f"R{n}", "name": name, "result": "failed", "passed": False} for n, name in enumerate(failed)]
    return GateEvaluation.objects.create(
        kind="project",
        purpose="first_review",
        project=project,
        passed=passed,
        ruleset_version="1",
        snapshot=json.dumps({"rules": rules}),
        sha256="0" * 64,
        evaluated_at=timezone.now(),
    )


def test_projects_figures(coordinator, zhujian_clerk, gongan_leader):
    kind = category()
    blocked = make_project(
        zhujian_clerk, new_system_name="住房租赁监管平台", new_system_category=kind, construction_budget=Decimal(120)
    )
    fine = make_project(
        zhujian_clerk,
        name="档案系统改造",
        new_system_name="档案平台",
        new_system_category=kind,
        construction_budget=Decimal(30),
    )
    _evaluation(blocked, False, ["未完成信息系统自查"])
    _evaluation(blocked, False, ["未完成信息系统自查", "目录资源未注册"])
    _evaluation(fine, True)
    ConstructionProject = type(blocked)
    ConstructionProject.objects.filter(pk__in=[blocked.pk, fine.pk]).update(state="in_review")  # sent to the bureau
    today = timezone.localdate()
    section = projects.overview(coordinator, Filters(today, today))
    found = values(section)
    assert found["gate_evaluations"] == 3 and found["gate_pass_rate"] == 33.3
    assert found["projects_blocked"] == 1 and found["amount_blocked"] == 120
    rules = {row.cells[0]: row.cells[1:] for row in section.tables[0].rows}
    assert rules == {"未完成信息系统自查": [2, 240], "目录资源未注册": [1, 120]}
    assert list(projects.projects(coordinator, Filters(today, today), blocked="1")) == [blocked]
    # Another department's leader sees none of them.
    assert values(projects.overview(gongan_leader, Filters(today, today)))["gate_evaluations"] == 0
