"""The containment panel (htmx) and its write endpoints, by role."""

import re

import pytest
from django.urls import reverse

from containment import services
from containment.models import ContainmentAction
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
Status = ContainmentAction.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch, containment_settings):
    monkeypatch.setattr("soc.tasks.dispatch_on_commit", lambda *a, **k: None)


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def panel_url(case):
    return reverse("containment:case_panel", args=[case.pk])


def test_anonymous_users_are_sent_to_login(client, investigating_case):
    response = client.get(panel_url(investigating_case))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("containment:request", args=[investigating_case.pk]), {})
    assert response.status_code == 302


def test_outsiders_get_403_everywhere(client, investigating_case, outsider, t2):
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    login(client, outsider)
    assert client.get(panel_url(investigating_case)).status_code == 403
    for name in ["approve", "reject", "retry", "revert", "update_step"]:
        assert client.post(reverse(f"containment:{name}", args=[action.pk])).status_code == 403
    assert client.post(reverse("containment:request", args=[investigating_case.pk]), {}).status_code == 403


def test_l1_reads_the_panel_but_cannot_request(client, investigating_case, l1, t2):
    services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    login(client, l1)
    response = client.get(panel_url(investigating_case), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "203.0.113.77" in html
    assert "Request action" not in html and 'name="suggested"' not in html and 'name="revert"' not in html
    post = client.post(
        reverse("containment:request", args=[investigating_case.pk]),
        {"kind": "block_ip", "target": "203.0.113.9"},
    )
    assert post.status_code == 403
    assert ContainmentAction.objects.count() == 1


def test_t2_sees_suggestions_from_the_playbook_and_the_observables(client, investigating_case, t2):
    login(client, t2)
    html = client.get(panel_url(investigating_case), **HTMX).content.decode()
    assert "Block 203.0.113.77" in html
    assert "Disable account m.keller" in html
    # The playbook's manual containment items (risk assessment, incident response...).
    assert "Track step:" in html and "risk assessment" in html.lower()
    # Every suggestion is a POST form with CSRF and a named button.
    forms = re.findall(r"<form[^>]*>.*?</form>", html, re.S)
    suggestion_forms = [f for f in forms if 'name="suggested"' in f]
    assert len(suggestion_forms) >= 3
    assert all('method="post"' in f and "csrfmiddlewaretoken" in f for f in suggestion_forms)


def test_one_click_block_from_a_suggestion(client, investigating_case, t2):
    login(client, t2)
    response = client.post(
        reverse("containment:request", args=[investigating_case.pk]),
        {"kind": "block_ip", "target": "203.0.113.77", "reason": "Playbook"},
        **HTMX,
    )
    assert response.status_code == 200
    action = ContainmentAction.objects.get()
    assert action.status == Status.QUEUED and action.requested_by == t2
    html = response.content.decode()
    assert "requested" in html and "Block 203.0.113.77" not in html  # no longer suggested
    # The actions list polls while the block is in flight.
    assert 'hx-trigger="every 2s"' in html


def test_polling_stops_once_nothing_is_in_flight(client, investigating_case, t2):
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    login(client, t2)
    part = client.get(panel_url(investigating_case) + "?part=actions", **HTMX).content.decode()
    assert 'hx-trigger="every 2s"' in part and 'id="containment-actions"' in part
    assert "Request action" not in part  # just the actions list
    from containment.services import execution

    execution.action_run(action_id=action.pk)
    part = client.get(panel_url(investigating_case) + "?part=actions", **HTMX).content.decode()
    assert "every 2s" not in part and "Succeeded" in part


def test_guardrail_refusal_is_shown_with_its_rule(client, investigating_case, t2):
    login(client, t2)
    url = reverse("containment:request", args=[investigating_case.pk])
    response = client.post(url, {"kind": "block_ip", "target": "10.0.0.8"}, **HTMX)
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert "internal address space" in response.content.decode()
    plain = client.post(url, {"kind": "block_ip", "target": "10.0.0.8"})
    assert plain.status_code == 422
    assert not ContainmentAction.objects.exists()


def test_manager_approves_and_t2_cannot(client, investigating_case, t2, t2_other, manager):
    action = services.action_request(
        case=investigating_case, kind="disable_account", target="m.keller", by=t2
    )
    approve = reverse("containment:approve", args=[action.pk])
    login(client, t2)
    html = client.get(panel_url(investigating_case), **HTMX).content.decode()
    assert 'name="approve"' not in html and "Withdraw" in html
    assert client.post(approve, **HTMX).status_code == 403
    client.logout()
    login(client, manager)
    html = client.get(panel_url(investigating_case), **HTMX).content.decode()
    assert 'name="approve"' in html
    response = client.post(approve)
    assert response.status_code == 302 and response["Location"] == panel_url(investigating_case)
    action.refresh_from_db()
    assert action.status == Status.QUEUED and action.approved_by == manager
    assert client.post(approve).status_code == 409


def test_reject_retry_and_revert_buttons(client, investigating_case, t2, manager, settings):
    from containment.services import execution

    proposed = services.action_request(
        case=investigating_case, kind="disable_account", target="m.keller", by=t2
    )
    login(client, manager)
    client.post(reverse("containment:reject", args=[proposed.pk]), {"reason": "no"}, **HTMX)
    proposed.refresh_from_db()
    assert proposed.status == Status.REJECTED

    settings.CONTAINMENT_CONNECTORS = {
        **settings.CONTAINMENT_CONNECTORS,
        "block_ip": "tests.containment.support:PermanentlyBrokenConnector",
    }
    failed = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    execution.action_run(action_id=failed.pk)
    html = client.get(panel_url(investigating_case), **HTMX).content.decode()
    assert "Last error: connection refused" in html and 'name="retry"' in html
    client.post(reverse("containment:retry", args=[failed.pk]), **HTMX)
    failed.refresh_from_db()
    assert failed.status == Status.QUEUED

    ContainmentAction.objects.filter(pk=failed.pk).update(connector="edl")
    execution.action_run(action_id=failed.pk)
    client.post(reverse("containment:revert", args=[failed.pk]), **HTMX)
    failed.refresh_from_db()
    assert failed.status == Status.REVERTING


def test_manual_step_form_updates_owner_note_and_done(client, investigating_case, t2, manager):
    step = services.action_request(
        case=investigating_case, kind="manual", target="Business continuity call", by=t2
    )
    login(client, t2)
    html = client.get(panel_url(investigating_case), **HTMX).content.decode()
    prefix = f"step{step.pk}"
    for field in ["owner", "due_at", "note", "done"]:
        assert f'for="id_{prefix}-{field}"' in html  # every control labelled
    response = client.post(
        reverse("containment:update_step", args=[step.pk]),
        {
            f"{prefix}-owner": manager.username,
            f"{prefix}-note": "Bridge at 14:00",
            f"{prefix}-due_at": "2026-11-30T14:00",
            f"{prefix}-done": "on",
        },
        **HTMX,
    )
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.owner == manager and step.note == "Bridge at 14:00" and step.status == Status.SUCCEEDED
    assert step.due_at.isoformat().startswith("2026-11-30T14:00")


def test_attacker_controlled_text_is_escaped(client, investigating_case, t2):
    services.action_request(
        case=investigating_case, kind="manual", target="<script>alert(1)</script>", reason="<b>x</b>", by=t2
    )
    login(client, t2)
    html = client.get(panel_url(investigating_case), **HTMX).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_panel_page_without_htmx_is_a_full_page(client, investigating_case, t2):
    login(client, t2)
    response = client.get(panel_url(investigating_case))
    assert (
        response.status_code == 200
        and b"<html" in response.content
        and b"containment-body" in response.content
    )


def test_panel_query_count_does_not_grow_with_actions(
    client, investigating_case, t2, django_assert_max_num_queries
):
    for i in range(1, 6):
        services.action_request(case=investigating_case, kind="block_ip", target=f"203.0.113.{i}", by=t2)
        services.action_request(case=investigating_case, kind="manual", target=f"Step {i}", by=t2)
    login(client, t2)
    client.get(panel_url(investigating_case), **HTMX)  # warm the session
    with django_assert_max_num_queries(11):
        response = client.get(panel_url(investigating_case), **HTMX)
    assert response.content.decode().count('data-status="') == 10
