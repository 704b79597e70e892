"""What a browser test fails on besides its own assertions: every console error, every uncaught script error,
every Content-Security-Policy violation and every HTTP error answer, on every page a test opens.

A journey that provokes an error answer on purpose (a wrong password answers 422, a lockout 429) says so
first with `watch.expect_http_error(status, path)`. The conftest checks `problems` after each test's body, so
the test fails (and its screenshot is kept) on anything the person would have seen go wrong.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Response

# Chromium's console line for every answer of 400 or more, on the page's own requests and its resources alike.
FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})\b")

# The page's Content-Security-Policy reports each violation as a DOM event: the script hands it to the
# binding. (Chromium also prints it to the console, which is watched too; the event names the directive.)
CSP_BINDING = "__govshareCspViolation"
CSP_LISTENER = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  window.{CSP_BINDING}(`${{event.effectiveDirective}} blocked ${{event.blockedURI || "inline code"}}`
                       + ` (${{event.sourceFile || document.location.href}}:${{event.lineNumber}})`);
}});
"""


class Watch:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self._expected: set[tuple[int, str]] = set()

    def attach(self, context: BrowserContext) -> None:
        """Watch every page opened in `context`, from its first script on."""
        context.expose_binding(CSP_BINDING, lambda source, text: self._add(source["page"], f"CSP violation: {text}"))
        context.add_init_script(CSP_LISTENER)
        context.on("page", self._watch_page)

    def expect_http_error(self, status: int, path: str) -> None:
        """The test provokes `status` from `path` on purpose, as the person would (a wrong password)."""
        self._expected.add((status, path))

    def _watch_page(self, page: Page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self._add(page, f"uncaught script error: {error.name}: {error.message}"))
        page.on("response", lambda response: self._response(page, response))

    def _expected_error(self, status: int, url: str) -> bool:
        return (status, urlsplit(url).path) in self._expected

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        failed = FAILED_LOAD.match(message.text)
        if failed and self._expected_error(int(failed.group(1)), message.location.get("url", "")):
            return
        self._add(page, f"console error: {message.text} ({message.location.get('url', '')})")

    def _response(self, page: Page, response: Response) -> None:
        if response.status >= 400 and not self._expected_error(response.status, response.url):
            self._add(page, f"HTTP {response.status} for {response.request.method} {response.url}")

    def _add(self, page: Page, problem: str) -> None:
        self.problems.append(f"{problem} — on {page.url}")
