"""Every cockpit page from the outside, at 1280x900 and 1440x900, light and dark, with a
case built to break layouts: a very long URL observable, a very long title, 30 alerts and
containment actions. No page is wider than the viewport and no card's content is wider
than the card (a table cut off or drawn over the next card); the screenshots go to
test-artifacts/cockpit-layout-<page>-<width>-<scheme>.png for a person to look at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from containment.services import action_request
from notifications.services import notifications_derive
from tests.containment.conftest import walk_to_investigating

pytestmark = pytest.mark.django_db(transaction=True)

LONG_URL = (
    "https://cdn.partner-portal.example.net/exports/" + "supplier-list-" * 40 + "?token=" + "A1b2" * 150
)
LONG_TITLE = (
    "Partner/Vendor Directory Burst from Unusual Source IP while the account was also used from a "
    "Tor exit node during the quarterly supplier review, with an export of every partner contact "
    "and a download link named " + "x" * 120
)
WIDTHS = (1280, 1440)
SCHEMES = ("light", "dark")

MEASURE = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && el.offsetParent !== null)
    .filter(el => !el.closest('.visually-hidden, [hidden]'))
    .slice(0, 5).map(el => el.tagName + '.' + el.className + '#' + el.id);
  // A card whose content is wider than the card (cut off, or drawn over its neighbour).
  const spilling = [...document.querySelectorAll('.card')]
    .filter(card => card.scrollWidth > card.clientWidth + 1)
    .slice(0, 5).map(card => (card.id || card.className) + ' ' + card.scrollWidth + '>' + card.clientWidth);
  return {width: doc.scrollWidth, viewport: window.innerWidth, wide, spilling};
}"""


@pytest.fixture
def heavy_case(seed_playbook, ingest_alert_factory, l1, t2, manager, settings):
    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, "URL": "ldap://127.0.0.1:9", "BASE_DN": "dc=x"}
    observables = [
        ("ip", "203.0.113.77", "source"),
        ("user", "m.keller", "user"),
        ("url", LONG_URL, "declared"),
    ]
    case = ingest_alert_factory(title=LONG_TITLE, observables=observables, severity=4).case
    for _ in range(29):
        ingest_alert_factory(title=LONG_TITLE, observables=observables, severity=4)
    case = walk_to_investigating(case, l1=l1, t2=t2)
    action_request(case=case, kind="block_ip", target="203.0.113.77", by=t2, reason="Scanner " * 40)
    action_request(case=case, kind="disable_account", target="m.keller", by=t2, reason="Hijacked session")
    notifications_derive(now=timezone.now() + timedelta(minutes=5))
    case.refresh_from_db()
    assert case.alerts.count() == 30
    return case


def test_no_cockpit_page_is_wider_than_the_viewport(page, heavy_case, manager, login, screenshot):
    pages = {
        "case": f"/cases/{heavy_case.pk}/",
        "case-list": "/cases/",
        "dashboard": "/",
        "approvals": "/containment/approvals/",
        "notifications": "/notifications/",
        "metrics": "/insights/metrics/",
    }
    login(page, manager)
    too_wide = {}
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for name, url in pages.items():
                response = page.goto(url)
                assert response.status == 200, (url, response.status)
                found = page.evaluate(MEASURE)
                text = page.locator("main").inner_text()
                for raw in ("via ldap", "via edl", "disable_account", "block_ip", "t2_pickup"):
                    assert raw not in text, (url, raw)  # raw keys, not words
                screenshot(page, f"cockpit-layout-{name}-{width}-{scheme}")
                if found["width"] > found["viewport"] or found["spilling"]:
                    too_wide[f"{name} {width} {scheme}"] = found
    assert not too_wide, too_wide


def test_a_long_title_keeps_a_queue_row_two_lines_tall(page, heavy_case, manager, login):
    login(page, manager)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    row = page.locator(f"#queue-containment tr:has(a:text-is('{heavy_case.reference}'))")
    title = row.locator("td.text .clamp")
    line = float(title.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert title.bounding_box()["height"] <= 2 * line + 1
    assert title.get_attribute("title") == LONG_TITLE  # the whole title, on hover
