"""The watch (tests/e2e/watch.py) sees what would make a journey fail: a page whose script is refused by the
Content-Security-Policy, a console error, an uncaught script error, an HTTP error answer.

Each test provokes one on a real page, asserts the watch saw it, then forgets it so the test itself passes.
"""

from playwright.sync_api import expect


def _seen(watch, page, text: str) -> list[str]:
    """The problems naming `text`, once the watch has heard of them (events arrive between page calls)."""
    for _ in range(50):
        found = [problem for problem in watch.problems if text in problem]
        if found:
            break
        page.wait_for_timeout(100)
    watch.problems.clear()
    return found


def test_an_inline_script_the_policy_refuses_is_a_csp_violation(people, watch):
    page = people.open("/accounts/login/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.ranInline = true";
            document.body.appendChild(script);
        }"""
    )
    assert page.evaluate("() => window.ranInline") is None  # the policy did refuse it
    assert _seen(watch, page, "CSP violation: script-src")


def test_a_console_error_and_an_uncaught_error_are_seen(people, watch):
    page = people.open("/accounts/login/")
    page.evaluate("() => console.error('写在控制台的错误')")
    assert _seen(watch, page, "console error: 写在控制台的错误")
    page.evaluate("() => setTimeout(() => { throw new Error('未捕获的错误'); })")
    assert _seen(watch, page, "uncaught script error: Error: 未捕获的错误")


def test_an_http_error_is_seen_unless_the_test_expects_it(people, watch):
    page = people.open("/no-such-page/")
    assert _seen(watch, page, "HTTP 404 for GET")
    watch.expect_http_error(404, "/no-such-page/")
    page.goto("/no-such-page/")
    expect(page.locator("body")).to_contain_text("404")
    assert watch.problems == []
