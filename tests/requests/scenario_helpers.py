"""Scenarios (应用场景) built in tests through the services, and the departments and people they involve.

The demo's 低保对象认定: 民政局 checks an applicant's household (公安局's 户籍人口信息) and property (住建局's
房屋登记信息) before granting 最低生活保障 (seed 003: by hand, 15 days).

Import the fixtures with `from tests.requests.scenario_helpers import *  # noqa: F403` in a test module.
"""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.choices import ShareClass
from catalog.services import resource_create, resource_register, resource_submit
from requests.models import Scenario, ScenarioPart
from requests.services.scenarios import (
    PartInput,
    scenario_authorize,
    scenario_part_confirm,
    scenario_propose,
)
from tests.catalog.factories import resource_data
from tests.factories import DepartmentFactory, UserFactory

VALID_FROM, VALID_TO = dt.date(2026, 3, 1), dt.date(2027, 12, 31)
BASIS = "《社会救助暂行办法》第十一条"


@pytest.fixture
def minzheng(db):
    return DepartmentFactory(code="TH-MZ", name="市民政局", short_name="通民", seal_text="通化市民政局")


@pytest.fixture
def minzheng_applicant(minzheng):
    """The 民政局 applicant: its department is the consumer of the scenarios here."""
    return UserFactory(
        username="mz_applicant", last_name="吴", first_name="救助", department=minzheng, roles=["applicant"]
    )


@pytest.fixture
def minzheng_leader(minzheng):
    return UserFactory(username="mz_leader", department=minzheng, roles=["dept_leader"])


@pytest.fixture
def population_resource(gongan_applicant, coordinator, privacy_law):
    """公安局's conditional 户籍人口信息 (人口基础库): name and address at level 2, the ID number at level 3."""
    resource = resource_create(
        actor=gongan_applicant,
        data=resource_data(
            gongan_applicant.department,
            code="220500-GA-00001",
            name="户籍人口信息",
            share_class=ShareClass.CONDITIONAL,
            share_conditions="仅用于身份核验",
            legal_basis=privacy_law,
            base_library="population",
            query_api=True,
            verify_api=True,
        ),
        items=[
            {"name": "姓名", "data_type": "C", "length": 50, "security_level": 2},
            {"name": "公民身份号码", "data_type": "C", "length": 18, "security_level": 3},
            {"name": "户籍地址", "data_type": "C", "length": 200, "security_level": 2},
        ],
    )
    resource_submit(actor=gongan_applicant, obj=resource)
    return resource_register(actor=coordinator, obj=resource)


def part_of(resource, names=None, *, method=None, basis=BASIS, conditions="") -> PartInput:
    items = list(resource.current_items().order_by("position"))
    if names is not None:
        items = [item for item in items if item.name in names]
    return PartInput(
        resource=resource,
        items=items,
        share_method=method or (resource.share_methods or ["query_api"])[0],
        legal_basis=basis,
        conditions=conditions,
    )


def scenario_data(**overrides):
    data = {
        "name": "低保对象认定",
        "business_matter": "最低生活保障审批",
        "purposes": ["fewer_materials", "coordination"],
        "valid_from": VALID_FROM,
        "valid_to": VALID_TO,
        "legal_basis": BASIS,
        "conditions": "仅用于最低生活保障对象的家庭经济状况核对",
    }
    data.update(overrides)
    return data


def propose(proposer, consumers, parts, **overrides) -> Scenario:
    return scenario_propose(actor=proposer, data=scenario_data(**overrides), consumers=consumers, parts=parts)


def cite(applicant, resource, scenario: Scenario, names=("姓名",), **overrides):
    """A share application citing `scenario` for `names` of `resource` (all: None) by query, over its validity."""
    from tests.requests.helpers import make_application

    items = resource.items.all() if names is None else resource.items.filter(name__in=names)
    data = {
        "cited_scenario": scenario,
        "share_method": "query_api",
        "period_start": scenario.valid_from,
        "period_end": scenario.valid_to,
        **overrides,
    }
    return make_application(applicant, resource, items=list(items), **data)


def part(scenario: Scenario, resource) -> ScenarioPart:
    return scenario.parts.get(resource=resource)


def confirm_all(scenario: Scenario, reviewers: dict) -> None:
    """Each provider (reviewers: department id → user) confirms its part in full."""
    for each in scenario.parts.select_related("resource"):
        scenario_part_confirm(actor=reviewers[each.provider_department_id], obj=each, items=list(each.items.all()))


@pytest.fixture
def low_income_scenario(
    minzheng, coordinator, population_resource, housing_resource, gongan_reviewer, zhujian_reviewer
):
    """低保对象认定, proposed by the bureau for 民政局, in provider review: 公安局's and 住建局's parts pending."""
    return propose(
        coordinator,
        [minzheng],
        [part_of(population_resource, ["姓名", "公民身份号码"]), part_of(housing_resource, ["房屋坐落", "建筑面积"])],
    )


@pytest.fixture
def authorized_scenario(low_income_scenario, coordinator, gongan_reviewer, zhujian_reviewer):
    """The same, confirmed by both providers and authorized as a whole."""
    confirm_all(
        low_income_scenario,
        {gongan_reviewer.department_id: gongan_reviewer, zhujian_reviewer.department_id: zhujian_reviewer},
    )
    return scenario_authorize(actor=coordinator, obj=low_income_scenario)
