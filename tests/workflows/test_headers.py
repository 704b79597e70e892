"""Security headers on every page, and pages that satisfy their Content-Security-Policy (issue 15, item 10).

The policy allows scripts from our own origin and inline scripts carrying the response's nonce, nothing else:
two class tests hold every template to it (scanned as written) and every page the project serves (as rendered).
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from tests.workflows.urlwalk import all_paths

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# An inline event handler (onclick=...) or a javascript: URL: no nonce can allow those.
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
NONCE_IN_TEMPLATE = re.compile(r"""\bnonce\s*=\s*["']\{\{\s*request\.csp_nonce\s*\}\}["']""")


def _our_templates() -> list[Path]:
    folders = [Path(folder) for option in settings.TEMPLATES for folder in option["DIRS"]]
    for config in apps.get_app_configs():
        path = Path(config.path)
        ours = path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts  # not a venv inside
        if ours and (path / "templates").is_dir():
            folders.append(path / "templates")
    return sorted(file for folder in folders for file in folder.rglob("*") if file.suffix in (".html", ".txt", ".svg"))


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _violations(html: str, nonce: str | None) -> list[str]:
    found = []
    for match in SCRIPT_TAG.finditer(html):
        attributes = match.group(1)
        if "src=" in attributes:
            continue
        if re.search(r"type\s*=\s*[\"']?(application/json|application/ld\+json|text/template)", attributes):
            continue  # data, not code
        if not nonce or f'nonce="{nonce}"' not in attributes:
            found.append(f"inline <script{attributes}> without the response's nonce")
    found += [f"inline event handler {m.group(1)}=" for m in INLINE_HANDLER.finditer(html)]
    found += [f"javascript: URL {m.group(0)}" for m in JAVASCRIPT_URL.finditer(html)]
    return found


def test_the_scan_sees_every_apps_templates():
    templates = [str(file) for file in _our_templates()]
    for folder in ("catalog/templates", "requests/templates", "pdf_templates/templates", "notifications/templates"):
        assert any(folder in path for path in templates), folder
    assert any(path.endswith("templates/viewflow/base_page.html") for path in templates)


def test_the_scanner_catches_what_the_policy_blocks():
    assert _violations("<p><script>alert(1)</script></p>", "abc")
    assert _violations('<script nonce="other">x()</script>', "abc")
    assert _violations('<button onclick="return confirm(1)">x</button>', None)
    assert _violations('<a href="javascript:void(0)">x</a>', None)
    assert not _violations('<script nonce="abc">x()</script><script src="/static/a.js"></script>', "abc")


@pytest.mark.parametrize("template", _our_templates(), ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_template_has_an_inline_script_without_the_nonce(template):
    text = template.read_text(encoding="utf-8")
    problems = []
    for match in SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        if "src=" not in attributes and not NONCE_IN_TEMPLATE.search(attributes):
            problems.append(
                f'<script{attributes}>: move it to a static file or add nonce="{{{{ request.csp_nonce }}}}"'
            )
    problems += [
        f"inline event handler {m.group(1)}=: use a data- attribute and static JS"
        for m in INLINE_HANDLER.finditer(text)
    ]
    problems += [f"javascript: URL {m.group(0)}" for m in JAVASCRIPT_URL.finditer(text)]
    assert not problems, problems


EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _assert_headers(response, path: str) -> None:
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"], path
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], path
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], path
    script_src = policy["script-src"]
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert all(source == "'self'" or source.startswith("'nonce-") for source in script_src), script_src
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions, (path, feature)
    for header, value in EXPECTED_HEADERS.items():
        assert response.get(header) == value, (path, header, response.get(header))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_every_page_has_the_headers_and_satisfies_its_policy(who, request):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    html_pages = 0
    for path in all_paths():
        response = client.get(path)
        if not response["Content-Type"].startswith("text/html"):
            continue
        html_pages += 1
        _assert_headers(response, path)
        if hasattr(response, "content"):
            nonces = [s[len("'nonce-") : -1] for s in _policy(response)["script-src"] if s.startswith("'nonce-")]
            problems = _violations(response.content.decode(), nonces[0] if nonces else None)
            assert not problems, (path, problems)
    assert html_pages > 20


@pytest.mark.django_db
def test_error_and_lockout_pages_have_the_headers_too(client):
    _assert_headers(client.get("/verify/%00"), "/verify/%00")
    _assert_headers(client.get("/api/grants/check?x=%00"), "/api/grants/check")
    _assert_headers(client.get("/verify/AAAAAAAAAAAAAAAA"), "/verify/AAAAAAAAAAAAAAAA")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        locked = client.post("/accounts/login/", {"username": "someone", "password": "wrong"})
    assert locked.status_code == 429
    _assert_headers(locked, "/accounts/login/ (locked out)")
    assert not _violations(locked.content.decode(), None)


def test_the_nonce_is_in_the_policy_when_a_page_uses_it(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import Context, Template

    def view(request):
        html = Template('<script nonce="{{ request.csp_nonce }}">x()</script>').render(Context({"request": request}))
        return HttpResponse(html)

    request = rf.get("/")
    response = CSPMiddleware(view)(request)
    nonce = request.csp_nonce
    assert f"'nonce-{nonce}'" in _policy(response)["script-src"]
    assert not _violations(response.content.decode(), str(nonce))


@pytest.mark.django_db
def test_every_page_loads_the_script_that_replaces_inline_handlers(client, coordinator):
    client.force_login(coordinator)
    for path in ("/", "/catalog/", "/share_requests/", "/records/"):
        assert "govshare/js/govshare.js" in client.get(path, follow=True).content.decode(), path


def test_the_favicon_a_page_without_an_icon_link_asks_for_is_served(client):
    """Browsers ask for /favicon.ico on the admin's pages and /verify/: a 404 would be a console error on each."""
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == f"{settings.STATIC_URL}viewflow/img/favicon.png"
    assert finders.find("viewflow/img/favicon.png")  # collectstatic ships it
