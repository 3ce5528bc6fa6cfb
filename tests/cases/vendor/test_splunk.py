"""Real Splunk webhook bodies and Enterprise Security notable rows through
/api/v1/alerts/splunk/."""

from datetime import UTC, datetime

import pytest

from cases.ingest import ADAPTERS
from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db


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


# --- Enterprise Security notables, and more webhook bodies ------------------------------------


def notable_webhook(row: dict) -> dict:
    """A webhook body as a saved search over `index=notable` posts it (search_name null, as
    Splunk sends for an unsaved search)."""
    return {
        "sid": "scheduler__admin__SplunkEnterpriseSecuritySuite__RMD5_at_1739168400_7",
        "search_name": None,
        "app": "SplunkEnterpriseSecuritySuite",
        "result": row,
    }


NOTABLES = document("splunk_es_notable_rows.json")


def test_a_notable_reads_its_correlation_searchs_fields_out_of_its_text(post):
    excessive_logins = NOTABLES[0]
    response = post("splunk", notable_webhook(excessive_logins))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Access - Excessive Failed Logins - Rule"  # search_name in _raw
    seen = observables_of(alert)
    # src is only in _raw; `host` (89.160.20.156) is the search head that wrote the notable.
    assert seen == {("ip", "89.160.20.112", "source")}
    # Its technique fields hold the test's placeholder "mite": flagged, the notable kept.
    assert alert.technique_ids == []
    assert [(f["code"], f["field"]) for f in alert.flags] == [("technique_unparsed", "result._raw")]


def test_a_notable_takes_the_source_events_time_its_hash_and_its_title(post):
    crowdstrike = NOTABLES[1]
    response = post("splunk", notable_webhook(crowdstrike))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Threat - Crowdstrike - Detection Found - Rule"
    # orig_time (07:34:26Z), not _time (the notable's, 08:07:05Z).
    assert alert.observed_at == datetime(2025, 2, 11, 7, 34, 26, tzinfo=UTC)
    assert observables_of(alert) == {
        ("hash", "b9ef39e591886f5ea06521952ece1320e14928ddf4db440365babe3d410298c1", "declared")
    }


def test_a_notable_without_search_name_in_its_text_is_titled_by_its_source(post):
    row = {**NOTABLES[2], "_raw": NOTABLES[2]["_raw"].replace('search_name="Example Detection Rule", ', "")}
    response = post("splunk", notable_webhook(row))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Example Detection Rule"  # `source` of a stash event
    assert observables_of(alert) == set()  # host "splunk-server" is the search head


def test_a_notables_own_fields_win_over_its_text_and_orig_host_is_the_host():
    row = {
        **NOTABLES[1],
        "rule_title": "CrowdStrike detection on ws-17",
        "urgency": "critical",
        "severity": "low",
        "orig_host": "ws-17",
        "file_hash": "c" * 64,
        "annotations.mitre_attack.mitre_technique_id": ["T1204.002"],
    }
    alert = ADAPTERS["splunk"].parse(notable_webhook(row))
    assert alert.title == "CrowdStrike detection on ws-17"
    assert alert.severity == 4  # urgency before severity
    assert alert.technique_ids == ["T1204.002"]
    assert ("hostname", "ws-17", "destination") in alert.observables
    hashes = {v for t, v, _ in alert.observables if t == "hash"}
    assert hashes == {"c" * 64}


def test_stash_text_escapes_and_repeated_keys():
    row = {
        "sourcetype": "stash",
        "_raw": '1700000000, search_name="Quote \\"test\\"", src="198.51.100.1", src="198.51.100.2", '
        'file_path="C:\\\\Windows\\\\x.exe"',
    }
    alert = ADAPTERS["splunk"].parse(notable_webhook(row))
    assert alert.title == 'Quote "test"'
    assert {v for t, v, _ in alert.observables if t == "ip"} == {"198.51.100.1", "198.51.100.2"}


def test_a_plain_search_row_is_not_read_as_a_notable():
    row = {
        "sourcetype": "syslog",
        "source": "/var/log/secure",
        "host": "web01",
        "_raw": 'x src="198.51.100.1"',
    }
    alert = ADAPTERS["splunk"].parse(notable_webhook(row))
    assert alert.title == "Splunk alert (SplunkEnterpriseSecuritySuite)"  # never the file path
    assert alert.observables == [("hostname", "web01", "destination")]


def test_zulips_captured_sudo_webhook(post):
    response = post("splunk", document("splunk_zulip_search_one_result.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "sudo"
    assert alert.observed_at == datetime(2017, 1, 4, 19, 14, 32, tzinfo=UTC)
    assert "session closed for user root" in alert.description
    assert observables_of(alert) == {("hostname", "myserver", "destination")}


def test_the_thehive_docs_audittrail_webhook(post):
    response = post("splunk", document("splunk_strangebee_docs_audittrail_webhook.json"))
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "My Alert"
    assert alert.observed_at == datetime(2022, 8, 5, 13, 24, 19, 827088, tzinfo=UTC)
    assert {("user", "admin", "user"), ("hostname", "8afeb4633464", "destination")} <= observables_of(alert)
    assert "sourcetype:audittrail" in alert.tags


# --- Bare result rows, arrays of them, whole results bodies -----------------------------------


def test_a_bare_notable_row_is_an_alert_identified_by_its_event_id(post):
    # A notable as SplunkPy fetches it from `search notable`: the row itself, no webhook body.
    row = document("demisto_splunkpy_test_notable_event.json")
    response = post("splunk", row)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == row["event_id"]
    assert alert.title == "Root user use"  # rule_title
    assert alert.description == "User successfully changed UID."
    assert alert.severity == 1  # urgency informational
    assert alert.observed_at == datetime(2024, 6, 4, 9, 30, 10, tzinfo=UTC)  # orig_time
    assert ("user", "root", "user") in observables_of(alert)
    # The row's `app` is the event's (su), not a Splunk app: no "splunk:su" tag.
    assert alert.tags == ["sourcetype:stash", "source:Identity - Root sucess - Rule"]
    assert post("splunk", row).json()["duplicate"] is True


def test_an_array_of_rows_is_one_alert_per_row_and_a_bad_row_refuses_only_itself(post):
    rows = document("demisto_splunkpy_response_two_events.json")
    response = post("splunk", [rows[0], {"search_name": "not a row"}, rows[1]])
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 400, 201]
    assert "sid" in results[1]["errors"]
    first, second = (Alert.objects.get(pk=r["id"]) for r in (results[0], results[2]))
    # No sid, no event_id: each row's content digest (the rows differ in _time only).
    assert first.source_ref.startswith("sha256:") and first.source_ref != second.source_ref
    assert first.title == "Endpoint - Recurring Malware Infection - Rule"
    assert first.observed_at == datetime(2020, 8, 24, 19, 10, 17, tzinfo=UTC)
    assert {
        ("ip", "192.168.3.12", "destination"),
        ("hostname", "acme-workstation-012", "destination"),
    } <= observables_of(first)


def test_the_notable_rows_posted_bare_as_an_array(post):
    response = post("splunk", NOTABLES)
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201, 201]
    titles = [Alert.objects.get(pk=r["id"]).title for r in results]
    assert titles == [
        "Access - Excessive Failed Logins - Rule",
        "Threat - Crowdstrike - Detection Found - Rule",
        "Example Detection Rule",
    ]


def test_a_search_jobs_results_body_is_one_alert_per_result(post):
    # Splunk's JSON output of a search job ({"fields", "results", ...}), as Elastic's mock
    # of the Splunk API serves it.
    body = document("elastic_integrations_splunk_mock_search_job_events_response.json")
    response = post("splunk", body)
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201]
    crowdstrike, logins = (Alert.objects.get(pk=r["id"]) for r in results)
    assert crowdstrike.title == "Threat - Crowdstrike - Detection Found - Rule"
    assert crowdstrike.observed_at == datetime(2025, 2, 11, 7, 34, 26, tzinfo=UTC)  # orig_time
    assert logins.title == "Access - Excessive Failed Logins - Rule"
    assert observables_of(logins) == {("ip", "89.160.20.112", "source")}
    assert crowdstrike.raw == {"result": body["results"][0]}
    assert post("splunk", body).json()["results"][0]["duplicate"] is True


def test_results_given_as_value_lists_are_named_by_fields():
    # json_rows-style columns: `fields` names each position of a row (derived from the
    # mock body above).
    body = document("elastic_integrations_splunk_mock_search_job_events_response.json")
    names = [f["name"] for f in body["fields"]]
    rows = [[r.get(n) for n in names] for r in body["results"]]
    adapter = ADAPTERS["splunk"]
    items, is_batch = adapter.split({"sid": "1756080001.364431", "fields": names, "results": rows})
    assert is_batch and [adapter.parse(i).title for i in items] == [
        "Threat - Crowdstrike - Detection Found - Rule",
        "Access - Excessive Failed Logins - Rule",
    ]
    assert adapter.parse(items[0]).source_ref.startswith("1756080001.364431#")


def test_non_cim_field_spellings_are_read():
    row = {
        "_time": "1772631667",
        "srcip": "198.51.100.7",
        "dstip": "203.0.113.9",
        "dst_ip": "203.0.113.10",
        "username": "m.keller",
        "user_name": "j.doe",
        "URL": "https://evil.example.net/payload",
    }
    alert = ADAPTERS["splunk"].parse(row)
    assert {
        ("ip", "198.51.100.7", "source"),
        ("ip", "203.0.113.9", "destination"),
        ("ip", "203.0.113.10", "destination"),
        ("user", "m.keller", "user"),
        ("user", "j.doe", "user"),
        ("url", "https://evil.example.net/payload", "declared"),
    } <= set(alert.observables)


def test_a_data_model_searchs_dataset_fields_are_read_under_their_cim_names(post):
    # `| tstats count from datamodel=Authentication by Authentication.src Authentication.user
    # Authentication.dest` names each field by its dataset.
    body = {
        "sid": "scheduler__admin__SplunkEnterpriseSecuritySuite__RMD5a1b2",
        "search_name": "Access - Brute Force Access Behavior Detected - Rule",
        "result": {
            "Authentication.src": "203.0.113.60",
            "Authentication.user": "m.keller",
            "Authentication.dest": "vpn-gw-01",
            "All_Traffic.dest_ip": "192.0.2.10",
            "user": "j.doe",  # the row's own field wins over a dataset's
            "count": "42",
        },
    }
    response = post("splunk", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert observables_of(alert) >= {
        ("ip", "203.0.113.60", "source"),
        ("hostname", "vpn-gw-01", "destination"),
        ("ip", "192.0.2.10", "destination"),
        ("user", "j.doe", "user"),
    }
    assert ("user", "m.keller", "user") not in observables_of(alert)


def test_the_alert_actions_session_key_is_not_stored(post):
    # A custom alert action's payload carries splunkd's session key and management URL
    # (Splunk docs, "Create a custom alert action script": the configuration payload);
    # here added to TheHive docs' real webhook body.
    body = {
        **document("splunk_strangebee_docs_audittrail_webhook.json"),
        "server_uri": "https://127.0.0.1:8089",
        "session_key": "test-session-key-not-a-real-one",
        "configuration": {"url": "https://vigil.example.com/api/v1/alerts/splunk/", "api_key": "s3cr3t"},
    }
    response = post("splunk", body)
    assert response.status_code == 201, response.json()
    raw = Alert.objects.get(pk=response.json()["id"]).raw
    assert "session_key" not in raw and raw["server_uri"] == "https://127.0.0.1:8089"
    assert raw["configuration"] == {"url": "https://vigil.example.com/api/v1/alerts/splunk/"}
    assert raw["result"] == body["result"]


# --- aggregate columns, risk-based alerting, ES 8 findings ----------------------------------


def test_a_stats_searchs_aggregate_columns_are_read_under_their_cim_names():
    # `| tstats count dc(All_Traffic.dest) values(Authentication.user) latest(src) min(_time)
    # ... by Authentication.src` without `as`: each column named by its function.
    body = {
        "sid": "scheduler__admin__search__RMD5aggr",
        "search_name": "Password spraying from one source",
        "result": {
            "Authentication.src": "203.0.113.61",
            "values(Authentication.user)": ["m.keller", "j.doe"],
            "values(Authentication.dest)": "vpn-gw-02",
            "latest(url)": "https://portal.example.com/login",
            "min(_time)": "1772631667",
            "dc(All_Traffic.dest)": "17",
            "count": "42",
        },
    }
    alert = ADAPTERS["splunk"].parse(body)
    assert {
        ("ip", "203.0.113.61", "source"),
        ("user", "m.keller", "user"),
        ("user", "j.doe", "user"),
        ("hostname", "vpn-gw-02", "destination"),
        ("url", "https://portal.example.com/login", "declared"),
    } <= set(alert.observables)
    assert alert.observed_at == datetime(2026, 3, 4, 13, 41, 7, tzinfo=UTC)
    # dc() and count are numbers, not the field's values.
    assert not [o for o in alert.observables if o[1] in ("17", "42")]


def test_risk_and_threat_objects_are_read_by_their_types():
    row = {
        "_time": "1772631667",
        "search_name": "Threat - Suspicious PowerShell - Rule",
        "risk_object": ["ws-0042", "a.novak"],
        "risk_object_type": ["system", "user"],
        "threat_object": ["198.51.100.77", "evil.example.net", "powershell.exe"],
        "threat_object_type": ["ip_address", "domain", "process_name"],
    }
    alert = ADAPTERS["splunk"].parse(row)
    assert {
        ("hostname", "ws-0042", "destination"),
        ("user", "a.novak", "user"),
        ("ip", "198.51.100.77", "source"),
        ("domain", "evil.example.net", "declared"),
    } <= set(alert.observables)
    assert not [o for o in alert.observables if o[1] == "powershell.exe"]


def test_enterprise_security_8_findings_list_is_one_alert_per_finding(post):
    body = document("splunk_ansible_es_findings_api_list.json")
    response = post("splunk", body)
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201, 201]
    alerts = [Alert.objects.get(pk=r["id"]) for r in results]
    assert [a.source_ref for a in alerts] == [item["finding_id"] for item in body["items"]]
    assert [a.title for a in alerts] == [
        "Suspicious Login Activity",
        "Malware Detection",
        "Suspicious Login Activity",
    ]
    assert [a.severity for a in alerts] == [3, 4, 2]  # urgency high, critical, medium
    assert alerts[0].description == "Multiple failed login attempts"
    # The finding id ends in its time: "...@@notable@@time1768225865".
    assert alerts[0].observed_at == datetime(2026, 1, 12, 13, 51, 5, tzinfo=UTC)
    assert observables_of(alerts[0]) == {("user", "testuser", "user")}
    assert observables_of(alerts[1]) == {("hostname", "server01", "destination")}


def test_a_single_enterprise_security_8_finding_is_accepted(post):
    finding = document("splunk_ansible_es_findings_api_single.json")
    response = post("splunk", finding)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == finding["finding_id"]
    assert (alert.title, alert.severity) == ("Suspicious Login Activity", 3)
    assert observables_of(alert) == {("user", "testuser", "user")}
