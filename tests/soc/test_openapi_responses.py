"""The OpenAPI schema describes what the API answers: live responses of every read
endpoint (and of ingestion) validated against the schema the server serves, with
openapi-core (formats checked: a `uri` must be absolute, a non-nullable field never
null). A new GET endpoint without a case here fails the coverage test."""

import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from cases.services.comments import comment_add
from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture
def spec(client, manager):
    client.force_login(manager)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    client.logout()
    # Text bodies (the playbook export's markdown) are strings, as the schema says.
    config = Config(
        extra_media_type_deserializers={
            "text/markdown": lambda body, charset="utf-8", **_: body.decode(charset)
        }
    )
    return OpenAPI.from_dict(json.loads(response.content), config=config)


@pytest.fixture
def world(seed_playbook, make_case, l1, t2, manager, settings):
    """A case in each interesting state: one new (no assignee, no step author), one claimed
    with a comment and a containment action, reference data of both kinds."""
    from containment.services.actions import action_request
    from intel.imports import import_networks_csv
    from intel.models import BusinessPartner, KnownNetwork
    from tests.containment.conftest import walk_to_investigating

    settings.CONTAINMENT_CONNECTORS = {"block_ip": "edl", "disable_account": "ldap", "manual": "manual"}
    settings.CONTAINMENT_QUEUE = ""
    fresh = make_case()
    worked = walk_to_investigating(make_case(), l1=l1, t2=t2)
    orphan = make_case(technique_ids=["T1110"])  # no playbook: playbook null
    comment_add(case=worked, body="**checked** the partner list", by=t2)
    action = action_request(case=worked, kind="block_ip", target="2001:db8::2", reason="scraping", by=t2)
    # Imported, so the audit trail has a summary (no object id) and an entry (in a batch).
    import_networks_csv("cidr,list,label\n198.51.100.0/24,benign,Acme office\n", by=manager, file="acme.csv")
    network = KnownNetwork.objects.get()
    partner = BusinessPartner.objects.create(
        name="Acme", domains=["acme.example"], networks=["198.51.100.0/24"]
    )
    alert = fresh.alerts.first()
    return {
        "fresh": fresh,
        "worked": worked,
        "orphan": orphan,
        "action": action,
        "network": network,
        "partner": partner,
        "alert": alert,
    }


def check(spec, response, status: int = 200):
    assert response.status_code == status, response.content[:500]
    spec.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))


def analyst_reads(world) -> dict[str, str]:
    """Schema path -> a live URL answering it."""
    fresh, worked, action = world["fresh"], world["worked"], world["action"]
    return {
        "/api/v1/cases/": "/api/v1/cases/",
        "/api/v1/cases/{id}/": f"/api/v1/cases/{worked.pk}/",
        "/api/v1/cases/{id}/timeline/": f"/api/v1/cases/{worked.pk}/timeline/",
        "/api/v1/cases/{id}/comments/": f"/api/v1/cases/{worked.pk}/comments/",
        "/api/v1/cases/{case_id}/actions/": f"/api/v1/cases/{worked.pk}/actions/",
        "/api/v1/actions/{id}/": f"/api/v1/actions/{action.pk}/",
        "/api/v1/alerts/{id}/": f"/api/v1/alerts/{world['alert'].pk}/",
        "/api/v1/playbooks/": "/api/v1/playbooks/",
        "/api/v1/playbooks/{technique_id}/": "/api/v1/playbooks/T1591.002/",
        "/api/v1/playbooks/{technique_id}/export": "/api/v1/playbooks/T1591.002/export",
        "/api/v1/reference/networks/": "/api/v1/reference/networks/",
        "/api/v1/reference/networks/{id}/": f"/api/v1/reference/networks/{world['network'].pk}/",
        "/api/v1/reference/partners/": "/api/v1/reference/partners/",
        "/api/v1/reference/partners/{id}/": f"/api/v1/reference/partners/{world['partner'].pk}/",
        "/api/v1/reference/changes/": "/api/v1/reference/changes/",
        # The fresh case: null assignee, duplicate_of, steps[].updated_by.
        "/api/v1/cases/{id}/ (new)": f"/api/v1/cases/{fresh.pk}/",
        "/api/v1/cases/{id}/ (no playbook)": f"/api/v1/cases/{world['orphan'].pk}/",
        # The manager's reads: SLA policies, metrics, the ATT&CK layer, a case report.
        "/api/v1/sla/policies/": "/api/v1/sla/policies/",
        "/api/v1/sla/policies/{severity}/": "/api/v1/sla/policies/4/",
        "/api/v1/metrics/": "/api/v1/metrics/",
        "/api/v1/attack/layer.json": "/api/v1/attack/layer.json",
        "/api/v1/cases/{id}/report": f"/api/v1/cases/{worked.pk}/report?format=md",
    }


THEHIVE_READS = {
    "/api/v1/alert/{alert_id}/",
    "/api/alert/{alert_id}/",
    "/api/v1/case/{case_id}/",
    "/api/v1/user/current/",
    "/api/user/current/",
}


def test_every_read_endpoint_is_covered(spec, world):
    gets = {path for path, item in spec.spec["paths"].items() if "get" in item}
    assert gets == {p.split(" ")[0] for p in analyst_reads(world)} | THEHIVE_READS


def test_analyst_reads_match_the_schema(spec, world, client, manager):
    client.force_login(manager)
    for url in analyst_reads(world).values():
        check(spec, client.get(url))


def test_case_urls_are_absolute_and_nulls_are_declared(client, world, manager):
    client.force_login(manager)
    body = client.get(f"/api/v1/cases/{world['fresh'].pk}/").json()
    assert body["url"] == f"http://testserver/api/v1/cases/{world['fresh'].pk}/"
    assert body["html_url"] == f"http://testserver/cases/{world['fresh'].pk}/"
    assert body["assignee"] is None and body["duplicate_of"] is None
    assert all(step["updated_by"] is None for step in body["steps"])
    listed = client.get("/api/v1/cases/").json()["results"][0]
    assert listed["url"].startswith("http://testserver/")


def test_workflow_answers_match_the_schema(spec, world, client, l1):
    fresh = world["fresh"]
    client.force_login(l1)
    response = client.post(f"/api/v1/cases/{fresh.pk}/claim/", "{}", content_type="application/json")
    check(spec, response)
    assert response.json()["url"].startswith("http://testserver/")


def test_ingest_answers_match_the_schema(spec, client, ingest_source, seed_playbook):
    body = (SAMPLES_DIR / "elastic_alert.json").read_text(encoding="utf-8")
    auth = {"HTTP_AUTHORIZATION": f"Token {ingest_source[1]}"}
    check(spec, client.post("/api/v1/alerts/elastic/", body, content_type="application/json", **auth), 201)
    check(spec, client.post("/api/v1/alerts/elastic/", body, content_type="application/json", **auth), 200)
    batch = json.dumps([json.loads(body), {"nope": 1}])
    check(spec, client.post("/api/v1/alerts/elastic/", batch, content_type="application/json", **auth), 200)
    check(spec, client.post("/api/v1/alerts/", "{}", content_type="application/json", **auth), 400)


def test_thehive_reads_match_the_schema(spec, client, ingest_source):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ingest_source[1]}"}
    alert = {"type": "t", "source": "s", "sourceRef": "r", "title": "x", "description": "d"}
    created = client.post("/api/v1/alert", json.dumps(alert), content_type="application/json", **auth)
    alert_id, case_id = created.json()["_id"], created.json()["caseId"]
    for url in (
        f"/api/v1/alert/{alert_id}/",
        f"/api/alert/{alert_id}/",
        f"/api/v1/case/{case_id}/",
        "/api/v1/user/current/",
        "/api/user/current/",
    ):
        check(spec, client.get(url, **auth))


def test_the_schema_is_for_signed_in_users_of_any_role(client, ingest_source, outsider):
    assert client.get("/api/schema/").status_code == 401
    token = {"HTTP_AUTHORIZATION": f"Token {ingest_source[1]}"}
    assert client.get("/api/schema/", **token).status_code == 403
    client.force_login(outsider)
    assert client.get("/api/schema/").status_code == 200
