"""The manager's view in chromium: the metrics page with its charts and tables, the case
page's SLA clock, and the case report downloaded as PDF and Markdown."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cases.models import Case
from cases.services import workflow as wf
from sla.services import sla_sync
from tests.cases.workflow_support import answer_benign, escalated

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def activity(seed_playbook, make_case, l1, t2):
    """A few days of work: cases closed by L1, escalated and picked up by T2, waiting."""
    made = []
    for n in range(8):
        case = make_case(severity=1 + n % 4)
        Case.objects.filter(pk=case.pk).update(
            opened_at=timezone.now() - timedelta(days=n % 4, minutes=40 + 7 * n)
        )
        case.refresh_from_db()
        if n % 3 == 0:
            case = escalated(case, l1)
            wf.case_claim(case=case, by=t2)
        elif n % 3 == 1:
            wf.case_claim(case=case, by=l1)
            answer_benign(case, l1)
            wf.case_close(case=case, by=l1, resolution="false_positive", note="Scheduled partner sync.")
        made.append(case)
    sla_sync([case.pk for case in made])
    return made


def test_manager_reads_the_metrics_page(page, manager, login, screenshot, activity):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Metrics").click()
    expect(page.get_by_role("heading", name="Metrics", level=1)).to_be_visible()
    for title in (
        "Cases opened and closed per day",
        "MTTA and MTTR by severity",
        "SLA compliance per stage",
        "Assistant agreement",
    ):
        section = page.get_by_role("region", name=title)
        expect(section).to_be_visible()
        expect(section.get_by_role("table")).to_be_visible()
    expect(
        page.get_by_role("img", name="MTTA and MTTR by severity (chart; the numbers are in the table below)")
    ).to_be_visible()
    assert page.locator("svg.chart").count() >= 7
    # The date filter answers in place of the default range.
    page.get_by_label("From").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Metrics", level=1)).to_be_visible()
    page.goto("/insights/metrics/")
    assert screenshot(page, "manager-metrics").stat().st_size > 0


def test_case_page_shows_the_sla_clock_and_downloads_the_report(page, t2, login, screenshot, activity):
    case = activity[0]  # escalated and picked up by T2
    login(page, t2)
    page.goto(f"/cases/{case.pk}/")
    clock = page.get_by_test_id("sla-countdown")
    expect(clock).to_contain_text("T2 pickup after escalation")
    expect(clock.locator('tr[data-stage="t2_pickup"]')).to_contain_text("met")
    with page.expect_download() as pdf_download:
        page.get_by_test_id("report-links").get_by_role("link", name="PDF").click()
    pdf = PdfReader(io.BytesIO(pdf_download.value.path().read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert case.reference in text and "Containment ledger" in text and "T2 picked up" in text
    with page.expect_download() as md_download:
        page.get_by_test_id("report-links").get_by_role("link", name="Markdown").click()
    markdown = md_download.value.path().read_text(encoding="utf-8")
    assert markdown.startswith(f"# {case.reference.replace('-', chr(92) + '-')}")
    assert screenshot(page, "case-sla-clock").stat().st_size > 0
