"""Browser fixtures: Playwright driving Debian's Chromium against the live test server."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in this thread; the ORM calls that set up test data are
# still plain synchronous calls, so Django's async-safety guard does not apply to them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}. Install it with: sudo apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this fails instead of skipping)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageWatch:
    """What a page did that it should not: requests to other hosts, console errors (CSP included)."""

    def __init__(self, page, host):
        self.foreign_requests = []
        self.console_errors = []
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

        def only_our_host(route):
            if urlsplit(route.request.url).hostname != host:
                self.foreign_requests.append(route.request.url)
                return route.abort()
            return route.continue_()

        page.route("**/*", only_our_host)

    def assert_clean(self):
        assert self.foreign_requests == []
        assert self.console_errors == []


def make_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.watch = PageWatch(page, urlsplit(live_server.url).hostname)
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = make_page(browser, live_server)
    yield page
    page.watch.assert_clean()
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context, page = make_page(browser, live_server, java_script_enabled=False)
    yield page
    page.watch.assert_clean()
    context.close()


@pytest.fixture
def assert_accessible():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        # axe judges the page as styled: before the stylesheet applies, it sees an unstyled layout.
        page.wait_for_load_state("load")
        results = axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
        )
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check
