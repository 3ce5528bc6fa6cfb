"""Real TheHive alert bodies through /api/v1/alerts/thehive/ and TheHive's own API."""

import json
from datetime import UTC, datetime

import pytest

from cases.models import Alert
from cases.services.extraction import alert_extract_observables
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db


def test_the_thehive4py_advanced_alert(post):
    response = post("thehive", document("thehive4py_advanced_alert.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "advanced:tutorial:should-be-unique"
    assert alert.severity == 1 and alert.tags == ["advanced", "example"]


def test_the_unparsed_time_flag_is_stored_on_the_alert(post):
    doc = {**document("wazuh_docs_sshd_invalid_user.json"), "id": "flagged-1", "timestamp": "Oct 15 21:07:56"}
    response = post("wazuh", doc)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert {"code": "observed_at_unparsed", "field": "timestamp"}.items() <= alert.flags[0].items()


def test_thehive_docs_v0_alert_with_artifacts(client, ingest_source, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = client.post(
        "/api/alert",
        json.dumps(document("thehivedocs_v0_alert_with_artifacts.json")),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ingest_source[1]}",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Other alert" and body["severity"] == 3 and body["sourceRef"] == "alert-ref"
    alert = Alert.objects.get(pk=int(body["_id"]))
    assert alert.source_ref == "external:instance1:alert-ref" and alert.severity == 3
    seen = observables_of(alert)
    assert {("ip", "127.0.0.1", "declared"), ("domain", "thehive-project.org", "declared")} <= seen
    assert [a["dataType"] for a in body["artifacts"]].count("file") == 1  # the inline file, kept as evidence


def test_a_thehive5_alert_without_date_takes_its_earliest_procedure_time(post):
    response = post("thehive", document("derived_thehive4py_advanced_alert_plus_procedures.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.observed_at == datetime(2025, 11, 30, 9, 15, 42, 123000, tzinfo=UTC)
    assert not [f for f in alert.flags if f["code"] == "observed_at_unparsed"]
    assert alert.technique_id == "T1566.001"  # the sub-technique; its parent is implied


def test_unreadable_procedure_times_are_flagged_and_a_date_still_wins(post):
    doc = document("derived_thehive4py_advanced_alert_plus_procedures.json")
    unreadable = {**doc, "procedures": [{**p, "occurDate": "yesterday"} for p in doc["procedures"]]}
    alert = Alert.objects.get(pk=post("thehive", unreadable).json()["id"])
    assert {"code": "observed_at_unparsed", "field": "procedures.occurDate"}.items() <= alert.flags[0].items()
    dated = {**doc, "sourceRef": "dated", "date": 1643972499000}
    alert = Alert.objects.get(pk=post("thehive", dated).json()["id"])
    assert alert.observed_at == datetime(2022, 2, 4, 11, 1, 39, tzinfo=UTC)


def test_sekoia_field_tags_say_the_observables_party(post):
    # SEKOIA-IO/automation-library's TheHive action tags each artifact with the ECS field it
    # came from: "sekoia:type=source.ip".
    response = post("thehive", document("sekoia_automation_thehive_create_alert_artifacts.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "information-gathering/scanner:SEKOIA.IO:AL123456789"
    assert alert.severity == 4 and alert.observed_at == datetime(2022, 2, 4, 11, 1, 39, tzinfo=UTC)
    assert observables_of(alert) == {("ip", "1.2.3.4", "source"), ("ip", "6.7.8.9", "source")}


def test_user_tags_and_field_tags_name_users_and_parties(post):
    # The Sekoia document with tags the same integration writes for other ECS fields
    # (destination.ip, user.name), and user tags on an artifact and on the alert.
    doc = document("sekoia_automation_thehive_create_alert_artifacts.json")
    first, second = doc["artifacts"]
    doc = {
        **doc,
        "tags": ["username:M.Keller", "user:", "account:123456789012"],
        "artifacts": [
            {**first, "tags": ["sekoia:type=source.ip", "user=CORP\\j.doe"]},
            {**second, "tags": ["sekoia:type=destination.ip"]},
            {"dataType": "other", "data": "svc-backup", "tags": ["sekoia:type=user.name"]},
            {"dataType": "other", "data": "Jane Doe", "tags": ["sekoia:type=user.full_name"]},
        ],
    }
    alert = Alert.objects.get(pk=post("thehive", doc).json()["id"])
    assert observables_of(alert) == {
        ("ip", "1.2.3.4", "source"),
        ("ip", "6.7.8.9", "destination"),
        ("user", "svc-backup", "user"),
        ("user", "m.keller", "user"),
        ("user", "j.doe", "user"),
    }


def test_a_hex_source_ref_in_the_description_is_not_a_hash(post):
    # thehive4py's examples make sourceRef uuid.uuid4().hex; integrations repeat it in the text.
    doc = {**document("thehive4py_advanced_alert.json"), "sourceRef": "5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b"}
    doc["description"] = (
        "Correlated from hash 5f3a9c0e1b2d4e6f8a7b9c0d1e2f3a4b; agent 0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
    )
    alert = Alert.objects.get(pk=post("thehive", doc).json()["id"])
    assert alert_extract_observables(alert=alert) == 0


# --- thehive4py's observables-at-creation example, Kibana's TheHive connector ----------------


def test_thehive4pys_alert_with_observables(post):
    body = document("thehive4py_alert_observable_during_alerting.json")
    response = post("thehive", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == f"alert-with-observables:example:{body['sourceRef']}"
    assert (alert.title, alert.description, alert.severity) == ("alert with observables",) * 2 + (2,)
    assert observables_of(alert) == {("ip", "1.2.3.4", "declared"), ("domain", "example.com", "declared")}


def test_kibanas_thehive_connector_alert_body(post):
    response = post("thehive", document("kibana_thehive_connector_create_alert_body.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "alert type:alert source:test123"
    assert (alert.title, alert.severity) == ("title", 1)
    assert alert.technique_ids == ["T1132"]
    # No date: the procedure's occurDate (1640000000000 ms).
    assert alert.observed_at == datetime(2021, 12, 20, 11, 33, 20, tzinfo=UTC)
    assert observables_of(alert) == {("url", "http://example.com", "declared")}
    assert set(alert.tags) == {"tag1", "tag2"}


def test_a_thehive_5_alert_as_its_api_returns_it(post):
    # What TheHive answers to the create (Kibana's connector test): _id, customFields [], date.
    response = post("thehive", document("kibana_thehive_connector_create_alert_response.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "alert type:alert source:test123"
    assert alert.observed_at == datetime(2024, 4, 3, 16, 18, 48, 964000, tzinfo=UTC)
    assert alert.severity == 1


def test_elastalerts_hivealerter_body(post):
    # Elastalert's HiveAlerter: the test's expected body with the `date` and `sourceRef` the
    # test deletes (int(time.time()) * 1000 and str(uuid.uuid4())).
    body = document("elastalert_hivealerter_alert_body.json")
    response = post("thehive", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "external:elastalert:6f1c3a52-8e4b-4d7a-9c21-5b0e7d3f9a48"
    assert (alert.title, alert.severity) == ("test-thehive", 2)
    assert alert.observed_at == datetime(2025, 11, 30, 9, 15, 42, tzinfo=UTC)
    assert alert.technique_ids == []
    # A loopback address the sender declared is kept (it names no host as a party would).
    assert observables_of(alert) == {("ip", "127.0.0.1", "declared")}
    assert alert.tags == ["9876"]
    again = post("thehive", body)
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_the_wazuh2thehive_integrations_alert_names_its_agent_in_tags(post):
    # Before: the agent (the host the Wazuh alert is about) was only in the tags, unread.
    body = document("wazuh2thehive_custom_w2thive_sshd_alert_body.json")
    response = post("thehive", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "wazuh_alert:wazuh:9b2e4c"
    assert alert.title == "sshd: Attempt to login using a non-existent user"
    assert alert.severity == 2  # thehive4py 1.x's default; the Wazuh level is not carried
    assert alert.observed_at == datetime.fromtimestamp(1796631529, tz=UTC)  # `date`: when it was sent
    assert "| **data.srcuser** | blimey |" in alert.description
    # The artifact is listed twice (srcip and full_log); "agent_ip=no agent ip" names none.
    assert observables_of(alert) == {
        ("ip", "18.18.18.18", "declared"),
        ("hostname", "linux-agent", "destination"),
    }
    assert "rule=5710" in alert.tags
    again = post("thehive", body)
    assert again.status_code == 200 and again.json()["duplicate"] is True


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("agent_ip=203.0.113.8", ("ip", "203.0.113.8", "destination")),
        ("hostname:web-01.corp.example", ("hostname", "web-01.corp.example", "destination")),
        ("host=db-02", ("hostname", "db-02", "destination")),
        ("agent_name=no agent name", None),
        ("hostnames:web-01", None),
    ],
)
def test_host_tags_name_the_alerts_host(post, tag, expected):
    body = {**document("elastalert_hivealerter_alert_body.json"), "sourceRef": tag, "tags": [tag]}
    response = post("thehive", body)
    assert response.status_code == 201, response.json()
    seen = observables_of(Alert.objects.get(pk=response.json()["id"])) - {("ip", "127.0.0.1", "declared")}
    assert seen == ({expected} if expected else set())


THEHIVE4PY_OBSERVABLES = "thehive4py_test_create_alert_with_observables.json"


def test_thehive4pys_test_alert_with_a_url_written_without_a_scheme(client, ingest_source):
    # thehive4py's own test of TheHive 5: `date` 123 (1970, out of range: flagged, the
    # receive time taken, not refused) and a url observable "example.org", no URL.
    response = client.post(
        "/api/v1/alert",
        json.dumps(document(THEHIVE4PY_OBSERVABLES)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ingest_source[1]}",
    )
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(source_ref="test:test:second")
    assert alert.title == "my first alert" and alert.description == "..."
    assert alert.flags[0]["code"] == "observed_at_unparsed" and alert.flags[0]["field"] == "date"
    assert abs((alert.observed_at - alert.received_at).total_seconds()) < 60
    assert observables_of(alert) == {
        ("domain", "example.org", "declared"),  # the url's host, and the mail's domain
        ("email", "foo@example.org", "declared"),
    }
    assert alert.tags == ["whatever"]


def test_a_url_observable_without_a_scheme_gives_its_host_as_a_domain(post):
    # Before: dropped (no URL without a scheme), its host with it.
    body = {
        **document(THEHIVE4PY_OBSERVABLES),
        "sourceRef": "schemeless",
        "observables": [
            {"dataType": "url", "data": "www.evil.example/login.php"},
            {"dataType": "url", "data": "https://cdn.example.net/a.js"},
        ],
    }
    response = post("thehive", body)
    assert response.status_code == 201, response.json()
    assert observables_of(Alert.objects.get(pk=response.json()["id"])) == {
        ("domain", "www.evil.example", "declared"),
        ("url", "https://cdn.example.net/a.js", "declared"),  # a URL stays a URL, and only that
    }
