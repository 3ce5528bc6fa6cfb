"""Real Elastic Security documents (Kibana's archives, mocks and test data; Elastic's
integrations) through /api/v1/alerts/elastic/: search responses, hits, bare alerts."""

import json
from datetime import UTC, datetime

import pytest

from cases.ingest import ADAPTERS
from cases.ingest.base import InvalidAlert
from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db


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


# --- Second set: hashes, threat indicators, interface lists, ECS alerts ----------------------


def test_an_indicator_match_signal_carries_the_matched_indicator(post):
    hit = document("kibana_es_archive_legacy_cti_signal_hit.json")
    response = post("elastic", hit)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == hit["_id"]
    assert alert.title == "Indicator Match on host.name" and alert.severity == 1
    assert alert.observed_at == datetime(2021, 8, 4, 4, 14, 53, 490000, tzinfo=UTC)
    seen = observables_of(alert)
    # The indicator it matched (threat.indicator[]), and the process's SHA-1.
    assert {
        ("url", "http://feedproxy.google.com/~r/tyydrixr/~3/-Qu77JMCUiI/convent.php", "declared"),
        ("domain", "feedproxy.google.com", "declared"),
        ("hash", "5f3233fd75c14b315731684d59b632df36a731a6", "declared"),
        ("user", "ryland", "user"),
        ("hostname", "elastic.local", "destination"),
    } <= seen
    # host.ip lists ten interfaces, nine of them fe80::: only the real address is kept.
    assert {v for t, v, _ in seen if t == "ip"} == {"192.168.1.43"}


def test_a_ransomware_alert_keeps_every_process_hash_and_drops_loopback(post):
    response = post("elastic", document("kibana_cypress_ransomware_alert_hit.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Ransomware Detection Alert" and alert.severity == 4
    assert alert.observed_at == datetime(2023, 2, 16, 3, 58, 43, 275000, tzinfo=UTC)
    seen = observables_of(alert)
    hashes = {v for t, v, _ in seen if t == "hash"}
    assert {
        "2e0ccb27064856e3d55017fa2d33a7b9",  # process md5, sha1, sha256
        "5b1a36a8b206fe9daece7e2cd702cdd4e10bb895",
        "1c84c8632c5269f24876ed9f49fa810b49f77e1e92e8918fc164c34b020f9a94",
        "f070b5cf25febb9a88a168efd87c6112",  # explorer.exe, the parent
        "94518c310478e494082418ed295466f5aea26eea",
        "567be4d1e15f4ff96d92e7d28e191076f5813f50be96bf4c3916e4ecf53f66cd",
    } <= hashes
    # host.ip: 172.31.3.228, fe80::..., 127.0.0.1, ::1.
    assert {v for t, v, _ in seen if t == "ip"} == {"172.31.3.228"}
    assert {("user", "administrator", "user"), ("hostname", "ec2amaz-77fh04j", "destination")} <= seen


def test_an_endpoint_behavior_alert_posted_bare(post):
    body = document("kibana_telemetry_endpoint_behavior_alert.json")
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == body["kibana.alert.uuid"] and alert.title == "Endpoint Security"
    assert alert.observed_at == datetime(2022, 7, 18, 15, 47, 37, 258000, tzinfo=UTC)  # original_time
    assert {
        ("ip", "10.13.177.247", "source"),
        ("ip", "10.232.197.71", "destination"),
        ("hostname", "host-v3mqhhvt7z", "destination"),
    } <= observables_of(alert)


def test_an_ecs_alert_from_an_integration_is_titled_by_its_rule(post):
    body = document("elastic_integrations_splunk_alert_ecs.json")
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Access - Excessive Failed Logins - Rule"  # ECS rule.name
    assert alert.description == body["message"]
    assert alert.source_ref.startswith("sha256:")
    assert alert.observed_at == datetime(2025, 2, 10, 6, 20, 16, tzinfo=UTC)
    # destination.ip is 127.0.0.1: no observable; the search head's address is the host.
    assert observables_of(alert) == {
        ("ip", "89.160.20.112", "source"),
        ("ip", "89.160.20.156", "destination"),
    }


def test_8x_threat_enrichments_give_their_indicators():
    doc = {
        "kibana.alert.rule.name": "Threat Intel Indicator Match",
        "kibana.alert.uuid": "u-1",
        "threat": {
            "enrichments": [
                {
                    "indicator": {"type": "ipv4-addr", "ip": "203.0.113.50"},
                    "matched": {"atomic": "203.0.113.50", "field": "source.ip"},
                },
                {"indicator.file.hash.sha256": "a" * 64, "indicator.type": "file"},
                "not an object",
            ]
        },
    }
    alert = ADAPTERS["elastic"].parse(doc)
    assert ("ip", "203.0.113.50", "declared") in alert.observables
    assert ("hash", "a" * 64, "declared") in alert.observables


# --- Hashes inside lists: loaded libraries, a behavior alert's matched events ----------------


def test_a_behavior_alert_reads_the_hashes_of_the_events_that_matched_its_rule(post):
    # Events[] holds the endpoint events the behavior rule matched; here the exec of
    # /tmp/bash, whose hashes appear nowhere else in the alert (the top-level process.hash
    # is redacted in this document: "ABCD..." in place of the first characters).
    body = document("elastic_integrations_elastic_security_behavior_alert_events.json")
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Malicious Behavior Prevention Alert: Empire Stager Execution"
    assert alert.source_ref == "abcdef123" and alert.severity == 3
    assert alert.observed_at == datetime(2024, 6, 9, 13, 52, 7, 402000, tzinfo=UTC)
    assert alert.technique_ids == ["T1059.004", "T1059.006", "T1132.001"]
    seen = observables_of(alert)
    assert {
        ("hash", "21a5d9c728d069ba6239c1da751a2f31fba9b1aa", "declared"),
        ("hash", "d9df3091f6093bd9a7b308e536fbc285aeef2c5139577cc96bc594a4845f0e13", "declared"),
        ("hash", "f9bf2d21a340f2b3ee534fba5b29e417", "declared"),
        ("user", "admin", "user"),
        ("hostname", "siem-linux-release-sec-bis", "destination"),
        ("ip", "89.160.20.156", "destination"),
    } <= seen
    # The redacted top-level sha1 and md5 are not hashes (38 and 33 characters).
    assert not {v for t, v, _ in seen if t == "hash" and v.startswith("abcd") and len(v) != 64}


def test_a_loaded_librarys_hashes_are_read_from_the_dll_list(post):
    # The telemetry mock's behavior alert lists its library in `dll` as an array.
    response = post("elastic", document("kibana_telemetry_endpoint_behavior_alert.json"))
    assert response.status_code == 201, response.json()
    hashes = {v for t, v, _ in observables_of(Alert.objects.get(pk=response.json()["id"])) if t == "hash"}
    assert {
        "ca85243c0af6a6471bdaa560685c51eefd6dbc0d",
        "8ad40c90a611d36eb8f9eb24fa04f7dbca713db383ff55a03aa0f382e92061a2",
        "1f2d082566b0fc5f2c238a5180db7451",
    } <= hashes


def test_the_process_loaded_libraries_are_read_from_process_ext_dll():
    # The ransomware alert without its process.hash: the library list (process.Ext.dll[],
    # whose one entry here is the process image) still gives the hashes.
    hit = document("kibana_cypress_ransomware_alert_hit.json")
    del hit["_source"]["process"]["hash"]
    hashes = {v for t, v, _ in ADAPTERS["elastic"].parse(hit).observables if t == "hash"}
    assert {
        "2e0ccb27064856e3d55017fa2d33a7b9",
        "5b1a36a8b206fe9daece7e2cd702cdd4e10bb895",
        "1c84c8632c5269f24876ed9f49fa810b49f77e1e92e8918fc164c34b020f9a94",
    } <= hashes


def test_huge_lists_are_read_only_up_to_the_cap():
    from cases.ingest.elastic import MAX_LIST_ELEMENTS, MAX_LIST_OBSERVABLES

    body = document("elastic_integrations_elastic_security_behavior_alert_events.json")
    template = body["Events"][0]
    body["Events"] = [
        {
            **template,
            "process": {"hash": {"sha256": f"{i:064x}"}},
            "source": {"ip": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"},
        }
        for i in range(100_000)
    ]
    body["dll"] = [{"hash": {"md5": f"{i:032x}"}} for i in range(100_000)]
    alert = ADAPTERS["elastic"].parse(body)
    from_events = {
        v for t, v, _ in alert.observables if t == "hash" and len(v) == 64 and v.startswith("0" * 50)
    }
    assert len(from_events) <= MAX_LIST_ELEMENTS
    assert f"{MAX_LIST_ELEMENTS:064x}" not in from_events  # the element past the cap
    from_lists = [o for o in alert.observables if o[0] == "hash" and o[1].startswith("0" * 20)]
    from_lists += [o for o in alert.observables if o[0] == "ip" and o[1].startswith("10.0.")]
    assert len(from_lists) <= MAX_LIST_OBSERVABLES


# --- lists spelt flat (fields API, ES|QL), ECS alerts without a rule name --------------------


def test_a_list_spelt_as_flat_dotted_keys_is_read_as_its_elements_are():
    # The `fields` API and ES|QL give a list of objects as one array per dotted field.
    sha_a, sha_b = "a" * 64, "b" * 64
    doc = {
        "kibana.alert.uuid": "flat-1",
        "kibana.alert.rule.name": "Library loaded",
        "process.Ext.dll.hash.sha256": [sha_a, sha_b],
        "Events.source.ip": ["198.51.100.20"],
        "threat.enrichments.indicator.ip": ["203.0.113.50"],
        "threat.indicator.domain": ["bad.example.org"],
    }
    alert = ADAPTERS["elastic"].parse(doc)
    assert {("hash", sha_a, "declared"), ("hash", sha_b, "declared")} <= set(alert.observables)
    assert ("ip", "198.51.100.20", "source") in alert.observables
    assert ("ip", "203.0.113.50", "declared") in alert.observables
    assert ("domain", "bad.example.org", "declared") in alert.observables


def test_a_fields_api_hit_of_an_endpoint_alert_keeps_its_library_hashes():
    # The ransomware alert read with `fields` (no _source): each field one array, the
    # libraries' hashes under "process.Ext.dll.hash.sha256".
    source = document("kibana_cypress_ransomware_alert_hit.json")["_source"]
    libraries = [lib["hash"]["sha256"] for lib in source["process"]["Ext"]["dll"]]
    hit = {
        "_index": ".internal.alerts-security.alerts-default-000001",
        "_id": source["kibana.alert.uuid"],
        "fields": {
            "kibana.alert.rule.name": [source["kibana.alert.rule.name"]],
            "process.Ext.dll.hash.sha256": libraries,
        },
    }
    alert = ADAPTERS["elastic"].parse(hit)
    assert libraries and {("hash", sha, "declared") for sha in libraries} <= set(alert.observables)


def test_defender_for_endpoint_alert_without_a_rule_name_takes_its_message(post):
    body = document("elastic_integrations_microsoft_defender_endpoint_alert.json")
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Low-reputation arbitrary code executed by signed executable"
    assert alert.source_ref == "da637472900382838869_1364969609"  # event.id, Defender's alert id
    assert alert.observed_at == datetime(2025, 10, 16, 10, 42, 6, 592000, tzinfo=UTC)
    seen = observables_of(alert)
    assert ("user", "temp123", "user") in seen
    assert ("hostname", "temp123.middleeast.corp.microsoft.com", "destination") in seen


def test_an_ecs_document_that_is_no_alert_must_still_name_its_rule():
    doc = {"event": {"kind": "event"}, "message": "a log line", "@timestamp": "2026-03-04T13:41:07Z"}
    with pytest.raises(InvalidAlert) as exc:
        ADAPTERS["elastic"].parse(doc)
    assert "kibana.alert.rule.name" in exc.value.errors


def test_an_endpoint_security_promoted_alert_from_kibanas_cypress_archive(post):
    hit = document("kibana_cypress_query_alert_endpoint_malware_hit.json")
    response = post("elastic", hit)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == hit["_id"]
    assert alert.title == "Endpoint Security"
    assert alert.description.startswith("malware event with process malware writer")
    assert alert.severity == 2  # kibana.alert.severity "medium"
    assert alert.observed_at == datetime(2023, 4, 29, 7, 17, 32, 103000, tzinfo=UTC)  # original_time
    seen = observables_of(alert)
    assert {("user", "user1", "user"), ("hostname", "host-fwarau82er", "destination")} <= seen
    assert ("ip", "10.186.17.170", "destination") in seen
    # The loaded library's real hashes; the archive's "fake file md5" placeholders are no hashes.
    assert ("hash", "8ad40c90a611d36eb8f9eb24fa04f7dbca713db383ff55a03aa0f382e92061a2", "declared") in seen
    assert not any("fake" in value for _, value, _ in seen)
    assert set(alert.tags) == {"Elastic", "Endpoint Security"}
