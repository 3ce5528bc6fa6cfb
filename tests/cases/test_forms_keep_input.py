"""Issue 12 item 2, form by form: when validation fails the page answers 400, every field
keeps what was typed, and the error sits beside its field (id="<field id>-error")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.services import workflow as wf
from tests.cases.workflow_support import investigating

pytestmark = pytest.mark.django_db

TYPED = "Typed by the analyst <b>kept</b> & escaped"
ESCAPED = "Typed by the analyst &lt;b&gt;kept&lt;/b&gt; &amp; escaped"


def error_beside(html: str, field_id: str) -> bool:
    return f'id="{field_id}-error"' in html


def kept_in_textarea(html: str, field_id: str) -> bool:
    found = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>\s*(.*?)</textarea>', html, re.S)
    return bool(found) and ESCAPED in found.group(1)


def kept_in_input(html: str, field_id: str, value: str) -> bool:
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    return bool(tag) and f'value="{value}"' in tag.group(0)


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case()


def transition(client, case, action, **fields):
    data = {f"{action}-{k}": v for k, v in fields.items()}
    data[f"{action}-version"] = case.version
    return client.post(reverse("cases:transition", args=[case.pk, action]), data)


def test_close_without_a_resolution_keeps_the_note(client, case, l1):
    case = wf.case_claim(case=case, by=l1)
    client.force_login(l1)
    response = transition(client, case, "close", note=TYPED, duplicate_of="")
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_close-resolution")
    assert kept_in_textarea(html, "id_close-note")


def test_close_as_a_duplicate_of_an_unknown_case_keeps_what_was_typed(client, case, l1):
    case = wf.case_claim(case=case, by=l1)
    client.force_login(l1)
    response = transition(
        client, case, "close", resolution="duplicate", duplicate_of="CASE-1999-000001", note=TYPED
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_close-duplicate_of")
    assert kept_in_input(html, "id_close-duplicate_of", "CASE-1999-000001")
    assert kept_in_textarea(html, "id_close-note")


def test_a_refused_escalation_keeps_the_hand_off_note(client, case, l1):
    case = wf.case_claim(case=case, by=l1)  # nothing answered: not ready to escalate
    client.force_login(l1)
    response = transition(client, case, "escalate", note=TYPED)
    assert response.status_code == 400
    html = response.content.decode()
    assert kept_in_textarea(html, "id_escalate-note")
    assert 'role="alert"' in html or "-error" in html


def test_a_bad_resolution_keeps_the_summary(client, case, l1, t2):
    case = investigating(case, l1, t2)
    client.force_login(t2)
    response = transition(client, case, "resolve", resolution="made_up", summary=TYPED)
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_resolve-resolution")
    assert kept_in_textarea(html, "id_resolve-summary")


def test_bulk_close_without_a_resolution_keeps_the_reason_and_selection(client, seed_playbook, make_case, l1):
    cases = [make_case(), make_case()]
    client.force_login(l1)
    data = {
        "bulk-action": "close",
        "bulk-cases": [c.pk for c in cases],
        "bulk-reason": "Scanner of our partner",
    }
    response = client.post(reverse("cases:bulk"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_bulk-resolution")
    assert kept_in_input(html, "id_bulk-reason", "Scanner of our partner")
    for case in cases:
        assert re.search(rf'id="select-{case.pk}"[^>]*checked', html)


def test_a_bad_observable_keeps_type_and_value(client, case, l1):
    client.force_login(l1)
    url = reverse("cases:observable_add", args=[case.pk])
    response = client.post(url, {"observable-type": "cidr", "observable-value": "198.51.100.0/20"})
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_observable-value")
    assert kept_in_input(html, "id_observable-value", "198.51.100.0/20")
    assert re.search(r'<option value="cidr" selected>', html)


def test_a_refused_containment_request_keeps_target_and_reason(client, case, l1, t2):
    case = investigating(case, l1, t2)
    client.force_login(t2)
    url = reverse("containment:request", args=[case.pk])
    response = client.post(url, {"kind": "block_ip", "target": "198.51.100.0/20", "reason": TYPED})
    assert response.status_code == 400
    html = response.content.decode()
    assert "did you mean 198.51.96.0/20?" in html
    assert re.search(r'<input[^>]*name="target"[^>]*value="198.51.100.0/20"', html)
    assert ESCAPED in html


def test_bad_preferences_keep_the_channels_chosen(client, l1):
    client.force_login(l1)
    data = {
        "case_escalated": ["email"],
        "sla_breached": ["webhook", "in_app"],
        "tz-time_zone": "Mars/Olympus",
    }
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_tz-time_zone")
    for kind, channel in (
        ("case_escalated", "email"),
        ("sla_breached", "webhook"),
        ("sla_breached", "in_app"),
    ):
        assert re.search(rf'<input[^>]*name="{kind}" value="{channel}"[^>]*checked', html), (kind, channel)
    assert not re.search(r'<input[^>]*name="case_escalated" value="in_app"[^>]*checked', html)


def test_a_too_long_saved_filter_name_is_kept_with_its_error(client, l1):
    client.force_login(l1)
    name = "n" * 81
    response = client.post(reverse("cases:saved_filter_create"), {"name": name, "query": "status=new"})
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_name")
    assert kept_in_input(html, "id_name", name)
