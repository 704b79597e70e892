import json

import pytest
from django.test import Client

from catalog import rules
from catalog.api import MSG_UNKNOWN_DEPARTMENT
from catalog.forms import (
    MSG_BAD_SHARE_METHODS,
    MSG_ITEMS_NOT_A_LIST,
    MSG_NOT_AN_OBJECT,
    MSG_NOT_BOOLEAN,
    DataResourceForm,
)
from catalog.limits import MAX_ITEMS_PER_RESOURCE
from catalog.models import DataResource
from catalog.services import resource_register, resource_submit, resource_update
from tests.catalog.factories import DataResourceFactory, LegalBasisFactory
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, gongan_applicant):
    client.login(username=gongan_applicant.username, password=DEFAULT_PASSWORD)
    return client


def published(department, bureau, staff, **kwargs):
    resource = DataResourceFactory(provider_department=department, **kwargs)
    resource_submit(actor=staff, obj=resource)
    return resource_register(actor=bureau, obj=resource)


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_it_lists_only_registered_entries_with_filters(api, zhujian, zhujian_clerk, coordinator):
    house = published(
        zhujian, coordinator, zhujian_clerk, name="房屋登记信息", items=["不动产单元号"], base_library="housing"
    )
    published(zhujian, coordinator, zhujian_clerk, name="公租房信息", domain="social_assistance", verify_api=True)
    DataResourceFactory(provider_department=zhujian, name="草稿")
    body = get(api, "/api/catalog/resources/")
    assert body["count"] == 2 and {r["name"] for r in body["results"]} == {"房屋登记信息", "公租房信息"}
    assert [r["code"] for r in get(api, "/api/catalog/resources/", q="不动产单元")["results"]] == [house.code]
    assert [r["name"] for r in get(api, "/api/catalog/resources/", method="verify_api")["results"]] == ["公租房信息"]
    assert [r["name"] for r in get(api, "/api/catalog/resources/", base_library="housing")["results"]] == [
        "房屋登记信息"
    ]
    assert get(api, "/api/catalog/resources/", department="TH-GA")["count"] == 0
    assert get(api, "/api/catalog/resources/", department="TH-ZJ", domain="social_assistance")["count"] == 1
    detail = get(api, f"/api/catalog/resources/{house.code}/")
    assert detail["share_class"] == "unconditional" and detail["items"][0]["name"] == "不动产单元号"
    assert detail["version"] == 1


def test_it_lists_items_and_versions(api, zhujian, zhujian_clerk, coordinator):
    resource = published(zhujian, coordinator, zhujian_clerk, items=["坐落", "面积"])
    resource_update(
        actor=zhujian_clerk, obj=resource, data={"name": "新名称"}, items=[{"id": i.pk} for i in resource.items.all()]
    )
    items = get(api, "/api/catalog/items/", resource=resource.code)
    assert [i["name"] for i in items["results"]] == ["坐落", "面积"]
    versions = get(api, f"/api/catalog/resources/{resource.code}/versions/")
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["snapshot"]["name"] != "新名称" and versions[0]["snapshot"]["name"] == "新名称"


CHECK_URL = "/api/catalog/resources/check/"
CHECK_BASE = {
    "code": "220500-ZJ-00001",
    "provider_department": "TH-ZJ",
    "name": "房屋登记信息",
    "share_class": "unconditional",
    "security_level": 2,
    "domain": "urban_housing",
    "network": "extranet",
    "update_frequency": "daily",
    "share_methods": ["query_api"],
    "items": [{"name": "姓名", "data_type": "C", "length": 20}],
}


def check(client, payload=None, **overrides):
    """POST an entry to the check API; returns (status, body)."""
    body = {**CHECK_BASE, **overrides} if payload is None else payload
    response = client.post(CHECK_URL, json.dumps(body), content_type="application/json")
    return response.status_code, json.loads(response.content)


def test_it_checks_each_rule_without_writing(api, zhujian):
    def errors(**overrides):
        return check(api, **overrides)

    assert errors() == (200, {"valid": True})
    status, body = errors(share_class="conditional")
    assert status == 400
    assert body["share_conditions"] == [rules.MSG_CONDITIONAL_NEEDS_CONDITIONS]
    assert body["legal_basis"] == [rules.MSG_CONDITIONAL_NEEDS_LEGAL_BASIS]
    assert errors(share_class="none", share_methods=[])[1]["legal_basis"] == [rules.MSG_NONE_NEEDS_LEGAL_BASIS]
    LegalBasisFactory(code="LB-001")
    assert errors(share_class="none", share_methods=[], legal_basis="LB-001")[0] == 200
    assert errors(share_methods=[])[1]["share_methods"] == [rules.MSG_NEEDS_METHOD]
    assert errors(items=[])[1]["items"] == [rules.MSG_NEEDS_ITEM]
    assert errors(items=[{"name": "x", "data_type": "C", "length": 5, "security_level": 1}])[1] == {
        "items[0].security_level": [rules.MSG_ITEM_LEVEL_TOO_LOW]
    }
    assert errors(code="nope")[1]["code"] == [rules.MSG_CODE_FORMAT]
    assert DataResource.objects.count() == 0


def test_it_rejects_what_the_resource_form_rejects_with_the_same_messages(api, zhujian):
    payload = {**CHECK_BASE, "update_frequency": "hourly", "base_library": "nonsense", "description": "x"}
    del payload["name"], payload["network"]
    status, body = check(api, payload)
    form = DataResourceForm({**payload, "query_api": True})
    assert status == 400 and not form.is_valid()
    for field in ("update_frequency", "base_library", "name", "network"):
        assert body[field] == form.errors[field], field
    assert DataResourceFactory(code="220500-ZJ-00007", provider_department=zhujian)
    assert (
        check(api, code="220500-ZJ-00007")[1]["code"]
        == DataResourceForm({**CHECK_BASE, "code": "220500-ZJ-00007"}).errors["code"]
    )


def test_it_answers_malformed_input_with_field_errors(api, zhujian):
    assert check(api, security_level="high") == (400, {"security_level": ["「安全级别」只能是：1级、2级、3级、4级。"]})
    status, body = check(api, items=[{"name": "姓名", "data_type": "C", "length": "long", "security_level": "high"}])
    assert status == 400 and set(body) == {"items[0].length", "items[0].security_level"}
    status, body = check(api, items=[{"name": "姓名", "data_type": "Q", "length": 20}])
    assert status == 400 and list(body) == ["items[0].data_type"]
    assert check(api, share_methods=["fax"])[1]["share_methods"] == [MSG_BAD_SHARE_METHODS]
    assert check(api, items={"name": "姓名"})[1]["items"] == [MSG_ITEMS_NOT_A_LIST]
    assert check(api, ["not", "an", "object"]) == (400, {"non_field_errors": [MSG_NOT_AN_OBJECT]})


def test_it_checks_the_code_against_the_provider_department(api, zhujian, gongan):
    expected = rules.MSG_CODE_DEPARTMENT.format(department="市住建局", expected="ZJ", example="220500-ZJ-00001")
    assert check(api, code="220500-GA-00001") == (400, {"code": [expected]})
    # Without provider_department the caller's department (市公安局) provides the entry.
    without_provider = {k: v for k, v in CHECK_BASE.items() if k != "provider_department"}
    assert check(api, {**without_provider, "code": "220500-GA-00001"}) == (200, {"valid": True})
    assert check(api, without_provider)[1]["code"] == [
        rules.MSG_CODE_DEPARTMENT.format(department="市公安局", expected="GA", example="220500-GA-00001")
    ]
    assert check(api, provider_department="TH-NOPE")[1] == {
        "provider_department": [MSG_UNKNOWN_DEPARTMENT.format(code="TH-NOPE")]
    }


def test_it_accepts_a_complete_entry_with_every_field(api, zhujian):
    LegalBasisFactory(code="LB-009")
    entry = {
        **CHECK_BASE,
        "description": "不动产登记簿中的房屋信息",
        "share_class": "conditional",
        "share_conditions": "仅用于办理住房保障",
        "legal_basis": "LB-009",
        "security_level": "3",
        "update_frequency": "other",
        "update_frequency_other": "每三年",
        "share_methods": ["query_api", "verify_api"],
        "base_library": "housing",
        "in_responsibility_list": True,
        "items": [
            {"name": "房屋坐落", "data_type": "C", "length": 200, "security_level": None},
            {"name": "建筑面积", "data_type": "N", "length": 12, "precision": 2, "security_level": 4},
        ],
    }
    assert check(api, entry) == (200, {"valid": True})


def test_it_refuses_anonymous_callers_and_hides_drafts(client, zhujian):
    draft = DataResourceFactory(provider_department=zhujian)
    assert client.get("/api/catalog/resources/").status_code == 403
    client.force_login(__import__("tests.factories", fromlist=["UserFactory"]).UserFactory())
    assert client.get(f"/api/catalog/resources/{draft.code}/").status_code == 404
    assert client.post("/api/catalog/resources/", {}).status_code == 405


def test_it_answers_errors_in_chinese(client, api, zhujian):
    from project.api import NOT_FOUND

    missing = api.get("/api/catalog/resources/220500-ZJ-99999/")
    assert missing.status_code == 404
    assert json.loads(missing.content) == {"detail": NOT_FOUND}
    api.logout()
    anonymous = client.get("/api/catalog/resources/")
    assert anonymous.status_code == 403
    assert json.loads(anonymous.content) == {"detail": "身份认证信息未提供。"}


def test_it_serves_the_openapi_schema_and_offline_docs(client, gongan_applicant):
    schema = json.loads(client.get("/api/schema/").content)
    assert schema["openapi"].startswith("3.")
    assert "/api/catalog/resources/" in schema["paths"] and "/api/catalog/items/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/catalog/resources/"]["get"]["parameters"]}
    assert {"q", "department", "domain", "share_class", "base_library", "method"} <= parameters
    docs = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs and "/api/schema/" in docs
    assert 'src="http' not in docs and 'href="http' not in docs  # nothing fetched from the internet


def test_it_refuses_more_items_than_a_resource_may_have(api, zhujian):
    items = [{"name": f"项{n}", "data_type": "D"} for n in range(MAX_ITEMS_PER_RESOURCE + 1)]
    assert check(api, items=items[:-1])[0] == 200
    assert check(api, items=items) == (400, {"items": [rules.MSG_TOO_MANY_ITEMS]})


def test_it_refuses_two_items_of_the_same_name(api, zhujian):
    items = [{"name": name, "data_type": "D"} for name in ("姓名", "出生日期", "姓名", "姓名")]
    message = rules.MSG_ITEM_NAME_DUPLICATE.format(name="姓名")
    assert check(api, items=items) == (400, {"items[2].name": [message], "items[3].name": [message]})


@pytest.mark.parametrize(
    "length, message",
    [
        ("abc", "「长度」应填写整数（不带小数点和单位）。"),
        (-5, "「长度」不能小于 0。"),
        (99999999999, "「长度」不能大于 2147483647。"),
    ],
)
def test_a_length_that_cannot_be_read_is_not_also_reported_missing(api, zhujian, length, message):
    assert check(api, items=[{"name": "姓名", "data_type": "C", "length": length}]) == (
        400,
        {"items[0].length": [message]},
    )


def test_it_refuses_a_yes_or_no_that_is_not_a_boolean(api, zhujian):
    assert check(api, in_responsibility_list="maybe", open_to_public=1) == (
        400,
        {
            "in_responsibility_list": [MSG_NOT_BOOLEAN.format(label="列入国家共享责任清单")],
            "open_to_public": [MSG_NOT_BOOLEAN.format(label="向社会开放")],
        },
    )
    assert check(api, in_responsibility_list=True, open_to_public=None) == (200, {"valid": True})


def test_it_says_in_chinese_what_to_fix_in_a_malformed_request(
    api, zhujian, zhujian_clerk, coordinator, gongan_applicant
):
    from project.api import BAD_REQUEST_BODY, CSRF_FAILED, NOT_FOUND

    def post(body, client=api):
        response = client.post(CHECK_URL, body, content_type="application/json")
        return response.status_code, json.loads(response.content)

    assert post("{bad") == (400, {"detail": BAD_REQUEST_BODY})
    assert post("null") == (400, {"non_field_errors": [MSG_NOT_AN_OBJECT]})
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(gongan_applicant)
    assert post(json.dumps(CHECK_BASE), client=strict) == (403, {"detail": CSRF_FAILED})
    resource = published(zhujian, coordinator, zhujian_clerk)
    for path in (f"{resource.code.lower()}/", f"{resource.code.lower()}/versions/", "220500-ZJ-0.1/"):
        missing = api.get(f"/api/catalog/resources/{path}")
        assert (missing.status_code, missing["Content-Type"]) == (404, "application/json"), path
        assert json.loads(missing.content) == {"detail": NOT_FOUND}
    assert get(api, f"/api/catalog/resources/{resource.code}/")["code"] == resource.code


def test_the_api_shows_the_catalogued_fields_in_their_order():
    from catalog.api import DataItemSerializer, DataResourceSerializer

    assert DataResourceSerializer.Meta.fields == [
        "id", "code", "name", "provider_department", "provider_department_code", "description", "domain",
        "domain_other", "share_class", "share_conditions", "legal_basis", "legal_basis_text", "security_level",
        "network", "update_frequency", "update_frequency_other", "share_methods", "base_library",
        "in_responsibility_list", "open_to_public", "mounted_records", "last_mounted_on",
        "status", "version", "registered_at", "items",
    ]  # fmt: skip
    assert DataItemSerializer.Meta.fields == [
        "id", "resource_code", "position", "name", "data_type", "data_type_label", "length", "precision",
        "description", "security_level",
    ]  # fmt: skip
