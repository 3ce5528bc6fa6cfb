"""Every vendor sample in ../shared/samples ingests through its own endpoint into a case
with the T1591.002 playbook attached and the source IP as an observable."""

import json

import pytest

from cases.models import Alert, Case
from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.django_db

SAMPLES = {
    "elastic_alert.json": "/api/v1/alerts/elastic/",
    "splunk_webhook.json": "/api/v1/alerts/splunk/",
    "wazuh_alert.json": "/api/v1/alerts/wazuh/",
    "ocsf_detection_finding.json": "/api/v1/alerts/ocsf/",
    "thehive_alert.json": "/api/v1/alerts/thehive/",
}


def test_every_vendor_sample_has_an_endpoint():
    vendor_samples = {p.name for p in SAMPLES_DIR.glob("*.json")} - {"cacao_playbook.json"}
    assert vendor_samples == set(SAMPLES)


@pytest.mark.parametrize(("sample", "url"), SAMPLES.items())
def test_sample_ingests_into_a_case_with_the_playbook_and_source_ip(
    client, ingest_source, seed_playbook, sample, url
):
    body = (SAMPLES_DIR / sample).read_text(encoding="utf-8")
    response = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {ingest_source[1]}"
    )
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    case = Case.objects.get(pk=response.json()["case"])
    assert alert.technique_ids == ["T1591.002"]
    assert case.technique_id == "T1591.002"
    assert case.playbook_version == seed_playbook
    assert case.steps.count() == seed_playbook.items.count()
    source_ip = case.observables.get(type="ip", value="203.0.113.77")
    assert source_ip.is_internal is False
    assert alert.alert_observables.get(observable=source_ip).role == "source"
    assert case.observables.filter(type="user", value="m.keller").exists()
    assert alert.raw == json.loads(body)
    again = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {ingest_source[1]}"
    )
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_splunk_accepts_the_token_in_the_query_string(client, ingest_source, seed_playbook):
    body = (SAMPLES_DIR / "splunk_webhook.json").read_text(encoding="utf-8")
    response = client.post(
        f"/api/v1/alerts/splunk/?token={ingest_source[1]}", body, content_type="application/json"
    )
    assert response.status_code == 201
    # Only Splunk's endpoint takes it from the URL.
    other = client.post(f"/api/v1/alerts/?token={ingest_source[1]}", "{}", content_type="application/json")
    assert other.status_code == 401


def test_thehive_connectors_work_unchanged_at_thehive_path_with_bearer(client, ingest_source, seed_playbook):
    body = (SAMPLES_DIR / "thehive_alert.json").read_text(encoding="utf-8")
    response = client.post(
        "/api/v1/alert",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ingest_source[1]}",
    )
    assert response.status_code == 201
    doc = json.loads(body)
    assert response.json()["sourceRef"] == doc["sourceRef"]
    assert (
        Alert.objects.get(pk=int(response.json()["_id"])).source_ref
        == f"{doc['type']}:{doc['source']}:{doc['sourceRef']}"
    )
    assert Case.objects.get().playbook_version == seed_playbook


def test_kibana_webhook_body_with_alerts_array(client, ingest_source, seed_playbook):
    doc = json.loads((SAMPLES_DIR / "elastic_alert.json").read_text(encoding="utf-8"))
    second = {**doc, "kibana.alert.uuid": "second-uuid"}
    response = client.post(
        "/api/v1/alerts/elastic/",
        json.dumps({"alerts": [doc, second]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {ingest_source[1]}",
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201]
    assert results[0]["case"] == results[1]["case"]  # same source IP and technique: one case
    assert Case.objects.get().alert_count == 2
