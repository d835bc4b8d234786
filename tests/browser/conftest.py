"""Shared set-up of the browser tests: Debian's Chromium driven by Playwright, and a watch for
content security policy violations (SEC-2).

Every browser context a test opens through the ``browser`` fixture is watched: an init script
(run by the browser before the page's own scripts; CSP does not apply to it, it is injected over
the DevTools protocol, see test_csp_pages.test_the_watch_sees_a_violation) listens for
``securitypolicyviolation`` events and reports each one to the test, and every console message about
a Content Security Policy is kept too. ``csp_violations.assert_none()`` fails the test on any; a
violation the test did not check for makes the test fail at teardown all the same.

The journeys' preamble, once: ``signed_in_page(browser, live_server, "zhang", width=390)`` (or the
``signed_in`` fixture: ``signed_in("zhang")``) opens a zh-CN context, signs in through the login form
and waits for the inbox; ``log_in`` does the signing in on a page already open; ``screenshot`` and
``no_sideways_scroll`` are the journeys' checks.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from django.urls import reverse

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "pass-12345"

_WATCH_SCRIPT = """
(() => {
  window.__qsmCspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    const el = e.target instanceof Element ? e.target : null;
    const where = el ? " on <" + el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ">" : "";
    const text = e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " in " + location.pathname
      + where + " (" + (e.sourceFile || "") + ":" + e.lineNumber + ") " + (e.sample || "");
    window.__qsmCspViolations.push(text);
    if (window.__qsmReportCsp) window.__qsmReportCsp(text);
  }, true);
})();
"""


class CspViolations:
    """What the watched pages reported: violation events, and CSP messages on the console."""

    def __init__(self):
        self.events: list[str] = []
        self.console: list[str] = []

    def watch(self, context) -> None:
        context.expose_function("__qsmReportCsp", self._report)
        context.add_init_script(_WATCH_SCRIPT)
        context.on("page", self._watch_console)
        for page in context.pages:
            self._watch_console(page)

    def _report(self, text: str) -> None:
        self.events.append(text)

    def _watch_console(self, page) -> None:
        def on_console(message):
            if "Content Security Policy" in message.text:
                self.console.append(f"{page.url}: {message.text}")

        page.on("console", on_console)

    def all(self) -> list[str]:
        return self.events + self.console

    def clear(self) -> None:
        self.events.clear()
        self.console.clear()

    def assert_none(self) -> None:
        """Fails on any violation so far; the teardown check then only sees later ones."""
        __tracebackhide__ = True
        seen = self.all()
        self.clear()
        assert seen == [], "content security policy violations:\n" + "\n".join(seen)


class _WatchedBrowser:
    """The Playwright browser, with every new context watched for CSP violations."""

    def __init__(self, browser, violations: CspViolations):
        self._browser = browser
        self._violations = violations

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        self._violations.watch(context)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def csp_violations():
    violations = CspViolations()
    yield violations
    assert violations.all() == [], "content security policy violations:\n" + "\n".join(violations.all())


@pytest.fixture
def browser(monkeypatch, csp_violations):
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield _WatchedBrowser(browser, csp_violations)
        browser.close()


# --- the journeys' preamble ---------------------------------------------------------------------------


def log_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait for the inbox."""
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-button")
    page.wait_for_url(live_server.url + reverse("inbox"))


def signed_in_page(browser, live_server, username: str, *, viewport: dict | None = None, width: int = 1366,
                   height: int = 900, timeout: int = 15_000, **context_options):
    """A page of a new zh-CN browser context (``viewport``, else ``width`` x ``height``), signed in as
    ``username`` and on the inbox; ``context_options`` go to ``new_context`` (e.g. reduced_motion)."""
    context = browser.new_context(viewport=viewport or {"width": width, "height": height}, locale="zh-CN",
                                  **context_options)
    page = context.new_page()
    page.set_default_timeout(timeout)
    log_in(page, live_server, username)
    return page


@pytest.fixture
def signed_in(browser, live_server):
    """``signed_in(username, **options)`` -> a signed-in page (``signed_in_page``)."""
    return partial(signed_in_page, browser, live_server)


def screenshot(page, name: str) -> None:
    """test-artifacts/screenshots/<name>.png, from the top: a full-page capture of a scrolled page paints
    the sticky navbar mid-page."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
