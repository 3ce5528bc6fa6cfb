"""A SOC manager's side in chromium: the approvals inbox with its count in the
navigation bar, the notifications bell, the branded admin with 24-hour times, and the
playbook editor fitting the page."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from containment.services import action_request
from notifications.services import notifications_derive
from tests.containment.conftest import walk_to_investigating

pytestmark = pytest.mark.django_db(transaction=True)

LDAP = {"URL": "ldap://127.0.0.1:9", "BASE_DN": "dc=example,dc=com", "MODE": "ad"}


def boxes_overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_manager_approves_from_the_inbox_and_sees_the_bell(
    page, seed_playbook, make_case, l1, t2, manager, login, screenshot, settings
):
    from datetime import timedelta

    from django.utils import timezone

    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, **LDAP}
    case = walk_to_investigating(make_case(), l1=l1, t2=t2)
    action = action_request(
        case=case, kind="disable_account", target="m.keller", reason="Impersonation", by=t2
    )
    notifications_derive(now=timezone.now() + timedelta(minutes=5))
    login(page, manager)
    expect(page.get_by_test_id("approvals-link")).to_contain_text("1")
    expect(page.get_by_test_id("bell")).to_contain_text(re.compile(r"[1-9]"))
    page.get_by_test_id("approvals-link").click()
    row = page.locator(f"#approval-{action.pk}")
    expect(row).to_contain_text("It disables an account")
    screenshot(page, "cockpit-20-approvals-inbox")
    row.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator("#approvals")).to_contain_text("Nothing is waiting for approval.")
    page.get_by_test_id("bell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("main")).to_contain_text(case.reference)
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("bell")).to_contain_text("0")
    screenshot(page, "cockpit-21-notifications")


@override_settings(TIME_ZONE="UTC")
def test_the_admin_is_branded_24_hour_and_the_playbook_editor_fits(
    page, seed_playbook, make_case, manager, login, screenshot
):
    make_case()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, manager)
    page.goto("/admin/cases/case/")
    expect(page.locator("#site-name")).to_contain_text("Vigil administration")
    text = page.locator("#result_list").inner_text()
    assert "a.m." not in text and "p.m." not in text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text), text
    page.goto(f"/admin/playbooks/playbookversion/{seed_playbook.pk}/change/")
    screenshot(page, "cockpit-22-playbook-editor")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280, width
    tools = page.locator(".object-tools").bounding_box()
    heading = page.locator("#content h1, #content h2").first.bounding_box()
    assert tools and heading and not boxes_overlap(tools, heading)
