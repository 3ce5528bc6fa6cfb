"""Real documents from the vendors' own repositories and docs (tests/cases/fixtures/vendor,
its README names each source) ingest through their endpoints with what an analyst needs:
an id, a title, a description, the technique ids they carry, their users and hosts."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cases.ingest import ADAPTERS
from cases.models import Alert

pytestmark = pytest.mark.django_db

VENDOR_DIR = Path(__file__).resolve().parent / "fixtures" / "vendor"


def document(name: str):
    return json.loads((VENDOR_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture
def post(client, ingest_source):
    def post(fmt: str, body):
        return client.post(
            f"/api/v1/alerts/{fmt}/",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {ingest_source[1]}",
        )

    return post


def observables_of(alert: Alert) -> set[tuple[str, str, str]]:
    return {
        (link.observable.type, link.observable.value, link.role) for link in alert.alert_observables.all()
    }


def test_every_vendor_document_is_listed_in_the_readme():
    readme = (VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    assert {p.name for p in VENDOR_DIR.glob("*.json")} == {
        name for name in (p.name for p in VENDOR_DIR.glob("*.json")) if f"`{name}`" in readme
    }


# --- Elastic: a 7.x .siem-signals search response ------------------------------------------


def test_a_legacy_signals_search_response_is_one_alert_per_hit_with_the_hit_id(post):
    body = document("elastic_siem_signals_7x_search.json")
    response = post("elastic", body)
    assert response.status_code == 200, response.json()
    [result] = response.json()["results"]
    assert result["status"] == 201
    alert = Alert.objects.get(pk=result["id"])
    hit = body["hits"]["hits"][0]
    assert alert.source_ref == hit["_id"]
    assert alert.title == "matches host.name exists"
    assert alert.description == "matches most events"
    assert alert.severity == 3  # signal.rule.severity "high"
    assert alert.observed_at == datetime(2020, 2, 15, 0, 9, 18, 714000, tzinfo=UTC)  # original_time
    assert alert.technique_ids == ["T1110", "T1098", "T1081", "T1530"]
    seen = observables_of(alert)
    assert ("ip", "185.209.0.96", "source") in seen
    assert ("user", "admin", "user") in seen  # user.name and winlog TargetUserName "ADMIN"
    assert ("hostname", "siem-windows", "destination") in seen
    # SubjectUserName "-" is Windows' empty account, not a user.
    assert not {v for t, v, _ in seen if t == "user"} - {"admin"}
    assert "for testing" in alert.tags


def test_a_single_hit_and_a_bare_source_document_are_accepted(post):
    hit = document("elastic_siem_signals_7x_search.json")["hits"]["hits"][0]
    response = post("elastic", hit)
    assert response.status_code == 201, response.json()
    assert Alert.objects.get(pk=response.json()["id"]).source_ref == hit["_id"]

    bare = post("elastic", hit["_source"])
    assert bare.status_code == 201, bare.json()
    ref = Alert.objects.get(pk=bare.json()["id"]).source_ref
    assert ref.startswith("sha256:")
    again = post("elastic", hit["_source"])
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_winlog_subject_and_target_users_are_read():
    hit = document("elastic_siem_signals_7x_search.json")["hits"]["hits"][0]
    source = json.loads(json.dumps(hit["_source"]))
    del source["user"]
    source["winlog"]["event_data"]["SubjectUserName"] = "svc-backup"
    source["winlog"]["event_data"]["IpAddress"] = "198.51.100.9"
    alert = ADAPTERS["elastic"].parse({**hit, "_source": source})
    assert ("user", "svc-backup", "user") in alert.observables
    assert ("user", "admin", "user") in alert.observables  # canonical: lower case
    assert ("ip", "198.51.100.9", "source") in alert.observables


# --- Splunk --------------------------------------------------------------------------------


def test_the_splunk_docs_example_with_a_null_search_name(post):
    response = post("splunk", document("splunk_docs_webhook.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Splunk alert (search)"
    assert alert.source_ref.startswith("scheduler_admin_search_W2_at_14232356_132#")
    assert "sourcetype:mongod" in alert.tags and "splunk:search" in alert.tags


def test_a_splunk_sudo_event_keeps_its_host_raw_and_multivalue_fields(post):
    # The shape of a plain `index=os sourcetype=linux_secure sudo` alert: Splunk's default
    # fields, the event in _raw, a multivalue field as a list.
    raw = "Mar  4 13:41:07 web01 sudo: m.keller : TTY=pts/0 ; PWD=/home/m.keller ; USER=root ; COMMAND=/bin/bash"
    body = {
        "sid": "scheduler__admin__search__sudo_at_1772631667_42",
        "search_name": "Sudo to root",
        "app": "search",
        "result": {
            "_time": "1772631667",
            "host": "web01",
            "source": "/var/log/secure",
            "sourcetype": "linux_secure",
            "_raw": raw,
            "user": ["m.keller", "root"],
            "annotations": {"mitre_attack": ["T1548.003"]},
        },
    }
    response = post("splunk", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.description == raw
    assert alert.technique_ids == ["T1548.003"]
    seen = observables_of(alert)
    assert ("hostname", "web01", "destination") in seen
    assert {("user", "m.keller", "user"), ("user", "root", "user")} <= seen
    assert {"sourcetype:linux_secure", "source:/var/log/secure"} <= set(alert.tags)


# --- OCSF Security Finding (2001) ----------------------------------------------------------


def test_the_qradar_offense_security_finding(post):
    response = post("ocsf", document("ocsf_qradar_offense_2001.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "591"
    assert alert.title == "BLEEDING-EDGE DOS -ISC- ICMP blind TCP reset DoS guessing attempt"
    assert alert.observed_at == datetime.fromtimestamp(1682347463, tz=UTC)  # finding.first_seen_time
    seen = observables_of(alert)
    assert ("ip", "99.99.99.99", "source") in seen
    assert {("ip", "88.88.88.88", "destination"), ("ip", "77.77.77.77", "destination")} <= seen


def test_the_security_hub_finding(post):
    response = post("ocsf", document("ocsf_security_hub_2001.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title.startswith("EC2.19 Security groups")
    assert alert.severity == 1
    assert alert.description.startswith("This control checks")


def test_the_ssc_findings_as_a_batch(post):
    response = post("ocsf", document("ocsf_ssc_malware_infection_2001.json"))
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201]
    first = Alert.objects.get(pk=results[0]["id"])
    assert first.source_ref == "2b7908d7-4b72-4f65-afa0-09bdaea46ae3"
    assert ("hostname", "open-internet.nl", "declared") in observables_of(first)
    assert "malware_infection" in first.tags


def test_ocsf_dt_times_and_top_level_attacks_are_read():
    doc = document("ocsf_qradar_offense_2001.json")
    for key in ("first_seen_time", "last_seen_time", "created_time"):
        del doc["finding"][key]
    del doc["time"]
    doc["time_dt"] = "2023-04-24T14:44:23.218Z"
    doc["attacks"] = [{"technique": {"uid": "T1498", "name": "Network Denial of Service"}}]
    alert = ADAPTERS["ocsf"].parse(doc)
    assert alert.observed_at == datetime(2023, 4, 24, 14, 44, 23, 218000, tzinfo=UTC)
    assert alert.technique_ids == ["T1498"]


# --- Wazuh ---------------------------------------------------------------------------------


def test_the_wazuh_docs_alert(post):
    response = post("wazuh", document("wazuh_docs_sshd_invalid_user.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "1571166477.30198"
    assert alert.observed_at == datetime(2019, 10, 15, 19, 7, 57, 741000, tzinfo=UTC)
    assert alert.severity == 2
    seen = observables_of(alert)
    assert {("ip", "18.18.18.18", "source"), ("user", "blimey", "user")} <= seen
    assert ("hostname", "linux-agent", "destination") in seen


def test_an_unparseable_wazuh_time_falls_back_to_the_receive_time(post):
    doc = {**document("wazuh_docs_sshd_invalid_user.json"), "timestamp": "Oct 15 21:07:56"}
    before = datetime.now(UTC)
    response = post("wazuh", doc)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert before <= alert.observed_at <= datetime.now(UTC)


# --- TheHive -------------------------------------------------------------------------------


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


# --- Documents added by the outside audit (sources in fixtures/vendor/README.md) ------------


def test_kibanas_archived_8_1_alert_as_a_search_hit(post):
    hit = document("kibana_es_archive_8_1_threat_match_hit.json")
    response = post("elastic", hit)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == hit["_source"]["kibana.alert.uuid"]
    assert alert.title == "threat-match-rule"
    assert alert.description == "event on security-linux-1 created low alert threat-match-rule."
    assert alert.severity == 1
    assert alert.observed_at == datetime(2022, 3, 19, 2, 47, 57, 376000, tzinfo=UTC)  # original_time
    assert alert.technique_ids == [] and alert.flags == []
    assert {("hostname", "security-linux-1", "destination"), ("ip", "11.200.0.194", "destination")} <= (
        observables_of(alert)
    )


def test_kibanas_archived_7_16_signal_takes_the_document_id():
    record = document("kibana_es_archive_7_16_signal.json")["value"]
    hit = {"_index": record["index"], "_id": record["id"], "_source": record["source"]}
    alert = ADAPTERS["elastic"].parse(hit)
    assert alert.source_ref == record["id"]
    assert alert.title == "threat-match-rule" and alert.severity == 1
    assert alert.observed_at == datetime(2022, 3, 23, 16, 50, 32, 45000, tzinfo=UTC)  # signal.original_time
    assert ("hostname", "security-linux-1", "destination") in alert.observables


def test_a_hit_read_with_the_fields_option_and_no_source(post):
    # Before: 400 "kibana.alert.rule.name: This field is required." although the hit carries it.
    response = post("elastic", document("kibana_alerts_table_fields_hit.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Rule Name"
    assert alert.source_ref == "test-id"  # the hit id: the fields carry no kibana.alert.uuid
    assert alert.observed_at == datetime(2023, 7, 20, 20, 31, 24, 896000, tzinfo=UTC)


def test_prowlers_detection_finding(post):
    response = post("ocsf", document("ocsf_prowler_detection_finding_2004.json"))
    assert response.status_code == 200, response.json()
    [result] = response.json()["results"]
    assert result["status"] == 201
    alert = Alert.objects.get(pk=result["id"])
    assert alert.source_ref == "test-unique-finding"
    assert alert.title == "service_test_check_id" and alert.description == "check description"
    assert alert.severity == 1  # severity_id 2 (Low)
    assert alert.observed_at == datetime(2026, 11, 30, 9, 15, 42, tzinfo=UTC)  # `time`, in seconds
    assert alert.flags == []


def test_wazuhs_integration_test_alert_with_a_placeholder_time(post):
    before = datetime.now(UTC)
    response = post("wazuh", document("wazuh_integrations_test_alert.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "alert_id" and alert.title == "alert description"
    assert alert.description == "full log." and alert.severity == 1  # level 0
    assert before <= alert.observed_at <= datetime.now(UTC)
    assert [f["code"] for f in alert.flags] == ["observed_at_unparsed"]
    # The MD5 is kept; "sha1_value" is no SHA-1 and is skipped, not a reason to refuse.
    assert observables_of(alert) == {
        ("hash", "5d41402abc4b2a76b9719d911017c592", "declared"),
        ("hostname", "agent", "destination"),
    }


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
