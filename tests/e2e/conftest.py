"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's
live server.

Fixtures: `browser` (one chromium for the session), `page` (a fresh context per test with
base_url = the live server), `login` (log a persona in through the form) and `screenshot`
(PNG into test-artifacts/). Browser tests need `@pytest.mark.django_db(transaction=True)`:
the live server runs in another thread and sees only committed rows.

Never download a browser: only /usr/bin/chromium is used. When it is missing or cannot
start, the tests skip locally and fail in CI (VIGIL_REQUIRE_SERVICES=1).
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO_ROOT, require_service

# Playwright's sync API keeps an asyncio loop in this thread; Django would otherwise refuse
# ORM calls from the test ("SynchronousOnlyOperation"). The ORM calls here are synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.services)


@pytest.fixture(scope="session")
def browser():
    require_service(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        require_service(False, f"playwright is not installed: {exc}")

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        require_service(False, f"chromium did not start under Playwright: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, user, password: str = PASSWORD):
    """Sign `user` in through the login form, as a person would, and wait for the redirect."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as test-artifacts/<name>.png (gitignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(name="login")
def login_fixture():
    return login


@pytest.fixture(name="screenshot")
def screenshot_fixture():
    return screenshot
