"""GET /api/systems/: each caller reads what the register's pages show them, with the search's filters."""

import json

import pytest
from django.test import Client

from tests.systems_inventory.helpers import category, make_system

pytestmark = pytest.mark.django_db


def _get(user, path, **params):
    client = Client()
    client.force_login(user)
    response = client.get(path, params)
    return response.status_code, json.loads(response.content)


def test_a_department_reads_its_own_systems_and_the_bureau_all_with_filters(
    zhujian_systems, gongan, zhujian_clerk, coordinator
):
    own = make_system(gongan, name="户籍管理系统", deployment="own_room", not_on_cloud_reason="公安专网")
    status, body = _get(zhujian_clerk, "/api/systems/", status="in_use")
    assert status == 200 and sorted(s["name"] for s in body["results"]) == ["建设工程档案管理系统", "房屋网签备案系统"]
    assert _get(zhujian_clerk, "/api/systems/")[1]["count"] == 3  # every state unless asked
    assert _get(zhujian_clerk, f"/api/systems/{own.pk}/")[0] == 404
    status, body = _get(coordinator, "/api/systems/", deployment="own_room")
    assert [s["name"] for s in body["results"]] == ["户籍管理系统"]
    assert body["results"][0]["department_code"] == "TH-GA" and body["results"][0]["category"] == category().name
    assert _get(coordinator, "/api/systems/", connected="false")[1]["count"] == 1
    assert _get(coordinator, "/api/systems/", status="retired")[1]["results"][0]["name"] == "老旧物业管理系统"
    assert _get(coordinator, "/api/systems/", department="TH-ZJ", q="网签")[1]["count"] == 1
    status, body = _get(coordinator, "/api/systems/", deployment="moon")
    assert status == 400 and "deployment" in body


def test_finance_reads_the_funding_fields_and_others_nothing(zhujian_systems, finance_officer, outsider):
    registry = zhujian_systems[0]
    status, body = _get(finance_officer, f"/api/systems/{registry.pk}/")
    assert status == 200
    assert body["funding_source"] == "budget" and body["annual_om_cost"] == "35.50"
    assert "function" not in body and "storage_location" not in body
    assert _get(outsider, "/api/systems/")[1]["count"] == 0
    assert _get(outsider, f"/api/systems/{registry.pk}/")[0] == 404


def test_the_schema_describes_it(client):
    schema = json.loads(client.get("/api/schema/").content)
    assert "/api/systems/" in schema["paths"] and "/api/systems/{id}/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/systems/"]["get"]["parameters"]}
    assert {"q", "department", "deployment", "build_type", "usage_frequency", "connected", "status"} <= parameters
