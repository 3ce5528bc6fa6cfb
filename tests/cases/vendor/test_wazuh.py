"""Real Wazuh alerts (tests/cases/fixtures/vendor, its README names each source) ingest
through /api/v1/alerts/wazuh/ with what an analyst needs: an id, a title, a description,
the observed time, the technique ids, the users, hosts, addresses and hashes with roles.

The documents are Wazuh's docs (FIM, VirusTotal, Windows Defender, Office 365 as the
indexer search hits the dashboard shows) and wazuh-indexer's own samples (a search hit,
the records its Logstash pipeline writes). The wrapper rules (hit, record, search
response) are tested at the end.
"""

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.ingest import ADAPTERS
from cases.ingest.base import InvalidAlert
from cases.models import Alert
from tests.cases.test_ingest_adapters import mutated, only_validation_errors
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db


def ingested(post, body) -> Alert:
    response = post("wazuh", body)
    assert response.status_code == 201, response.json()
    return Alert.objects.get(pk=response.json()["id"])


def parse(doc):
    return ADAPTERS["wazuh"].parse(doc)


STS_LOGON = "wazuh_docs_office365_sts_logon_indexer_hit.json"
ADD_USER = "wazuh_docs_office365_add_user_indexer_hit.json"


# --- Office 365, as indexer search hits ------------------------------------------------------


def test_the_office365_sts_logon_hit(post):
    # Before: 400 {"id": required, "rule.description": required}: the alert is in `_source`.
    alert = ingested(post, document(STS_LOGON))
    assert alert.source_ref == "1706513609.3469"  # the alert's own id, not the hit's _id
    assert alert.title == "Office 365: Secure Token Service (STS) logon events in Azure Active Directory."
    assert alert.description == ""  # an audit record: no log line, no message field
    assert alert.severity == 1  # level 3
    assert alert.observed_at == datetime(2024, 1, 29, 7, 33, 29, 195000, tzinfo=UTC)
    assert alert.technique_ids == [] and alert.flags == []
    # ClientIP and ActorIpAddress (one address), UserId (a UPN: the account keeps its
    # domain). The agent, "wazuh-server" (000), is the manager polling the API: no party.
    assert observables_of(alert) == {
        ("ip", "102.244.157.118", "source"),
        ("user", "xxxxxxx@wazuh.com", "user"),
    }
    assert alert.tags == ["office365", "AzureActiveDirectoryStsLogon"]


def test_the_office365_add_user_hit_has_the_actor_and_the_created_account(post):
    alert = ingested(post, document(ADD_USER))
    assert alert.source_ref == "1706535414.239597"
    assert alert.title == "Office 365: Added user"
    assert alert.severity == 2  # level 6
    assert alert.observed_at == datetime(2024, 1, 29, 13, 36, 54, 168000, tzinfo=UTC)
    assert alert.technique_ids == ["T1078", "T1098.001"]
    # UserId is who acted; Target[] holds the new account's UPN among GUIDs and a PUID.
    assert observables_of(alert) == {
        ("user", "xxxxxxx@wazuh.com", "user"),
        ("user", "testuser@wazuh.com", "user"),
    }


@pytest.mark.parametrize("user_id", ["NT AUTHORITY\\SYSTEM (w3wp)", "SHAREPOINT\\system", "app@sharepoint"])
def test_an_office365_system_account_is_no_user(user_id):
    # Microsoft's schema: UserId is the actor's UPN, or one of these system accounts.
    hit = document(STS_LOGON)
    hit["_source"]["data"]["office365"]["UserId"] = user_id
    assert [o for o in parse(hit).observables if o[0] == "user"] == []


def test_office365_addresses_lose_the_port_exchange_writes():
    # Exchange audit records write ClientIP as "198.51.100.7:51234" or "[2001:db8::1]:50000".
    hit = document(STS_LOGON)
    record = hit["_source"]["data"]["office365"]
    record["ClientIP"] = "[2001:db8::1]:50000"
    record["ActorIpAddress"] = "198.51.100.7:51234"
    ips = {(v, role) for t, v, role in parse(hit).observables if t == "ip"}
    assert ips == {("2001:db8::1", "source"), ("198.51.100.7", "source")}
    record["ClientIP"], record["ActorIpAddress"] = "2001:db8::2", "[2001:db8::3]"
    ips = {v for t, v, _ in parse(hit).observables if t == "ip"}
    assert ips == {"2001:db8::2", "2001:db8::3"}


# --- wazuh-indexer's samples: a search hit, the Logstash pipeline's records ------------------


def test_wazuh_indexers_shellshock_hit(post):
    alert = ingested(post, document("wazuh_indexer_asl_shellshock_hit.json"))
    assert alert.source_ref == "1707402914.872885"
    assert alert.title == "Shellshock attack attempt"
    assert alert.description.startswith('000.111.222.10 - - [08/Feb/2024:11:35:12 -0300] "GET /cgi-bin/')
    assert alert.severity == 2  # level 6
    assert alert.observed_at == datetime(2024, 2, 8, 14, 35, 14, 334000, tzinfo=UTC)
    assert alert.technique_ids == ["T1068", "T1190"]
    # data.srcip "000.111.222.10" is the sample's redaction, no address; data.url a path.
    assert observables_of(alert) == {("hostname", "redacted.com", "destination")}
    assert alert.tags == ["web", "accesslog", "attack"]


def test_the_logstash_pipelines_records_are_a_batch(post):
    # Before: each record 400 {"id": required, "rule.description": required}.
    response = post("wazuh", document("wazuh_indexer_asl_logstash_events.json"))
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201]
    vulnerability, sshd = (Alert.objects.get(pk=r["id"]) for r in results)

    assert vulnerability.source_ref == "1708023911.181468"
    assert vulnerability.title.startswith("The CVE-2007-4559 that affected python3.10 was solved")
    # The alert's time, not the record's @timestamp (19:06:00, when Logstash read it).
    assert vulnerability.observed_at == datetime(2024, 2, 15, 19, 5, 11, 486000, tzinfo=UTC)
    assert vulnerability.severity == 1 and vulnerability.tags == ["vulnerability-detector"]

    assert sshd.source_ref == "1708024054.185097"
    assert sshd.title == "sshd: authentication success."
    assert sshd.description.startswith("Feb 15 16:07:34 ubuntu2204 sshd[127530]: Accepted publickey for root")
    assert sshd.observed_at == datetime(2024, 2, 15, 19, 7, 34, 606000, tzinfo=UTC)
    assert sshd.technique_ids == ["T1078", "T1021"]
    assert observables_of(sshd) == {
        ("ip", "192.168.83.175", "source"),
        ("user", "root", "user"),
        ("hostname", "ubuntu2204", "destination"),
    }


# --- Wazuh's docs: FIM, VirusTotal, Windows Defender ------------------------------------------


def test_the_fim_file_added_alert_keeps_its_hashes(post):
    alert = ingested(post, document("wazuh_docs_fim_file_added.json"))
    assert alert.source_ref == "1668705462.50453"
    assert alert.title == "File added to the system."
    assert alert.description == "File '/media/user/software/suspicious-file.exe' added\nMode: realtime\n"
    assert alert.severity == 2  # level 5
    assert alert.observed_at == datetime(2022, 11, 17, 17, 17, 42, 694000, tzinfo=UTC)
    assert observables_of(alert) == {
        ("hash", "d41d8cd98f00b204e9800998ecf8427e", "declared"),
        ("hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "declared"),
        ("hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "declared"),
        ("hostname", "ubuntu", "destination"),
        ("ip", "10.0.2.15", "destination"),
    }


def test_the_virustotal_malware_alert_has_the_files_hashes(post):
    # Before: only the agent; the scanned file's MD5 and SHA-1 were dropped.
    alert = ingested(post, document("wazuh_docs_virustotal_malware.json"))
    assert alert.source_ref == "1668706225.104492"
    assert alert.title == "VirusTotal: Alert - /media/user/software/eicar.com - 66 engines detected this file"
    assert alert.severity == 4  # level 12
    assert alert.observed_at == datetime(2022, 11, 17, 17, 30, 25, 85000, tzinfo=UTC)
    assert alert.technique_ids == ["T1203"]
    # The permalink is VirusTotal's report page, not an indicator: kept in the raw alert only.
    assert observables_of(alert) == {
        ("hash", "44d88612fea8a8f36de82e1278abb02f", "declared"),
        ("hash", "3395856ce81f2b7382dee72602f798b642f14140", "declared"),
        ("hostname", "ubuntu", "destination"),
        ("ip", "10.0.2.15", "destination"),
    }
    assert alert.raw["data"]["virustotal"]["permalink"].startswith("https://www.virustotal.com/gui/file/")


def test_the_windows_defender_detection_has_its_message_and_user(post):
    # Before: an empty description (eventchannel alerts have no full_log) and no user.
    alert = ingested(post, document("wazuh_docs_windows_defender_malware.json"))
    assert alert.source_ref == "1672911898.1113167"
    assert alert.title.startswith("Windows Defender: Antimalware platform detected")
    # data.win.system.message, without the quotes the eventchannel decoder puts around it.
    assert alert.description.startswith(
        "Microsoft Defender Antivirus has detected malware or other potentially unwanted software.\r\n"
    )
    assert "\tName: Virus:DOS/EICAR_Test_File\r\n" in alert.description
    assert alert.description.endswith("Engine Version: AM: 1.1.19900.2, NIS: 1.1.19900.2")
    assert alert.severity == 4  # level 12
    assert alert.observed_at == datetime(2023, 1, 5, 9, 44, 58, 557000, tzinfo=UTC)
    # eventdata["detection User"] "Windows-11\\win11" (the decoder doubles the backslash).
    assert observables_of(alert) == {
        ("user", "win11", "user"),
        ("hostname", "windows-11", "destination"),  # data.win.system.computer
        ("hostname", "windows_11", "destination"),  # agent.name
        ("ip", "10.0.2.15", "destination"),
    }
    assert alert.tags == ["windows", "windows_defender"]


# --- the wrappers: hit, Logstash record, search response --------------------------------------


def test_a_hit_takes_the_alerts_id_else_the_hits_id():
    hit = document(STS_LOGON)
    assert parse(hit).source_ref == "1706513609.3469"
    del hit["_source"]["id"]
    assert parse(hit).source_ref == "vNQjVI0B9LTh695MXIMn"


def test_a_hit_and_its_bare_alert_are_one_alert(post):
    hit = document(STS_LOGON)
    first = post("wazuh", hit)
    assert first.status_code == 201, first.json()
    for body in (hit, hit["_source"], {"@version": "1", "_source": hit["_source"]}):
        again = post("wazuh", body)
        assert again.status_code == 200 and again.json()["duplicate"] is True, again.json()
        assert again.json()["id"] == first.json()["id"]


def test_a_search_response_is_one_alert_per_hit(post):
    response = {
        "took": 3,
        "timed_out": False,
        "hits": {"total": {"value": 2, "relation": "eq"}, "hits": [document(STS_LOGON), document(ADD_USER)]},
    }
    answer = post("wazuh", response)
    assert answer.status_code == 200, answer.json()
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [201, 201]
    assert [Alert.objects.get(pk=r["id"]).source_ref for r in results] == [
        "1706513609.3469",
        "1706535414.239597",
    ]
    assert post("wazuh", {"hits": {"hits": []}}).status_code == 400  # an empty batch


def test_a_list_of_hits_is_a_batch_and_a_bad_hit_fails_alone(post):
    answer = post("wazuh", [document(STS_LOGON), {"_id": "x", "_source": "not an alert"}])
    assert answer.status_code == 200, answer.json()
    good, bad = answer.json()["results"]
    assert good["status"] == 201
    assert bad["status"] == 400 and set(bad["errors"]) == {"_source"}


@pytest.mark.parametrize("source", ["text", ["a"], None, 7, True])
def test_a_source_that_is_no_object_is_a_field_error(post, source):
    response = post("wazuh", {"_index": "wazuh-alerts-4.x-2024.01.29", "_id": "x", "_source": source})
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"_source"}


def test_a_record_without_any_id_names_the_id():
    record = document("wazuh_indexer_asl_logstash_events.json")[0]
    del record["_source"]["id"]
    with pytest.raises(InvalidAlert) as exc:
        parse(record)
    assert set(exc.value.errors) == {"id"}


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_no_mutation_of_a_hit_or_a_response_makes_the_adapter_fail_otherwise(data):
    hit = document(STS_LOGON)
    doc = data.draw(st.sampled_from([hit, {"hits": {"hits": [hit]}}, [hit, document(ADD_USER)]]))
    only_validation_errors("wazuh", data.draw(mutated(copy.deepcopy(doc))))


# --- Documents of the first set ------------------------------------------------------------


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
