"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server."""

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(
        reason=f"No Chromium at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


# pytest-playwright's own `playwright`, `browser` and `browser_context_args` live for the whole
# session. Playwright's sync API keeps an event loop running in this thread while it is started,
# and Django refuses ORM calls while a loop runs; so ORM calls are allowed for these tests only,
# and Playwright stops after them: the rest of the suite keeps Django's guard.
@pytest.fixture(scope="package")
def playwright():
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as started:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield started


@pytest.fixture(scope="package")
def browser(playwright, browser_type_launch_args):
    launched = playwright.chromium.launch(**browser_type_launch_args)
    yield launched
    launched.close()


@pytest.fixture(scope="package")
def browser_context_args():
    return {}  # each test passes its live server as base_url


@pytest.fixture
def signed_in(new_context, live_server, client):
    """signed_in(user, js=True) -> a page whose browser holds `user`'s session cookie.
    (The sign-in form itself is exercised once, in the admin flow.)"""

    def _signed_in(user, *, js: bool = True):
        client.force_login(user)
        context = new_context(java_script_enabled=js, base_url=live_server.url)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        return context.new_page()

    return _signed_in


@pytest.fixture
def check_page():
    """check_page(page, name): save a screenshot into test-artifacts/ and assert that axe-core
    finds no accessibility violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ARTIFACTS.mkdir(exist_ok=True)

    def _check(page, name: str) -> None:
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        results = axe.run(page)
        assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"

    return _check


@pytest.fixture
def call_api(live_server):
    """call_api(path, secret) -> (status, json body): a real HTTP request to the live server."""

    def _call(path: str, secret: str) -> tuple[int, dict]:
        request = urllib.request.Request(
            live_server.url + path, headers={"Authorization": f"Bearer {secret}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    return _call
