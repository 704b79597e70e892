"""The browser tests (`make e2e`): the app served for real (tests/e2e/server.py), Debian's chromium driven by
Playwright's sync API, one browser context per person, and a watch on every page (tests/e2e/watch.py).

Not pytest-playwright: it pulls pytest-base-url, which imports the PyPI `requests` library that our app
`requests/` shadows (tests/test_no_requests_dependency.py). The few fixtures it would give are here.

The tests never touch the database: the server is another process with a database of its own, and Playwright's
sync API runs an event loop in this thread, where Django's ORM refuses to run. What a test checks, it checks as
the person sees it: in the pages, and in the files they download.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from organizations.demo import DEMO_PASSWORD, PERSONAS
from tests.e2e.server import Server, start
from tests.e2e.watch import Watch

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("GOVSHARE_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking switches Chromium keeps calling Google's services, which this closed
# network refuses (and would be traffic to outside the machine).
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-proxy-server",
]
VIEWPORT = {"width": 1280, "height": 800}
# Deciding renders the record in the same request (eager Celery); a loaded two-core machine takes seconds.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)

# Where the screenshots of the pages shown in the README go: `make screenshots` points this at docs/screenshots/;
# otherwise they land under var/, so a test run never changes the tree.
SCREENSHOTS = Path(os.environ.get("GOVSHARE_E2E_SCREENSHOTS") or settings.VAR_DIR / "e2e-screenshots")
FAILURES = settings.VAR_DIR / "e2e-failures"

WATCH = pytest.StashKey[Watch]()
PAGES = pytest.StashKey[list[Page]]()
SERVER = pytest.StashKey[Server]()


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    role: str  # the role's label, as the 工作台 shows it


PEOPLE = {username: Person(username, family + given, role.label) for username, family, given, _code, role in PERSONAS}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test: `-m e2e` selects them, `make test` leaves them out."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory, pytestconfig) -> Iterator[Server]:
    server = start(tmp_path_factory.mktemp("e2e-server"))
    pytestconfig.stash[SERVER] = server
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `make install` installs Debian's chromium (or set GOVSHARE_CHROMIUM)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def watch(request) -> Watch:
    request.node.stash[WATCH] = Watch()
    return request.node.stash[WATCH]


class People:
    """Each person in a browser context of their own (their own cookies), every page watched."""

    def __init__(self, browser: Browser, server: Server, watch: Watch, pages: list[Page]):
        self.browser, self.url, self.watch, self.pages = browser, server.url, watch, pages
        self.contexts: list[BrowserContext] = []

    def open(self, path: str = "/") -> Page:
        """A new browser, signed in as nobody, at `path`."""
        context = self.browser.new_context(
            base_url=self.url, viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.watch.attach(context)
        context.on("page", lambda page: self.pages.append(page))  # a tab a link opens too: its screenshot is kept
        self.contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Page:
        """`username` signs in on the login page and lands on their 工作台."""
        page = self.open("/accounts/login/")
        sign_in(page, username, password)
        expect(page).to_have_url(re.compile(r"/home/$"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def people(browser, e2e_server, watch, request) -> Iterator[People]:
    request.node.stash[PAGES] = pages = []
    crowd = People(browser, e2e_server, watch, pages)
    yield crowd
    crowd.close()


@pytest.fixture(scope="module")
def story() -> dict[str, str]:
    """What one step of a module's journey leaves for the next (a number, an address): its tests run in file
    order, and each reads what it needs with `tests.e2e.steps.needs`."""
    return {}


@pytest.fixture
def showcase():
    """Keep a picture of the page for the README (docs/screenshots/ with `make screenshots`)."""

    def keep(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.wait_for_load_state("networkidle")
        page.screenshot(path=path, animations="disabled", caret="hide")
        return path

    return keep


# ---------------------------------------------------------------- failing on what the person would see go wrong


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test's body: fail on any console error, script error, CSP violation or HTTP error seen."""
    result = yield
    watch = item.stash.get(WATCH, None)
    if watch and watch.problems:
        pytest.fail("the browser saw problems:\n" + "\n".join(f"  {p}" for p in watch.problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test keeps a screenshot of each page it had open, and the end of the server's log."""
    report = yield
    if report.when == "call" and report.failed:
        watch = item.stash.get(WATCH, None)
        if watch and watch.problems:  # seen before the test's own assertion failed: they may explain it
            report.sections.append(("what the browser saw go wrong", "\n".join(watch.problems)))
        shots = _screenshots(item)
        if shots:
            report.sections.append(("screenshots of the failing pages", "\n".join(shots)))
        server = item.config.stash.get(SERVER, None)
        if server:
            report.sections.append((f"server log ({server.log})", server.log_tail()))
    return report


def _screenshots(item) -> list[str]:
    FAILURES.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", item.nodeid)
    shots = []
    for index, page in enumerate(item.stash.get(PAGES, [])):
        if page.is_closed():
            continue
        path = FAILURES / f"{stem}-{index}.png"
        try:
            page.screenshot(path=path, full_page=True)
        except Exception as error:  # a crashed page: say so, the rest of the report still matters
            shots.append(f"{page.url}: no screenshot ({error})")
        else:
            shots.append(f"{page.url}: {path}")
    return shots
