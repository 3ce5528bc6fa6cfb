"""The decision-first case page: suggestions pre-selected and confirmed, forms that keep
what was typed, alerts a page at a time, sections folded for the viewer's tier."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, CaseStep
from cases.services import workflow as wf
from tests.cases.workflow_support import question

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case()


def suggest_all(case: Case, answer: str = "no") -> None:
    """The assistant suggests `answer` for every question (and indicator)."""
    for step in case.steps.filter(section__in=["question", "key_indicator"]):
        CaseStep.objects.filter(pk=step.pk).update(
            suggestion={
                "answer": answer,
                "reason": "assistant",
                "evidence": [
                    {"observable": "ip:203.0.113.77", "source": "ip_reputation", "detail": "listed"}
                ],
            }
        )


def detail(case):
    return reverse("cases:detail", args=[case.pk])


def test_a_suggestion_is_preselected_but_marked_unconfirmed(client, case, l1):
    suggest_all(case, "yes")
    wf.case_claim(case=case, by=l1)
    client.force_login(l1)
    html = client.get(detail(case)).content.decode()
    q = question(case, "related_activity")
    assert f'id="step-{q.pk}-yes" name="value" value="yes" checked' in html
    assert "Suggested, not confirmed" in html
    assert "Accept all suggestions (" in html
    # The evidence is folded beneath and links to the observable's row.
    obs = case.observables.get(value="203.0.113.77")
    assert '<details class="evidence">' in html
    assert f'href="#observable-{obs.pk}"' in html and f'id="observable-{obs.pk}"' in html
    q.refresh_from_db()
    assert q.value == ""


def test_one_click_confirms_a_suggestion_as_agreed(client, case, l1):
    suggest_all(case, "no")
    wf.case_claim(case=case, by=l1)
    q = question(case, "ip_reputation")
    client.force_login(l1)
    response = client.post(reverse("cases:step", args=[case.pk, q.pk]), {"confirm": "1"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "case-changed"
    q.refresh_from_db()
    assert (q.value, q.agreed_with_suggestion) == ("no", True)
    event = case.events.filter(verb=CaseEvent.Verb.STEP_UPDATED).latest("pk")
    assert event.data["answer_source"] == "suggestion_confirmed"
    assert event.data["agreed_with_suggestion"] is True


def test_accept_all_confirms_the_rest_and_keeps_given_answers(client, case, l1):
    suggest_all(case, "no")
    wf.case_claim(case=case, by=l1)
    client.force_login(l1)
    client.post(
        reverse("cases:step", args=[case.pk, question(case, "related_activity").pk]), {"value": "yes"}, **HTMX
    )
    response = client.post(reverse("cases:suggestions_accept", args=[case.pk]))
    assert response.status_code == 302
    values = dict(case.steps.filter(section="question").values_list("item__assist", "value"))
    assert values["related_activity"] == "yes"  # the analyst's answer stays
    assert values["ip_reputation"] == values["partner_match"] == "no"
    sources = [e.data.get("answer_source") for e in case.events.filter(verb="step_updated").order_by("pk")]
    assert sources[0] == "analyst"
    assert set(sources[1:]) == {"suggestions_accepted"}
    agreed = CaseStep.objects.filter(case=case, agreed_with_suggestion=True).count()
    assert agreed == len(sources) - 1


def test_accept_all_needs_the_right_to_work_the_steps(client, case, l1, l1_other, outsider):
    suggest_all(case)
    wf.case_claim(case=case, by=l1)
    url = reverse("cases:suggestions_accept", args=[case.pk])
    client.force_login(outsider)
    assert client.post(url).status_code == 403
    # Another L1: nothing of this case is theirs to answer, nothing changes.
    client.force_login(l1_other)
    client.post(url)
    assert not case.steps.exclude(value="").exists()


def test_a_refused_escalation_keeps_the_note_and_shows_errors_beside_fields(client, case, l1):
    wf.case_claim(case=case, by=l1)
    case.refresh_from_db()
    client.force_login(l1)
    response = client.post(
        reverse("cases:transition", args=[case.pk, "escalate"]),
        {"escalate-version": case.version, "escalate-note": "Probing <b>from</b> an unknown VPS"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Probing &lt;b&gt;from&lt;/b&gt; an unknown VPS</textarea>" in html
    assert "Not answered:" in html  # the unanswered questions, above the form's fields
    case.refresh_from_db()
    assert case.status == Case.Status.TRIAGE


def test_a_missing_note_is_shown_beside_the_note_field(client, case, l1):
    wf.case_claim(case=case, by=l1)
    case.refresh_from_db()
    client.force_login(l1)
    response = client.post(
        reverse("cases:transition", args=[case.pk, "escalate"]), {"escalate-version": case.version}
    )
    html = response.content.decode()
    assert 'id="id_escalate-note-error"' in html
    assert "A hand-off note for T2 is required." in html


def test_the_decision_bar_comes_before_the_questions(client, case, l1):
    wf.case_claim(case=case, by=l1)
    client.force_login(l1)
    html = client.get(detail(case)).content.decode()
    assert html.index('data-testid="decision-bar"') < html.index('id="playbook"') < html.index('id="alerts"')
    assert "Escalate to T2" in html and "Close case" in html


def test_sections_the_viewer_cannot_act_on_are_folded(client, case, l1):
    client.force_login(l1)
    html = client.get(detail(case)).content.decode()
    assert '<details class="card playbook-section" id="section-question" open>' in html
    assert '<details class="card playbook-section" id="section-t2_action">' in html


def test_alerts_are_filtered_and_paged(client, case, l1, ingest_alert_factory):
    for n in range(3):
        ingest_alert_factory(title=f"Follow-up burst {n}", severity=4 if n == 1 else 2)
    client.force_login(l1)
    url = reverse("cases:alerts", args=[case.pk])
    html = client.get(url, {"alert_severity": "4"}, **HTMX).content.decode()
    assert "Follow-up burst 1" in html and "Follow-up burst 0" not in html
    html = client.get(url, {"alert_q": "burst 2"}, **HTMX).content.decode()
    assert "Follow-up burst 2" in html and "burst 1" not in html
    # Bad filter values are ignored, not a 500.
    assert client.get(url, {"alert_severity": "x", "alerts_page": "zz"}, **HTMX).status_code == 200


def test_an_alert_of_another_case_is_404(client, case, make_case, l1, outsider):
    other = make_case(technique_ids=["T1110"])
    alert = other.alerts.get()
    client.force_login(l1)
    assert client.get(reverse("cases:alert", args=[case.pk, alert.pk])).status_code == 404
    assert client.get(reverse("cases:alert", args=[other.pk, alert.pk])).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("cases:alert", args=[other.pk, alert.pk])).status_code == 403
