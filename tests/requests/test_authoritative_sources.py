"""一数一源 where data is asked for: an application (or a scenario) for a copy is pointed to the authoritative
department, and the form offers to apply there instead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.choices import ShareClass
from catalog.services import resource_create, resource_register_as_copy, resource_submit, source_designate
from requests.models import Scenario
from tests.catalog.factories import resource_data
from tests.requests.helpers import client_for
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import VALID_FROM, VALID_TO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def copy_resource(population_resource, coordinator, zhujian_clerk, privacy_law):
    """住建局's 住房保障对象身份信息 keeps 身份证号, registered as a copy of 公安局's 公民身份号码."""
    source_designate(
        actor=coordinator,
        item=population_resource.items.get(name="公民身份号码"),
        datum="公民身份号码",
        aliases=["身份证号"],
    )
    resource = resource_create(
        actor=zhujian_clerk,
        data=resource_data(
            zhujian_clerk.department,
            code="220500-ZJ-00009",
            name="住房保障对象身份信息",
            share_class=ShareClass.CONDITIONAL,
            share_conditions="仅用于住房保障",
            legal_basis=privacy_law,
        ),
        items=[
            {"name": "姓名", "data_type": "C", "length": 50, "security_level": 2},
            {"name": "身份证号", "data_type": "C", "length": 18, "security_level": 2},
        ],
    )
    resource_submit(actor=zhujian_clerk, obj=resource)
    return resource_register_as_copy(actor=coordinator, obj=resource)


def test_the_application_form_for_a_copy_names_the_authoritative_department(
    copy_resource, population_resource, minzheng_applicant
):
    page = client_for(minzheng_applicant).get(reverse("share_requests:apply"), {"resource": copy_resource.pk})
    html = page.content.decode()
    assert 'data-testid="authoritative"' in html
    assert "“身份证号”的权威数源为市公安局“户籍人口信息”" in html
    assert f"{reverse('share_requests:apply')}?resource={population_resource.pk}" in html
    html = client_for(minzheng_applicant).get(reverse("share_requests:apply"), {"resource": population_resource.pk})
    assert 'data-testid="authoritative"' not in html.content.decode()


def test_a_scenario_listing_a_copy_is_pointed_to_the_source_before_it_is_proposed(
    copy_resource, minzheng, minzheng_applicant
):
    data = {
        "name": "低保对象认定",
        "business_matter": "最低生活保障审批",
        "purposes": ["fewer_materials"],
        "consumer_departments": [minzheng.pk],
        "valid_from": VALID_FROM.isoformat(),
        "valid_to": VALID_TO.isoformat(),
        "legal_basis": "《社会救助暂行办法》第十一条",
        "parts-TOTAL_FORMS": "1",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "20",
        "parts-0-resource": copy_resource.pk,
        "parts-0-share_method": "query_api",
        "parts-0-legal_basis": "《社会救助暂行办法》第十一条",
    }
    client = client_for(minzheng_applicant)
    html = client.post(reverse("scenarios:propose"), data).content.decode()
    assert 'data-testid="authoritative"' in html and "权威数源为市公安局“户籍人口信息”（220500-GA-00001" in html
    assert not Scenario.objects.exists()
    response = client.post(reverse("scenarios:propose"), {**data, "keep_copies": "on"})
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("scenarios:detail", args=[scenario.pk])).content.decode()
    assert 'data-testid="copy"' in page and "“身份证号”为副本" in page
