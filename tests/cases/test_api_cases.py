"""The analyst API: reads, the workflow over HTTP, error shapes, tokens."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cases.models import Case
from cases.services import workflow as wf
from cases.services.tokens import user_token_create, user_token_revoke
from tests.cases.workflow_support import answer_suspicious, investigating, question, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case()


@pytest.fixture
def api():
    return APIClient()


def as_user(api: APIClient, user) -> APIClient:
    _, plain = user_token_create(user=user, name="tests", by=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return api


# --- reads ----------------------------------------------------------------------------


def test_case_list_filters_and_pages(api, seed_playbook, make_case, l1):
    a = make_case(severity=4)
    b = make_case(severity=1, technique_ids=["T1110"])
    wf.case_claim(case=a, by=l1)
    as_user(api, l1)
    body = api.get("/api/v1/cases/").json()
    assert body["count"] == 2
    assert {r["reference"] for r in body["results"]} == {a.reference, b.reference}
    first = next(r for r in body["results"] if r["id"] == a.pk)
    assert first["assignee"] == "alice_l1"
    assert first["playbook"] == {"technique_id": "T1591.002", "name": first["playbook"]["name"], "version": 1}
    assert first["url"] == f"http://testserver/api/v1/cases/{a.pk}/"
    for query, expected in [
        ("status=triage", {a.pk}),
        ("severity=1", {b.pk}),
        ("technique=T1110", {b.pk}),
        ("assignee=alice_l1", {a.pk}),
        ("observable=2001:db8::1", {b.pk}),
        ("q=2001:db8", {b.pk}),
    ]:
        got = {r["id"] for r in api.get(f"/api/v1/cases/?{query}").json()["results"]}
        assert got == expected, query
    assert len(api.get("/api/v1/cases/?page_size=1").json()["results"]) == 1


def test_case_list_queries_are_constant(api, seed_playbook, make_case, l1, django_assert_max_num_queries):
    as_user(api, l1)
    make_case()
    api.get("/api/v1/cases/")  # the token's first use records last_used_at
    with django_assert_max_num_queries(6) as few:
        api.get("/api/v1/cases/")
    for _ in range(30):
        wf.case_claim(case=make_case(), by=l1)
    with django_assert_max_num_queries(6) as many:
        assert api.get("/api/v1/cases/").json()["count"] == 31
    assert len(many.captured_queries) == len(few.captured_queries)


def test_case_detail_has_everything(api, case, l1, django_assert_max_num_queries):
    wf.case_claim(case=case, by=l1)
    q = question(case, "related_activity")
    Case.objects.get(pk=case.pk).steps.filter(pk=q.pk).update(
        suggestion={"answer": "yes", "reason": "probing", "evidence": ["x"]}
    )
    as_user(api, l1)
    with django_assert_max_num_queries(14):
        body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["reference"] == case.reference
    assert body["playbook"]["technique_id"] == "T1591.002"
    assert len(body["alerts"]) == 1 and "raw" in body["alerts"][0]
    assert {o["value"] for o in body["observables"]} == {"203.0.113.77", "m.keller"}
    assert len(body["steps"]) == case.steps.count()
    suggested = next(s for s in body["steps"] if s["id"] == q.pk)
    assert suggested["suggestion"]["answer"] == "yes"
    assert suggested["allowed_values"] == ["yes", "no", "unknown"]
    assert [e["verb"] for e in body["timeline"]][:2] == ["created", "alert_joined"]
    assert body["recommendation"]["decision"] in ("escalate", "close")
    assert body["containment_actions"] == []
    assert set(body["allowed_actions"]) >= {"escalate", "close", "unassign"}


def test_alert_detail(api, case, l1):
    alert = case.alerts.get()
    as_user(api, l1)
    body = api.get(f"/api/v1/alerts/{alert.pk}/").json()
    assert body["case"] == case.pk
    assert body["case_reference"] == case.reference
    assert {o["value"] for o in body["observables"]} == {"203.0.113.77", "m.keller"}
    assert api.get("/api/v1/alerts/999999/").status_code == 404


# --- workflow -------------------------------------------------------------------------


def test_the_whole_workflow_over_the_api(api, case, l1, t2):
    as_user(api, l1)
    response = api.post(f"/api/v1/cases/{case.pk}/claim/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "triage"
    for assist, value in {
        "ip_reputation": "no",
        "related_activity": "yes",
        "lookalike_domain": "unknown",
        "partner_match": "no",
    }.items():
        q = question(case, assist)
        response = api.patch(
            f"/api/v1/cases/{case.pk}/steps/{q.pk}/", {"answer": value, "note": "api"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["value"] == value
        assert response.json()["updated_by"] == "alice_l1"
    indicator = step(case, "key_indicator")
    assert (
        api.patch(
            f"/api/v1/cases/{case.pk}/steps/{indicator.pk}/", {"status": "observed"}, format="json"
        ).status_code
        == 200
    )
    criterion = step(case, "escalation_criterion")
    response = api.post(
        f"/api/v1/cases/{case.pk}/escalate/",
        {"note": "Unknown IP probing.", "criteria": [criterion.pk]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "escalated"

    t2_api = as_user(APIClient(), t2)
    assert (
        t2_api.post(f"/api/v1/cases/{case.pk}/claim/", {}, format="json").json()["status"] == "investigating"
    )
    action = step(case, "t2_action")
    assert (
        t2_api.patch(
            f"/api/v1/cases/{case.pk}/steps/{action.pk}/", {"status": "done"}, format="json"
        ).status_code
        == 200
    )
    response = t2_api.post(f"/api/v1/cases/{case.pk}/comments/", {"body": "Blocking **now**."}, format="json")
    assert response.status_code == 201
    assert "<strong>now</strong>" in response.json()["html"]
    response = t2_api.post(f"/api/v1/cases/{case.pk}/resolve/", {"summary": "Blocked the IP."}, format="json")
    assert response.json()["status"] == "resolved"
    response = t2_api.post(f"/api/v1/cases/{case.pk}/close/", {}, format="json")
    assert response.json()["status"] == "closed"
    timeline = t2_api.get(f"/api/v1/cases/{case.pk}/timeline/").json()
    verbs = [e["verb"] for e in timeline["results"]]
    for verb in ("claimed", "step_updated", "escalated", "commented", "resolved", "closed"):
        assert verb in verbs
    assert timeline["results"][-1]["actor"] == "bob_t2"


def test_invalid_transition_is_409_with_status_and_allowed(api, case, l1):
    as_user(api, l1)
    response = api.post(f"/api/v1/cases/{case.pk}/resolve/", {"summary": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["current_status"] == "new"
    response = api.post(f"/api/v1/cases/{case.pk}/escalate/", {"note": "x"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["current_status"] == "new"
    assert body["allowed"] == ["claim", "assign", "close"]


def test_l1_acting_on_a_t2_case_is_403(api, case, l1, t2):
    case = investigating(case, l1, t2)
    as_user(api, l1)
    for action, body in [("resolve", {"summary": "x"}), ("return", {"note": "x"})]:
        response = api.post(f"/api/v1/cases/{case.pk}/{action}/", body, format="json")
        assert response.status_code == 403, action
        assert response.json()["code"] == "permission_denied"
    action_step = step(case, "t2_action")
    response = api.patch(
        f"/api/v1/cases/{case.pk}/steps/{action_step.pk}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 403


def test_lost_claim_is_409_naming_the_winner(api, case, l1, l1_other):
    wf.case_claim(case=case, by=l1)
    as_user(api, l1_other)
    response = api.post(f"/api/v1/cases/{case.pk}/claim/", {"version": 1}, format="json")
    assert response.status_code == 409
    assert "already claimed by alice_l1" in response.json()["detail"]


def test_missing_fields_are_400_with_field_errors(api, case, l1):
    wf.case_claim(case=case, by=l1)
    as_user(api, l1)
    response = api.post(f"/api/v1/cases/{case.pk}/escalate/", {}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    response = api.post(f"/api/v1/cases/{case.pk}/escalate/", {"note": "x"}, format="json")
    assert response.status_code == 400
    assert len(response.json()["errors"]["questions"]) == 4
    response = api.post(f"/api/v1/cases/{case.pk}/close/", {"resolution": "benign"}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    q = question(case, "ip_reputation")
    response = api.patch(f"/api/v1/cases/{case.pk}/steps/{q.pk}/", {"answer": "observed"}, format="json")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]
    response = api.patch(f"/api/v1/cases/{case.pk}/steps/{q.pk}/", {}, format="json")
    assert response.status_code == 400
    response = api.post(
        f"/api/v1/cases/{case.pk}/close/",
        {"resolution": "duplicate", "note": "x", "duplicate_of": "CASE-1999-000001"},
        format="json",
    )
    assert response.status_code == 400
    assert "duplicate_of" in response.json()["errors"]


def test_return_and_assign_over_the_api(api, case, l1, t2, manager, t2_other):
    case = investigating(case, l1, t2)
    as_user(api, manager)
    response = api.post(f"/api/v1/cases/{case.pk}/assign/", {"assignee": "erin_t2"}, format="json")
    assert response.json()["assignee"] == "erin_t2"
    assert (
        api.post(f"/api/v1/cases/{case.pk}/assign/", {"assignee": "nobody"}, format="json").status_code == 400
    )
    response = api.post(f"/api/v1/cases/{case.pk}/return/", {"note": "More triage needed."}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assignee"]) == ("triage", "alice_l1")


def test_steps_of_another_case_are_404(api, seed_playbook, make_case, l1):
    a, b = make_case(), make_case()
    wf.case_claim(case=a, by=l1)
    as_user(api, l1)
    foreign = question(b, "ip_reputation")
    response = api.patch(f"/api/v1/cases/{a.pk}/steps/{foreign.pk}/", {"answer": "yes"}, format="json")
    assert response.status_code == 404


# --- auth -----------------------------------------------------------------------------


def test_ingest_tokens_and_anonymous_are_refused(api, case, ingest_source):
    assert api.get("/api/v1/cases/").status_code == 401
    assert api.post(f"/api/v1/cases/{case.pk}/claim/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {ingest_source[1]}")
    for method, url in [
        ("get", "/api/v1/cases/"),
        ("get", f"/api/v1/cases/{case.pk}/"),
        ("get", f"/api/v1/cases/{case.pk}/timeline/"),
        ("get", f"/api/v1/alerts/{case.alerts.get().pk}/"),
        ("post", f"/api/v1/cases/{case.pk}/claim/"),
    ]:
        assert getattr(api, method)(url).status_code == 403, url


def test_a_revoked_personal_token_is_401(api, case, l1):
    token, plain = user_token_create(user=l1, name="t", by=l1)
    api.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    assert api.get("/api/v1/cases/").status_code == 200
    user_token_revoke(token=token, by=l1)
    assert api.get("/api/v1/cases/").status_code == 401


def test_session_auth_works_and_outsiders_are_403(api, case, l1, outsider):
    api.force_authenticate(outsider)
    assert api.get("/api/v1/cases/").status_code == 403
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 403
    api.force_authenticate(l1)
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_the_schema_documents_the_workflow(api, l1):
    api.force_authenticate(l1)
    schema = api.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/claim/",
        "/api/v1/cases/{id}/escalate/",
        "/api/v1/cases/{id}/return/",
        "/api/v1/cases/{id}/close/",
        "/api/v1/cases/{id}/resolve/",
        "/api/v1/cases/{id}/comments/",
        "/api/v1/cases/{id}/timeline/",
        "/api/v1/cases/{id}/steps/{step_pk}/",
        "/api/v1/alerts/{id}/",
    ]:
        assert path in paths, path
    escalate = paths["/api/v1/cases/{id}/escalate/"]["post"]
    assert {"200", "400", "403", "409"} <= set(escalate["responses"])


def test_answers_persist_through_the_api_for_recommend(api, case, l1):
    wf.case_claim(case=case, by=l1)
    answer_suspicious(case, l1)
    as_user(api, l1)
    body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["recommendation"]["decision"] == "escalate"
