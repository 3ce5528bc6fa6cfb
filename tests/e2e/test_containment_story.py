"""The T1591.002 containment story in chromium, on a real Celery worker and a real slapd:
T2 blocks the alert's source IP and (with a SOC manager's approval) disables the affected
account from the case page, the IP shows up in the firewall feed, the account is disabled
in the directory, and both are reverted.
"""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.containment.conftest import slapd, slapd_server, walk_to_investigating  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)
FEED_AUTH = {"Authorization": "Basic " + base64.b64encode(b"paloalto:feed-secret").decode()}


def feed(page) -> str:
    response = page.request.get("/feeds/ip-blocklist.txt", headers=FEED_AUTH)
    assert response.status == 200
    return response.text()


def action_row(panel, kind: str, target: str):
    return panel.get_by_role("row").filter(has_text=kind).filter(has_text=target)


@pytest.fixture
def story_case(seed_playbook, make_case, l1, t2):
    """The case (203.0.113.77 using m.keller), walked to T2 before the worker starts, so the
    enrichment task it dispatches does not race the L1 answers written here."""
    return walk_to_investigating(make_case(), l1=l1, t2=t2)


def test_t2_blocks_the_ip_and_disables_the_account_then_reverts_both(
    page,
    browser,
    live_server,
    story_case,
    t2,
    manager,
    slapd,  # noqa: F811 (the imported fixture)
    celery_worker,
    settings,
    login,
    screenshot,
):
    settings.CONTAINMENT_FEED_USERNAME = "paloalto"
    settings.CONTAINMENT_FEED_PASSWORD = "feed-secret"
    settings.CONTAINMENT_CONNECTORS = {"block_ip": "edl", "disable_account": "ldap", "manual": "manual"}
    settings.CONTAINMENT_LDAP = slapd.settings("ad")
    settings.CONTAINMENT_QUEUE = ""
    case = story_case

    # T2 opens the case; the containment panel loads into the page and suggests both actions.
    login(page, t2)
    page.goto(f"/cases/{case.pk}/")
    panel = page.get_by_role("region", name="Containment")
    expect(panel.get_by_role("button", name="Block 203.0.113.77")).to_be_visible()
    screenshot(page, "containment-01-suggestions")
    panel.get_by_role("button", name="Block 203.0.113.77").click()
    block_row = action_row(panel, "Block IP", "203.0.113.77")
    # The panel polls while the block is in flight: Queued/Running -> Succeeded without a reload.
    expect(block_row).to_contain_text("Succeeded", timeout=30_000)
    assert re.search(r"^203\.0\.113\.77 ", feed(page), re.M)

    panel.get_by_role("button", name="Disable account m.keller").click()
    disable_row = action_row(panel, "Disable account", "m.keller")
    expect(disable_row).to_contain_text("Awaiting approval")
    expect(disable_row.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)  # not their own
    screenshot(page, "containment-02-awaiting-approval")

    # A SOC manager approves it in their own browser session.
    manager_context = browser.new_context(base_url=live_server.url)
    manager_page = manager_context.new_page()
    login(manager_page, manager)
    manager_page.goto(f"/cases/{case.pk}/")
    manager_panel = manager_page.get_by_role("region", name="Containment")
    manager_panel.get_by_role("button", name="Approve Disable account m.keller").click()
    expect(action_row(manager_panel, "Disable account", "m.keller")).to_contain_text(
        "Succeeded", timeout=30_000
    )
    assert slapd.read("m.keller", "userAccountControl") == ["514"]

    # T2's page catches up on its own when reloaded; T2 reverts the block. The disable
    # needed approval, so undoing it does too: T2 is not offered it, the manager reverts it.
    page.reload()
    panel = page.get_by_role("region", name="Containment")
    expect(action_row(panel, "Disable account", "m.keller")).to_contain_text("Succeeded")
    screenshot(page, "containment-03-contained")
    panel.get_by_role("button", name="Revert Block IP 203.0.113.77").click()
    expect(action_row(panel, "Block IP", "203.0.113.77")).to_contain_text("Reverted", timeout=30_000)
    expect(panel.get_by_role("button", name="Revert Disable account m.keller")).to_have_count(0)
    manager_page.reload()
    manager_panel = manager_page.get_by_role("region", name="Containment")
    manager_panel.get_by_role("button", name="Revert Disable account m.keller").click()
    expect(action_row(manager_panel, "Disable account", "m.keller")).to_contain_text(
        "Reverted", timeout=30_000
    )
    manager_context.close()
    page.reload()
    panel = page.get_by_role("region", name="Containment")
    expect(action_row(panel, "Disable account", "m.keller")).to_contain_text("Reverted")
    screenshot(page, "containment-04-reverted")

    assert "203.0.113.77" not in feed(page)
    assert slapd.read("m.keller", "userAccountControl") == ["512"]
    case.refresh_from_db()
    assert case.status == "containment" and case.contained_at is not None
