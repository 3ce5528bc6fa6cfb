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
