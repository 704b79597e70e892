"""A NUL character anywhere in a request gets a 400, on every URL the project serves (issue 15, item 2).

PostgreSQL refuses NUL in text, so a NUL reaching a query was an HTTP 500. The class rule: one middleware
answers before any view, so a new URL is covered without doing anything; the walk below requests each.
"""

import json

import pytest
from django.test import Client

from tests.workflows.urlwalk import all_paths
from workflows.middleware import MSG_NUL_BYTE

PATHS = all_paths()


def _api(path: str) -> bool:
    return path.startswith("/api/")


def _assert_refused(response, path: str) -> None:
    assert response.status_code == 400, (path, response.status_code)
    if _api(path):
        assert response["Content-Type"].startswith("application/json"), path
        assert response.json() == {"detail": MSG_NUL_BYTE}, path
    else:
        assert MSG_NUL_BYTE in response.content.decode(), path


def _requests(client: Client, path: str):
    """Each way a NUL can come in, on one path."""
    yield client.get(path + "%00")
    yield client.get(path, {"q": "\x00", "page": "1\x00"})
    yield client.get(path + "?status=%00")
    yield client.post(path, {"comment": "意见\x00", "name": "x"})
    yield client.post(path, {"name\x00": "x"})
    yield client.post(path, json.dumps({"comment": "a\u0000b", "items": [{"name": "\x00"}]}), "application/json")
    yield client.post(path, b'{"comment": "a\\u0000b"}', "application/json")


def test_the_walk_covers_the_project():
    # Every app's pages, the API, the admin, the accounts pages and the public verify page.
    for prefix in ("/admin/", "/api/grants/check", "/api/catalog/", "/accounts/login/", "/verify/", "/records/"):
        assert any(path.startswith(prefix) for path in PATHS), prefix
    assert len(PATHS) > 100


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_a_nul_byte_is_a_400_on_every_url(who, request):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for path in PATHS:
        for response in _requests(client, path):
            _assert_refused(response, path)


@pytest.mark.django_db
def test_a_nul_in_a_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abc\x00def"
    _assert_refused(client.get("/"), "/")


@pytest.mark.django_db
def test_requests_without_a_nul_pass(client, coordinator):
    # A JSON string holding an escaped backslash before "u0000" is no NUL.
    response = client.post("/api/catalog/resources/check/", b'{"name": "a\\\\u0000"}', "application/json")
    assert response.status_code != 400 or MSG_NUL_BYTE not in response.content.decode()
    assert client.get("/verify/AAAAAAAAAAAAAAAA?x=1").status_code == 404
    client.force_login(coordinator)
    assert client.get("/catalog/", {"q": "人口"}).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db
def test_verify_with_a_nul_is_a_400_on_postgresql(client):
    response = client.get("/verify/%00")
    assert response.status_code == 400
    assert MSG_NUL_BYTE in response.content.decode()
    response = client.post("/verify/%00", {"file": ""})
    assert response.status_code == 400
