"""More of the cockpit in chromium: merging from the case list, observables by hand, an
unconfigured connector and a CIDR with host bits on T2's containment panel."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.containment.conftest import walk_to_investigating

pytestmark = pytest.mark.django_db(transaction=True)


def test_merge_from_the_case_list(page, seed_playbook, make_case, manager, login, screenshot):
    keep, dup = make_case(title="Keep me"), make_case(title="Duplicate")
    login(page, manager)
    page.goto("/cases/")
    page.get_by_label(f"Select {keep.reference}").check()
    page.get_by_label(f"Select {dup.reference}").check()
    page.get_by_label("With the selected cases").select_option("merge")
    page.get_by_label("Merge into (reference of a selected case)").fill(keep.reference)
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".messages")).to_contain_text(dup.reference)
    dup.refresh_from_db()
    assert (dup.status, dup.duplicate_of_id) == (Case.Status.CLOSED, keep.pk)
    page.goto(f"/cases/{keep.pk}/")
    expect(page.locator("#alerts-title")).to_contain_text("Alerts (2)")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text(
        f"{dup.reference} merged into {keep.reference}"
    )
    screenshot(page, "cockpit-30-merged-case")


def test_observables_by_hand(page, seed_playbook, make_case, l1, login, screenshot):
    case = make_case()
    login(page, l1)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="Claim case").click()
    page.get_by_label("Type", exact=True).select_option("cidr")
    page.get_by_label("Value", exact=True).fill("198.51.100.0/20")
    page.get_by_role("button", name="Add observable").click()
    expect(page.locator("#observables")).to_contain_text("did you mean 198.51.96.0/20?")
    expect(page.get_by_label("Value", exact=True)).to_have_value("198.51.100.0/20")
    page.get_by_label("Value", exact=True).fill("198.51.96.0/20")
    page.get_by_role("button", name="Add observable").click()
    row = page.locator("#observables tr", has_text="198.51.96.0/20")
    expect(row).to_be_visible()
    row.locator("summary").click()
    row.get_by_label("IOC").check()
    row.get_by_label("TLP").select_option("red")
    row.get_by_label("Tags (comma-separated)").fill("vps, scanner")
    row.get_by_role("button", name="Save flags").click()
    row = page.locator("#observables tr", has_text="198.51.96.0/20")
    expect(row).to_contain_text("TLP:RED")
    expect(row).to_contain_text("IOC")
    expect(row).to_contain_text("scanner")
    screenshot(page, "cockpit-31-observables-by-hand")


def test_unconfigured_connector_and_host_bits_on_the_panel(
    page, seed_playbook, make_case, l1, t2, login, screenshot, settings
):
    settings.CONTAINMENT_CONNECTORS = {"block_ip": "edl", "disable_account": "ldap", "manual": "manual"}
    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, "URL": "", "BASE_DN": ""}
    case = walk_to_investigating(make_case(), l1=l1, t2=t2)
    login(page, t2)
    page.goto(f"/cases/{case.pk}/containment/")
    expect(page.locator("#containment-body")).to_contain_text("Not configured: LDAP is not configured")
    expect(page.get_by_role("button", name=re.compile("Disable account"))).to_be_disabled()
    page.get_by_text("Request another action").click()
    page.get_by_label("Action").select_option("block_ip")
    page.get_by_label("Target").fill("198.51.100.0/20")
    page.get_by_role("button", name="Request action").click()
    expect(page.locator("#containment-body")).to_contain_text("did you mean 198.51.96.0/20?")
    screenshot(page, "cockpit-32-containment-refusals")
