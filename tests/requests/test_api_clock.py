"""One clock: every datetime the API answers is Beijing time with its offset (+08:00), as the pages show it.

The HTTP test walks every API endpoint the project serves (today's and new ones), so a serializer or a
hand-built answer that emits UTC (or a naive time) fails here.
"""

import datetime as dt
import json
import re

import pytest

from requests.services.grant_check import CheckAnswer
from requests.services.grants import api_token_issue
from tests.project_approvals.helpers import make_project
from tests.requests.helpers import client_for
from tests.systems_inventory.helpers import make_system
from tests.workflows.urlwalk import CANDIDATES, fillings, patterns

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

# An ISO 8601 date and time (a date alone has no clock): 2026-03-02T10:00:00+08:00, …Z, or naive.
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
POST_ONLY = {"/api/catalog/resources/check/", "/api/catalog/resources/check.%(format)s", "/api/systems/activity"}


def datetimes(value, path: str = "$"):
    """(where, text) of every string in a JSON document that reads as a date with a time."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from datetimes(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from datetimes(child, f"{path}[{index}]")
    elif isinstance(value, str) and DATETIME.match(value):
        yield path, value


def test_the_grant_check_answer_is_stamped_in_beijing_time(housing_resource, gongan):
    answer = CheckAnswer(allowed=False, reason="no_grant").as_dict(consumer=gongan, resource=housing_resource, items=[])
    checked_at = dt.datetime.fromisoformat(answer["checked_at"])
    assert answer["checked_at"].endswith("+08:00")
    assert checked_at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # `frozen`


def test_every_api_answer_gives_its_datetimes_in_beijing_time(housing_grant, gongan_applicant, zhengshu, gongan):
    resource = housing_grant.resource
    item = resource.items.first()
    system = make_system(gongan)  # the applicant's own department's: /api/systems/<id>/ shows it
    project = make_project(gongan_applicant, systems=[system])  # the gate API's
    _, token = api_token_issue(department=zhengshu, name="市政务数据交换平台")
    client = client_for(gongan_applicant)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    queries = {
        "/api/grants/check": {"consumer": "TH-GA", "resource": resource.code, "items": "房屋坐落"},
        "/api/gates/": {"year": "2027"},
    }
    candidates = (resource.code, str(item.pk), str(system.pk), project.reference, system.reference, "json", ".json")
    candidates += CANDIDATES
    found, answered = [], set()
    for format_string, params in patterns():
        if not format_string.startswith("/api/"):
            continue
        for path in fillings(format_string, params, candidates):
            token_api = next((prefix for prefix in queries if path.startswith(prefix)), None)
            response = client.get(path, queries.get(token_api, {}), **(headers if token_api else {}))
            if response.status_code == 200:
                answered.add(format_string)
                if response["Content-Type"].startswith("application/json"):
                    found.extend(datetimes(json.loads(response.content), f"{path} $"))
                break
    served = {format_string for format_string, _ in patterns() if format_string.startswith("/api/")}
    assert served - answered == POST_ONLY, "an API endpoint answered no GET: give the walk its parameters"
    stamped = {where.split("$")[1] for where, _ in found}
    # the grant check, serializers' fields, the gate API
    assert {".checked_at", ".registered_at", "[0].created_at", ".evaluated_at"} <= stamped
    assert [(where, text) for where, text in found if not text.endswith("+08:00")] == []
