"""The case report (Markdown and PDF): what it contains, who may read it, and that
attacker-controlled text in every field renders as text in both formats."""

from __future__ import annotations

import io
import re

import markdown
import pytest
from pypdf import PdfReader

from cases.models import Case, CaseStep, Observable
from cases.services import workflow as wf
from cases.services.comments import comment_add
from containment.models import ContainmentAction
from containment.services import action_request
from tests.cases.workflow_support import answer_suspicious

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script> **bold** [link](javascript:alert(1)) <img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_case(seed_playbook, make_case, l1, t2, settings):
    """A case investigated through the real services, with the payload in every field a
    report shows (fields no service writes with free text are set on the rows)."""
    settings.CONTAINMENT_CONNECTORS = {"block_ip": "edl", "disable_account": "ldap", "manual": "manual"}
    case = make_case(title=f"Title {PAYLOAD}", description=f"Description {PAYLOAD}")
    wf.case_claim(case=case, by=l1)
    answer_suspicious(case, l1)
    CaseStep.objects.filter(case=case, section="question").update(
        note=f"Note {PAYLOAD}",
        suggestion={
            "answer": "no",
            "reason": f"Reason {PAYLOAD}",
            "evidence": [{"observable": f"Obs {PAYLOAD}", "source": "feed", "detail": f"Detail {PAYLOAD}"}],
        },
    )
    wf.case_escalate(case=case, by=l1, note=f"Handoff {PAYLOAD}", reason=f"Override {PAYLOAD}")
    Case.objects.filter(pk=case.pk).update(override_reason=f"Override {PAYLOAD}")  # as if L1 went against it
    wf.case_claim(case=case, by=t2)
    Observable.objects.filter(case_links__case=case).update(
        enrichment={"ip_reputation": {"summary": f"Enriched {PAYLOAD}"}}
    )
    comment_add(case=case, body=f"Comment {PAYLOAD}", by=t2)
    action = action_request(
        case=case, kind="block_ip", target="203.0.113.77", reason=f"Block {PAYLOAD}", by=t2
    )
    ContainmentAction.objects.filter(pk=action.pk).update(last_error=f"Error {PAYLOAD}")
    case.refresh_from_db()
    wf.case_resolve(case=case, by=t2, summary=f"Resolved {PAYLOAD}")
    return case


MARKERS = [
    "Title",
    "Handoff",
    "Note",
    "Reason",
    "Obs",
    "Detail",
    "Override",
    "Enriched",
    "Comment",
    "Block",
    "Error",
    "Resolved",
]


def test_markdown_report_shows_every_payload_as_text(client, hostile_case, t2):
    client.force_login(t2)
    response = client.get(f"/api/v1/cases/{hostile_case.pk}/report?format=md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    for section in (
        "## Summary",
        "## Questions, criteria and recommendation",
        "## Observables",
        "## Containment ledger",
        "## Timeline",
        "## Resolution",
    ):
        assert section in text
    html = markdown.markdown(text, extensions=["tables"])
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<strong>bold" not in html
    import html as html_lib

    visible = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
    for marker in MARKERS:
        assert f"{marker} {PAYLOAD}" in " ".join(visible.split()), marker


def test_pdf_report_shows_every_payload_as_text(client, hostile_case, t2):
    client.force_login(t2)
    response = client.get(f"/api/v1/cases/{hostile_case.pk}/report?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = re.sub(r"\s+", "", text)
    assert "Containmentledger" in compact and "Resolution" in compact
    for marker in MARKERS:
        assert re.sub(r"\s+", "", f"{marker} {PAYLOAD}") in compact, marker


def test_report_contains_answers_who_answered_and_the_recommendation(client, hostile_case, t2):
    client.force_login(t2)
    text = client.get(f"/api/v1/cases/{hostile_case.pk}/report").content.decode()
    assert "alice\\_l1" in text  # who answered (escaped underscore)
    assert "Vigil recommended:** escalate" in text
    assert "Block IP" in text and "bob\\_t2" in text


def test_report_is_for_those_who_see_cases(client, hostile_case, outsider):
    client.force_login(outsider)
    assert client.get(f"/api/v1/cases/{hostile_case.pk}/report?format=md").status_code == 403
    assert client.get(f"/api/v1/cases/{hostile_case.pk}/report?format=pdf").status_code == 403
    client.logout()
    assert client.get(f"/api/v1/cases/{hostile_case.pk}/report").status_code in (401, 403)


def test_missing_case_and_unknown_format(client, t2, db):
    client.force_login(t2)
    assert client.get("/api/v1/cases/999999/report?format=md").status_code == 404
    bad = client.get("/api/v1/cases/999999/report?format=docx")
    assert bad.status_code == 400 and "format" in bad.json()["errors"]


def test_case_page_links_to_the_report(client, hostile_case, t2):
    client.force_login(t2)
    html = client.get(f"/cases/{hostile_case.pk}/").content.decode()
    assert f"/api/v1/cases/{hostile_case.pk}/report?format=pdf" in html


@pytest.mark.parametrize("font", ["", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"])
def test_pdf_with_and_without_a_unicode_font(client, seed_playbook, make_case, t2, settings, font):
    settings.VIGIL_REPORT_FONT = font
    case = make_case(title="Lookalike p\u0430ypal.com (Cyrillic \u0430) \u2713")
    client.force_login(t2)
    response = client.get(f"/api/v1/cases/{case.pk}/report?format=pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Lookalike p" in text
    if font:
        assert "p\u0430ypal.com" in text


def test_pdf_of_a_case_with_huge_fields(client, seed_playbook, make_case, t2):
    case = make_case(title="T" * 500)
    Case.objects.filter(pk=case.pk).update(handoff_note="word " * 3000, resolution_note="x" * 20000)
    CaseStep.objects.filter(case=case, section="question").update(
        note="n" * 5000,
        suggestion={"answer": "no", "reason": "r" * 5000, "evidence": [{"detail": "d" * 5000}] * 5},
    )
    client.force_login(t2)
    response = client.get(f"/api/v1/cases/{case.pk}/report?format=pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "the Markdown report has the full text" in re.sub(r"\s+", " ", text)
