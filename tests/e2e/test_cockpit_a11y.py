"""Accessibility of the dashboard, the case list and the case page: axe-core (bundled by
axe-playwright-python) finds no serious or critical violation, in light and dark mode."""

from __future__ import annotations

import pytest

from enrichment.assistant import refresh_case

pytestmark = pytest.mark.django_db(transaction=True)


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_violations(
    page, seed_playbook, ingest_alert_factory, make_case, l1, login, screenshot, scheme
):
    case = ingest_alert_factory().case
    refresh_case(case_id=case.pk)
    make_case(title="Second case", severity=4)
    page.emulate_media(color_scheme=scheme)
    login(page, l1)
    page.get_by_role("button", name="Claim case").count()  # nothing to claim on the dashboard
    for name, url in (("dashboard", "/"), ("case-list", "/cases/"), ("case-page", f"/cases/{case.pk}/")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        screenshot(page, f"cockpit-a11y-{name}-{scheme}")
        problems = serious_violations(page)
        assert not problems, (url, scheme, problems)
    # The case page of a claimed case: the decision forms and the editable questions.
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="Claim case").click()
    page.wait_for_load_state("networkidle")
    problems = serious_violations(page)
    assert not problems, ("claimed case page", scheme, problems)


def test_the_theme_toggle_overrides_the_system_and_is_kept(page, seed_playbook, l1, login, screenshot):
    page.emulate_media(color_scheme="light")
    login(page, l1)
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.get_by_role("button", name="Switch to dark mode").click()
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert dark != background
    page.reload()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == dark
    screenshot(page, "cockpit-dark-dashboard")
    page.get_by_role("button", name="Switch to light mode").click()
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == background
