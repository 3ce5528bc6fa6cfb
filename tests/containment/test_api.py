"""The containment API: request, read, approve, reject, retry, revert, manual steps."""

import pytest
from rest_framework.test import APIClient

from containment import services
from containment.models import ContainmentAction
from containment.services import execution

pytestmark = pytest.mark.django_db
Status = ContainmentAction.Status


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch, containment_settings):
    monkeypatch.setattr("containment.services.common.dispatch_on_commit", lambda *a, **k: None)


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def actions_url(case):
    return f"/api/v1/cases/{case.pk}/actions/"


def test_t2_requests_a_block_201_then_the_same_again_200(investigating_case, t2):
    body = {"kind": "block_ip", "target": "203.0.113.77", "reason": "scraping", "expires_in": 3600}
    response = api(t2).post(actions_url(investigating_case), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (
        data["status"] == "queued" and data["target"] == "203.0.113.77" and data["requested_by"] == "bob_t2"
    )
    assert data["case_reference"] == investigating_case.reference and data["expires_at"]
    again = api(t2).post(
        actions_url(investigating_case), {**body, "target": "203.0.113.77/32"}, format="json"
    )
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    detail = api(t2).get(f"/api/v1/actions/{data['id']}/")
    assert detail.status_code == 200 and detail.json()["status"] == "queued"
    listing = api(t2).get(actions_url(investigating_case))
    assert [a["id"] for a in listing.json()] == [data["id"]]


def test_anonymous_401_and_wrong_roles_403(investigating_case, l1, outsider, t2):
    body = {"kind": "block_ip", "target": "203.0.113.77"}
    assert api().post(actions_url(investigating_case), body, format="json").status_code in (401, 403)
    assert api().get(actions_url(investigating_case)).status_code in (401, 403)
    assert api(l1).post(actions_url(investigating_case), body, format="json").status_code == 403
    assert api(outsider).get(actions_url(investigating_case)).status_code == 403
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    assert api(outsider).get(f"/api/v1/actions/{action.pk}/").status_code == 403
    assert api(l1).get(f"/api/v1/actions/{action.pk}/").status_code == 200  # L1 reads
    for verb in ["approve", "reject", "retry", "revert"]:
        assert api(l1).post(f"/api/v1/actions/{action.pk}/{verb}/").status_code == 403


def test_ingest_tokens_cannot_use_the_containment_api(investigating_case, ingest_source):
    _, token = ingest_source
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(
        actions_url(investigating_case), {"kind": "block_ip", "target": "203.0.113.77"}, format="json"
    )
    assert response.status_code == 403


def test_guardrail_refusal_is_422_with_the_rule(investigating_case, t2):
    response = api(t2).post(
        actions_url(investigating_case), {"kind": "block_ip", "target": "192.168.10.5"}, format="json"
    )
    assert response.status_code == 422
    data = response.json()
    assert data["rule"] == "internal_range" and data["code"] == "refused" and data["status"] == 422


def test_manager_override_is_recorded(investigating_case, manager):
    response = api(manager).post(
        actions_url(investigating_case),
        {"kind": "block_ip", "target": "192.168.10.5", "override_reason": "Rogue device on the guest VLAN"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["overridden_rules"] == ["internal_range"]
    assert response.json()["overridden_by"] == "carol_manager"


def test_bad_input_is_400_with_field_errors(investigating_case, t2):
    response = api(t2).post(actions_url(investigating_case), {"kind": "nuke", "target": ""}, format="json")
    assert response.status_code == 400 and {"kind", "target"} <= set(response.json()["errors"])
    response = api(t2).post(
        actions_url(investigating_case), {"kind": "block_ip", "target": "x.y"}, format="json"
    )
    assert response.status_code == 400 and "target" in response.json()["errors"]


def test_approval_flow_and_409_on_the_wrong_state(investigating_case, t2, manager):
    created = (
        api(t2)
        .post(
            actions_url(investigating_case), {"kind": "disable_account", "target": "m.keller"}, format="json"
        )
        .json()
    )
    assert created["status"] == "proposed" and created["sensitive_reasons"] == ["disable_account"]
    url = f"/api/v1/actions/{created['id']}/"
    assert api(t2).post(url + "approve/").status_code == 403  # not a manager (and their own)
    approved = api(manager).post(url + "approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "queued"
    assert approved.json()["approved_by"] == "carol_manager"
    conflict = api(manager).post(url + "approve/")
    assert conflict.status_code == 409 and conflict.json()["current_status"] == "queued"
    assert api(t2).post(url + "retry/").status_code == 409
    # Undoing an approved action needs the same approval: the T2 may not, a manager may
    # (and is told the action cannot be reverted in its state).
    assert api(t2).post(url + "revert/").status_code == 403
    assert api(manager).post(url + "revert/").status_code == 409


def test_reject(investigating_case, t2, manager):
    created = (
        api(t2)
        .post(
            actions_url(investigating_case), {"kind": "disable_account", "target": "m.keller"}, format="json"
        )
        .json()
    )
    response = api(manager).post(f"/api/v1/actions/{created['id']}/reject/", {"reason": "VIP"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"


def test_retry_and_revert(investigating_case, t2, settings):
    settings.CONTAINMENT_CONNECTORS = {
        **settings.CONTAINMENT_CONNECTORS,
        "block_ip": "tests.containment.support:PermanentlyBrokenConnector",
    }
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    execution.action_run(action_id=action.pk)
    failed = api(t2).get(f"/api/v1/actions/{action.pk}/").json()
    assert failed["status"] == "failed" and failed["last_error"] == "connection refused"
    assert api(t2).post(f"/api/v1/actions/{action.pk}/retry/").json()["status"] == "queued"
    ContainmentAction.objects.filter(pk=action.pk).update(connector="edl")
    execution.action_run(action_id=action.pk)
    reverting = api(t2).post(f"/api/v1/actions/{action.pk}/revert/", {"reason": "FP"}, format="json")
    assert reverting.status_code == 200 and reverting.json()["status"] == "reverting"


def test_manual_steps_are_updated_with_patch(investigating_case, t2, manager, l1):
    created = (
        api(t2)
        .post(
            actions_url(investigating_case),
            {"kind": "manual", "target": "Initiate incident response"},
            format="json",
        )
        .json()
    )
    assert created["status"] == "running"
    url = f"/api/v1/actions/{created['id']}/"
    assert api(l1).patch(url, {"done": True}, format="json").status_code == 403
    response = api(t2).patch(
        url,
        {"owner": "carol_manager", "due_at": "2026-12-01T09:00:00Z", "note": "IR lead paged", "done": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (
        data["owner"] == "carol_manager" and data["note"] == "IR lead paged" and data["status"] == "succeeded"
    )
    assert data["due_at"].startswith("2026-12-01T09:00")


def test_unknown_ids_are_404(investigating_case, t2):
    assert api(t2).get("/api/v1/actions/999999/").status_code == 404
    assert (
        api(t2)
        .post("/api/v1/cases/999999/actions/", {"kind": "block_ip", "target": "203.0.113.7"}, format="json")
        .status_code
        == 404
    )


def test_the_schema_documents_the_endpoints(t2):
    response = api(t2).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    text = response.content.decode()
    for path in [
        "/api/v1/cases/{case_id}/actions/",
        "/api/v1/actions/{id}/",
        "/api/v1/actions/{id}/approve/",
        "/api/v1/actions/{id}/reject/",
        "/api/v1/actions/{id}/retry/",
        "/api/v1/actions/{id}/revert/",
    ]:
        assert path in text, path


@pytest.mark.parametrize("expires_in", [10**20, 10 * 365 * 24 * 3600 + 1, 2**63])
def test_an_out_of_range_expiry_is_a_400(investigating_case, t2, expires_in):
    response = api(t2).post(
        actions_url(investigating_case),
        {"kind": "block_ip", "target": "203.0.113.77", "expires_in": expires_in},
        format="json",
    )
    assert response.status_code == 400 and "expires_in" in response.json()["errors"]


def test_the_service_refuses_an_out_of_range_expiry_too(investigating_case, t2):
    from soc.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.action_request(
            case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2, expires_in=10**20
        )
    assert "expires_in" in refused.value.data["errors"]


def test_a_kind_routed_to_a_connector_that_cannot_do_it_is_a_400_on_kind(investigating_case, t2, settings):
    settings.CONTAINMENT_CONNECTORS = {**settings.CONTAINMENT_CONNECTORS, "block_ip": "ldap"}
    response = api(t2).post(
        actions_url(investigating_case), {"kind": "block_ip", "target": "203.0.113.77"}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert "does not carry out 'Block IP'" in response.json()["errors"]["kind"][0]
    assert not ContainmentAction.objects.exists()
