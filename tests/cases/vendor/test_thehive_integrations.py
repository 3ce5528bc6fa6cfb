"""TheHive alert bodies as integrations send them (tests/cases/fixtures/vendor, its README
names each), through /api/v1/alerts/thehive/ and TheHive's own POST /api/v1/alert: Tenzir's
Suricata-to-TheHive app; Graylog's alert gateway, to TheHive 4's POST /api/alert."""

import json
from datetime import UTC, datetime

import pytest

from cases.ingest import ADAPTERS
from cases.models import Alert, KeptObservable
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

TENZIR_SURICATA = "tenzir_suricata2thehive_wazuh_docs_suricata_curl_alert_body.json"
GRAYLOG_GATEWAY = "graylog_alert_gateway_thehive4_error_and_warn_alert_body.json"
SOURCE_REF = "Attempted Information Leak:suricata:ca7eebf9f24e7aeb046e8bd8f707a832"


def assert_tenzir_suricata_alert(alert: Alert) -> None:
    assert alert.source_ref == SOURCE_REF  # type (Suricata's category), source, sourceRef
    assert alert.title == "Suricata Alert"
    assert alert.description == "2013028: ET POLICY curl User-Agent Outbound"
    assert alert.severity == 3  # 5 - Suricata's severity 2
    # `date` as Suricata wrote it, ISO 8601 with a "+0000" offset, not epoch milliseconds.
    assert alert.observed_at == datetime(2022, 1, 11, 18, 57, 14, 198005, tzinfo=UTC)
    assert alert.technique_ids == [] and alert.flags == []
    # Before: both declared; each observable's message says which end of the flow it is.
    assert observables_of(alert) == {
        ("ip", "10.0.2.15", "source"),
        ("ip", "31.3.245.133", "destination"),
    }
    assert alert.tags == []


def test_tenzirs_suricata_alert_through_the_adapter(post):
    response = post("thehive", document(TENZIR_SURICATA))
    assert response.status_code == 201, response.json()
    assert_tenzir_suricata_alert(Alert.objects.get(pk=response.json()["id"]))


def test_tenzirs_suricata_alert_through_thehives_own_api(client, ingest_source):
    # Tenzir's app posts it to TheHive 5's /api/v1/alert; TheHive answers 201 with the alert.
    response = client.post(
        "/api/v1/alert",
        json.dumps(document(TENZIR_SURICATA)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ingest_source[1]}",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["type"], body["source"], body["sourceRef"]) == (
        "Attempted Information Leak",
        "suricata",
        "ca7eebf9f24e7aeb046e8bd8f707a832",
    )
    assert body["date"] == 1641927434198  # epoch ms, as TheHive answers
    assert_tenzir_suricata_alert(Alert.objects.get(source_ref=SOURCE_REF))


@pytest.mark.parametrize(
    ("message", "role"),
    [
        ("src_ip", "source"),
        ("Attacker address", "source"),
        ("dst", "destination"),
        ("Victim host", "destination"),
        ("Sourcefire sensor", "declared"),
        ("seen by the proxy", "declared"),
        (None, "declared"),
    ],
)
def test_an_observables_message_names_its_party_only_when_it_starts_with_one(message, role):
    doc = document(TENZIR_SURICATA)
    doc["observables"] = [{"dataType": "ip", "data": "198.51.100.7", "message": message}]
    assert ADAPTERS["thehive"].parse(doc).observables == [("ip", "198.51.100.7", role)]
    # A tag still wins over the message, and a mail is no party of a flow.
    doc["observables"] = [
        {"dataType": "ip", "data": "198.51.100.7", "message": "Destination IP", "tags": ["src"]},
        {"dataType": "mail", "data": "a@example.org", "message": "source"},
    ]
    assert ("ip", "198.51.100.7", "source") in ADAPTERS["thehive"].parse(doc).observables
    assert ("email", "a@example.org", "declared") in ADAPTERS["thehive"].parse(doc).observables


def test_graylogs_gateway_alert_keeps_its_fields_as_other_observables(client, ingest_source):
    # Before: both `other` artifacts (the event's fields) were dropped: no entity type.
    body = document(GRAYLOG_GATEWAY)
    response = client.post(
        "/api/alert",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ingest_source[1]}",
    )
    assert response.status_code == 201, response.json()
    answered = response.json()
    log_line = body["artifacts"][1]["data"]
    assert [(a["dataType"], a["data"]) for a in answered["artifacts"]] == [
        ("other", "stg"),
        ("other", log_line),
    ]
    alert = Alert.objects.get(pk=int(answered["id"]))
    assert alert.source_ref == "external:AlertGateway:5d2c8a"
    assert alert.title == "Error and Warn" and alert.description == ""
    assert alert.severity == 3  # the Graylog event's priority
    # No `date` (TheHive takes its receive time, as Vigil does); no technique, no entity.
    assert abs((alert.observed_at - alert.received_at).total_seconds()) < 5
    assert alert.technique_ids == [] and alert.flags == []
    assert observables_of(alert) == set()
    assert list(KeptObservable.objects.filter(alert=alert).values_list("data_type", "data")) == [
        ("other", "stg"),
        ("other", log_line),
    ]
