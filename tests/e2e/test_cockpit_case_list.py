"""The case list in chromium: the status filter's checkboxes, bulk claim of selected rows,
the keyboard shortcuts (/ search, j/k move, enter open, c claim, ? help), and the header's
search box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


def test_filters_and_bulk_claim(page, seed_playbook, make_case, l1, login, screenshot):
    cases = [make_case(title=f"Burst {n}", severity=1 + n % 4) for n in range(4)]
    login(page, l1)
    page.goto("/cases/")
    page.get_by_role("group", name="Severity").get_by_label("Critical").check()
    page.get_by_role("button", name="Apply filters").click()
    results = page.locator("#results")
    expect(results).to_contain_text(cases[3].reference)
    expect(results).not_to_contain_text(cases[0].reference)
    page.goto("/cases/")
    for case in cases[:2]:
        page.get_by_label(f"Select {case.reference}").check()
    page.get_by_label("With the selected cases").select_option("claim")
    screenshot(page, "cockpit-10-case-list-selection")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".messages")).to_contain_text(cases[0].reference)
    assert set(Case.objects.filter(assignee=l1).values_list("pk", flat=True)) == {c.pk for c in cases[:2]}


def test_keyboard_shortcuts(page, seed_playbook, make_case, l1, login, screenshot):
    older, newer = make_case(title="Older"), make_case(title="Newer")
    login(page, l1)
    page.goto("/cases/")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    screenshot(page, "cockpit-11-shortcuts-help")
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(page.locator("tr.is-current")).to_contain_text(newer.reference)
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("tr.is-current")).to_contain_text(newer.reference)
    page.keyboard.press("j")
    page.keyboard.press("c")
    expect(page.locator(".messages")).to_contain_text(older.reference)
    assert Case.objects.get(pk=older.pk).assignee == l1
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(newer.reference)
    page.keyboard.press("c")
    expect(page.get_by_test_id("case-status")).to_have_text("Triage")
    page.keyboard.press("/")
    expect(
        page.get_by_label("Find cases by reference, title, observable or alert source reference")
    ).to_be_focused()


def test_header_search(page, seed_playbook, make_case, l1, login):
    case = make_case(title="Scraper", source_ref="SIEM-99")
    make_case(title="Other")
    login(page, l1)
    search = page.get_by_label("Find cases by reference, title, observable or alert source reference")
    search.fill("SIEM-99")
    search.press("Enter")
    expect(page.get_by_role("region", name="Search results")).to_contain_text(case.reference)
    search = page.get_by_label("Find cases by reference, title, observable or alert source reference")
    search.fill(case.reference)
    search.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)


def test_bulk_assign_offers_the_eligible_analysts_and_refuses_a_wrong_tier(
    page, seed_playbook, make_case, l1, l1_other, t2, manager, outsider, login, screenshot
):
    from tests.cases.workflow_support import escalated

    l1_case, t2_case = make_case(title="Triage me"), escalated(make_case(title="T2 work"), l1)
    login(page, manager)
    page.goto("/cases/")
    assignee = page.get_by_label("Assign to")
    labels = assignee.locator("option").all_inner_texts()
    assert "bob_t2 (T2 Analyst)" in labels and "dave_l1 (L1 Analyst)" in labels
    assert not any(label.startswith("mallory") for label in labels)  # no role: not eligible
    page.get_by_label(f"Select {l1_case.reference}").check()
    page.get_by_label(f"Select {t2_case.reference}").check()
    page.get_by_label("With the selected cases").select_option("assign")
    assignee.select_option(label="dave_l1 (L1 Analyst)")
    page.get_by_role("button", name="Apply to selected").click()
    error = page.locator("#id_bulk-assignee-error")
    expect(error).to_contain_text(f"dave_l1 cannot work T2-tier cases: {t2_case.reference}.")
    # What the user chose is still there, so they only change the analyst.
    expect(page.get_by_label(f"Select {t2_case.reference}")).to_be_checked()
    expect(page.get_by_label("Assign to")).to_have_value("dave_l1")
    screenshot(page, "cockpit-12-bulk-assign-refused")
    page.get_by_label("Assign to").select_option(label="bob_t2 (T2 Analyst)")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".messages")).to_contain_text(t2_case.reference)
    assert set(Case.objects.filter(assignee=t2).values_list("pk", flat=True)) == {l1_case.pk, t2_case.pk}
