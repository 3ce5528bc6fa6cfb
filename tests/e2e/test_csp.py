"""Every page runs under the Content-Security-Policy without a single violation: chromium
reports each refused script, style, image or connection in the console, and this test fails
on any. New pages: add them to PAGES (or ANONYMOUS_PAGES) below."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# Pages a superuser opens ({case}: a case's id, {technique}: the seed playbook's technique).
PAGES = [
    "/",
    "/cases/",
    "/cases/?status=new&severity=4",
    "/cases/{case}/",
    "/playbooks/",
    "/playbooks/{technique}/",
    "/profile/",
    "/api/docs/",
    "/accounts/sign-in-events/",
    "/accounts/lockouts/",
    "/admin/",
    "/admin/cases/case/",
    "/admin/cases/case/{case}/change/",
    "/admin/cases/ingestsource/",
    "/admin/cases/ingestsource/add/",
    "/admin/playbooks/playbook/",
    "/admin/intel/knownnetwork/add/",
    "/admin/auth/user/",
    "/admin/accounts/signinevent/",
    "/no-such-page/",
]
ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/sso/refused/"]


def _watch(page) -> list[str]:
    problems: list[str] = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.append(f"{page.url}: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error {error}"))
    return problems


@pytest.fixture
def csp_case(seed_playbook, make_case, l1):
    from cases.services.workflow import case_claim

    case = make_case()
    case_claim(case=case, by=l1)
    return case


def test_every_page_runs_without_a_csp_violation(page, admin_user, login, csp_case, seed_playbook):
    problems = _watch(page)
    login(page, admin_user)
    technique = "T1591.002"

    for path in PAGES:
        url = path.format(case=csp_case.pk, technique=technique)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if path.startswith("/cases/{case}"):
            # htmx is loaded and live (its script passed the policy).
            assert page.evaluate("typeof window.htmx") == "object"

    assert problems == []


def test_pages_before_sign_in_run_without_a_csp_violation(page):
    problems = _watch(page)
    for path in ANONYMOUS_PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("h1")).to_be_visible()
    assert problems == []


def test_an_injected_inline_script_is_refused(page, l1, login):
    """The policy is really enforced: an inline script (as an escaping slip would let in) does not run."""
    login(page, l1)
    page.goto("/")
    ran = page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1';
        document.body.appendChild(s); return window.__pwned === 1; }"""
    )
    assert ran is False
