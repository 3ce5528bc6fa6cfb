"""The whole analyst story in chromium: an alert arrives over the API, L1 triages and
escalates it, T2 investigates, resolves and closes it, and the timeline shows every step.

Elements are found by role and label, as a person (or a screen reader) finds them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from cases.models import Case
from playbooks.models import PlaybookItem

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = {
    # The seed playbook's questions (by assist key) and L1's answers.
    "ip_reputation": "No",
    "related_activity": "Yes",
    "lookalike_domain": "Unknown",
    "partner_match": "No",
}


def step_form(page, text: str):
    """The form of one playbook item, found through its fieldset's legend (its group name)."""
    return page.locator("form.step", has=page.get_by_role("group", name=text[:60]))


def mark(page, text: str, choice: str, who: str):
    form = step_form(page, text)
    form.get_by_role("radio", name=choice, exact=True).check()
    # htmx saved it in place: the fragment comes back saying who changed it.
    expect(step_form(page, text)).to_contain_text(f"by {who}")
    expect(step_form(page, text).get_by_role("radio", name=choice, exact=True)).to_be_checked()


def logout(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_alert_to_closed_case(page, live_server, seed_playbook, ingest_source, l1, t2, login, screenshot):
    _, token = ingest_source
    items = {(i.section, i.order): i for i in PlaybookItem.objects.filter(version=seed_playbook)}
    questions = {i.assist: i.text for i in items.values() if i.section == "question"}
    indicators = [items[("key_indicator", n)].text for n in (1, 2, 3)]
    t2_actions = sorted((i for i in items.values() if i.section == "t2_action"), key=lambda i: i.order)

    # 1. The SIEM posts an alert with its ingest token.
    response = page.request.post(
        "/api/v1/alerts/",
        headers={"Authorization": f"Token {token}"},
        data={
            "source_ref": "story-1",
            "title": "Partner directory scraped from an unknown VPS",
            "description": "412 requests to /partners/* from 203.0.113.77 in 3 minutes; "
            "4,212 supplier records downloaded.",
            "severity": "high",
            "technique": "T1591.002",
            "observed_at": datetime.now(UTC).isoformat(),
            "observables": [{"type": "ip", "value": "203.0.113.77"}],
        },
    )
    assert response.status == 201, response.text()
    case = Case.objects.get(pk=response.json()["case"])

    # 2. L1 finds it in the triage queue and claims it.
    login(page, l1)
    triage = page.get_by_role("region", name=re.compile(r"^Triage"))
    expect(triage.get_by_role("link", name=case.reference)).to_be_visible()
    screenshot(page, "story-01-l1-dashboard")
    triage.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    page.get_by_role("button", name="Claim case").click()
    expect(page.get_by_role("status").first).to_contain_text("claimed")
    expect(page.get_by_test_id("case-status")).to_have_text("Triage")

    # 3. The four questions, then the key indicators, each saved in place.
    for assist, choice in ANSWERS.items():
        mark(page, questions[assist], choice, l1.username)
    mark(page, indicators[0], "Observed", l1.username)
    mark(page, indicators[1], "Not observed", l1.username)

    # 4. L1 judges the escalation criteria; Vigil's recommendation follows them (refreshed
    # in place) and names the one met.
    exfiltration = next(i.text for i in items.values() if i.assist == "exfiltration")
    step_form(page, exfiltration).get_by_role("checkbox", name="Met").check()
    expect(step_form(page, exfiltration)).to_contain_text(f"by {l1.username}")
    recommendation = page.locator("#recommendation")
    expect(recommendation).to_contain_text("Vigil recommends: Escalate")
    expect(recommendation).to_contain_text("signs of data exfiltration")
    screenshot(page, "story-02-l1-case-page")

    # 5. Escalate with a hand-off note.
    page.get_by_label("Hand-off note for T2").fill("VPS scraping the partner directory; not a partner IP.")
    page.get_by_role("button", name="Escalate to T2").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Escalated")
    logout(page)

    # 6. T2 finds it in the escalated queue (listed first) and reads the L1 summary.
    login(page, t2)
    queues = page.locator("section.queue h2")
    expect(queues.first).to_contain_text("Escalated to T2")
    escalated = page.get_by_role("region", name=re.compile(r"^Escalated to T2"))
    escalated.get_by_role("link", name=case.reference).click()
    summary = page.get_by_role("region", name="L1 summary")
    expect(summary).to_contain_text("VPS scraping the partner directory")
    expect(summary).to_contain_text(questions["related_activity"])
    expect(summary).to_contain_text("Observed")

    # 7. T2 claims, ticks the T2 actions, resolves and closes.
    page.get_by_role("button", name="Claim for investigation").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Investigating")
    for item in t2_actions:
        mark(page, item.text, "Done", t2.username)
    page.get_by_label("Resolution summary").fill("Blocked 203.0.113.77 at the edge; partner informed.")
    page.get_by_role("button", name="Resolve case").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Resolved")
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Closed")

    # 8. The timeline shows every step, in order, with who did it.
    timeline = page.get_by_role("region", name="Timeline")
    expected = [
        "Case opened",
        f"{l1.username} Claimed",
        f"{l1.username} {questions['ip_reputation']}",
        f"{l1.username} {questions['partner_match']}",
        f"{l1.username} Escalated to T2",
        f"{t2.username} Claimed",
        f"{t2.username} {t2_actions[-1].text}",
        f"{t2.username} Resolved",
        f"{t2.username} Closed",
    ]
    text = " ".join(timeline.inner_text().split())
    positions = [text.find(" ".join(entry.split())) for entry in expected]
    assert -1 not in positions, dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions)
    screenshot(page, "story-03-t2-closed-case")

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.handoff_note.startswith("VPS scraping")
    assert case.steps.filter(section="t2_action", value="done").count() == len(t2_actions)


def test_the_dashboard_refreshes_its_queues_in_place(page, seed_playbook, make_case, l1, login):
    first = make_case(title="First alert of the shift")
    login(page, l1)
    triage = page.get_by_role("region", name=re.compile(r"^Triage"))
    expect(triage.get_by_role("link", name=first.reference)).to_be_visible()
    page.evaluate("window.__notReloaded = true")

    second = make_case(title="Arrived while the dashboard was open")

    # htmx polls the queues every 5 s and swaps them in; the page itself is not reloaded.
    expect(triage.get_by_role("link", name=second.reference)).to_be_visible(timeout=12_000)
    assert page.evaluate("window.__notReloaded") is True
