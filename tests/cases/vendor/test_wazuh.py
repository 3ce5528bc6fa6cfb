"""Real Wazuh alerts (tests/cases/fixtures/vendor, its README names each source) ingest
through /api/v1/alerts/wazuh/ with what an analyst needs: an id, a title, a description,
the observed time, the technique ids, the users, hosts, addresses and hashes with roles.

The documents are Wazuh's docs (FIM, VirusTotal, Windows Defender, Office 365 as the
indexer search hits the dashboard shows) and wazuh-indexer's own samples (a search hit,
the records its Logstash pipeline writes). The wrapper rules (hit, record, search
response) are tested at the end; then the cloud modules (MS Graph, GitHub, Azure, GCP,
CloudTrail: Wazuh's docs, three with a stated change) and a Sysmon alert.
"""

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.ingest import ADAPTERS
from cases.ingest.common import content_digest
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


def test_a_record_without_any_id_is_known_by_its_alerts_digest():
    record = document("wazuh_indexer_asl_logstash_events.json")[0]
    del record["_source"]["id"]
    source_ref = parse(record).source_ref
    assert source_ref == content_digest(record["_source"])
    # The Logstash record around it (its own @timestamp) is not the alert: same digest.
    assert parse({**record, "@timestamp": "2030-01-01T00:00:00Z"}).source_ref == source_ref
    record["_source"]["rule"]["level"] = 15
    assert parse(record).source_ref != source_ref


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


# --- Round 2: the cloud modules, MS Graph, Sysmon ----------------------------------------------

MS_GRAPH_ALERT = "wazuh_docs_msgraph_security_alert_v2_99506.json"
INTUNE = "wazuh_docs_msgraph_intune_audit_event_99652.json"
GITHUB = "wazuh_docs_github_repository_vulnerability_alert.json"
AZURE = "wazuh_docs_azure_log_analytics_vm_start.json"
GKE = "wazuh_docs_gcp_gke_malicious_pods_list.json"
CLOUDTRAIL = "derived_wazuh_docs_aws_cloudtrail_deletesecuritygroup_comma_fixed.json"
SYSMON = "wazuh_tomato_readme_sysmon_eid1_suspicious_svchost_61618.json"


def azure_alert():
    # The docs page drops `location`; the azure wodle writes "Azure" (its "1:Azure:" header,
    # wodles/azure/azure_utils.py).
    return {**document(AZURE), "location": "Azure"}


def gke_alert():
    # The docs page drops `location`; the gcp-pubsub wodle writes "Wazuh-GCloud".
    return {**document(GKE), "location": "Wazuh-GCloud"}


def test_the_ms_graph_security_alert(post):
    # Before: no description, no technique, the poll's time and the polling agent as host.
    alert = ingested(post, document(MS_GRAPH_ALERT))
    assert alert.source_ref == "1623276774.47272"
    assert alert.title == "MS Graph message: The alert is true positive and detected malicious activity."
    assert alert.description == "Emails with malicious file that were delivered and later removed -V1.0.0.3"
    assert alert.technique_ids == ["T1566.001"] and alert.flags == []
    # firstActivityDateTime, not createdDateTime (23:48) nor the poll (2023-04-23).
    assert alert.observed_at == datetime(2022, 11, 13, 23, 45, 41, 59339, tzinfo=UTC)
    # agent "ubuntu-bionic" is the manager polling the Graph API: no party.
    assert observables_of(alert) == set()


def test_an_ms_graph_alert_without_a_description_takes_its_title_and_bad_ids_are_flagged():
    doc = document(MS_GRAPH_ALERT)
    record = doc["data"]["ms-graph"]
    record["description"] = ""
    record["mitreTechniques"] = ["T1566.001", "Phishing"]
    del record["firstActivityDateTime"]
    alert = parse(doc)
    assert alert.description == "Email messages containing malicious file removed after delivery."
    assert alert.technique_ids == ["T1566.001"]
    assert [(f["code"], f["field"]) for f in alert.flags] == [
        ("technique_unparsed", "data.ms-graph.mitreTechniques")
    ]
    assert alert.observed_at == datetime(2022, 11, 13, 23, 48, 21, 984706, tzinfo=UTC)  # createdDateTime


def test_the_ms_graph_intune_audit_event_has_its_actor(post):
    alert = ingested(post, document(INTUNE))
    assert alert.title == "MS Graph message: MDM Intune audit event."
    assert alert.observed_at == datetime(2024, 8, 9, 18, 29, 0, 702325, tzinfo=UTC)  # activityDateTime
    # actor.userPrincipalName (the page redacts it so); the polling agent is no host.
    assert observables_of(alert) == {("user", "xxx@xxx.com", "user")}


def test_the_github_audit_alert_has_its_actor_and_no_collector(post):
    # Before: agent "ubuntu" (000, the manager polling GitHub's API) as the host.
    alert = ingested(post, document(GITHUB))
    assert alert.source_ref == "1619714433.146108"
    assert alert.severity == 4  # level 12
    assert observables_of(alert) == {("user", "member_name", "user")}  # the page's placeholder


def test_the_azure_log_analytics_alert_has_its_caller(post):
    # Before: only the polling manager, "wazuh-manager-master-0", as the host.
    alert = ingested(post, azure_alert())
    assert alert.title == "Azure: Log analytics: Microsoft.Compute/virtualMachines/start/action"
    assert observables_of(alert) == {
        ("ip", "83.49.98.225", "source"),  # CallerIpAddress
        ("user", "john.doe@email.com", "user"),  # Caller
    }


def test_an_azure_caller_that_is_no_upn_is_no_user():
    # A service principal calls by its application id.
    doc = azure_alert()
    doc["data"]["Caller"] = "d4cd75e6-1234-4b2e-b604-3811e9914fea"
    assert [o for o in parse(doc).observables if o[0] == "user"] == []


def test_the_gke_audit_alert_has_its_caller_and_the_entrys_time(post):
    alert = ingested(post, gke_alert())
    assert alert.severity == 3  # level 10
    # data.timestamp, the log entry's; the alert's (17:09:25) is the pull.
    assert alert.observed_at == datetime(2020, 8, 17, 17, 9, 5, 43988, tzinfo=UTC)
    assert observables_of(alert) == {
        ("ip", "35.195.195.195", "source"),  # requestMetadata.callerIp
        ("user", "john.doe@email.com", "user"),  # authenticationInfo.principalEmail
    }


def test_a_data_timestamp_is_the_events_time_only_for_gcp():
    doc = document(GKE)
    for name in ("logName", "insertId"):  # no more a log entry, and no location
        del doc["data"][name]
    assert parse(doc).observed_at == datetime(2020, 8, 17, 17, 9, 25, 832000, tzinfo=UTC)


def test_the_docs_pages_cloud_alerts_without_id_or_location_are_read_by_their_records_shape(post):
    # Before: refused (no id), and the polling manager stood as the host.
    azure = ingested(post, document(AZURE))
    assert azure.source_ref.startswith("sha256:")
    assert observables_of(azure) == {("ip", "83.49.98.225", "source"), ("user", "john.doe@email.com", "user")}
    gke = ingested(post, document(GKE))
    assert gke.observed_at == datetime(2020, 8, 17, 17, 9, 5, 43988, tzinfo=UTC)  # the entry's
    assert ("hostname", "wazuh-manager-master", "destination") not in observables_of(gke)
    # The same copy again is the same alert (a retry), not a second one.
    again = post("wazuh", document(AZURE))
    assert again.status_code == 200 and again.json()["id"] == azure.pk


def test_the_cloudtrail_alert_has_its_user_and_the_events_time(post):
    alert = ingested(post, document(CLOUDTRAIL))
    assert alert.title == "AWS Cloudtrail: ec2.amazonaws.com - DeleteSecurityGroup."
    assert alert.observed_at == datetime(2020, 8, 6, 15, 13, 7, tzinfo=UTC)  # eventTime
    # sourceIPAddress "cloudformation.amazonaws.com" is no address.
    assert observables_of(alert) == {("user", "john.doe", "user")}  # userIdentity.userName


def test_an_unreadable_module_time_is_flagged_and_the_alerts_time_used():
    doc = document(CLOUDTRAIL)
    doc["data"]["aws"]["eventTime"] = "Aug 6 15:13:07"
    alert = parse(doc)
    assert alert.observed_at == datetime(2020, 8, 6, 15, 47, 14, 334000, tzinfo=UTC)
    assert [(f["code"], f["field"]) for f in alert.flags] == [("observed_at_unparsed", "data.aws.eventTime")]


def test_the_sysmon_alert_has_the_images_hash_and_the_windows_message(post):
    # Before: the description was full_log, the JSON of data.win; the SHA-256 was dropped.
    alert = ingested(post, document(SYSMON))
    assert alert.title == "Sysmon - Suspicious Process - svchost.exe"
    assert alert.description.startswith(
        "Process Create:\r\nRuleName: -\r\nUtcTime: 2022-12-28 01:35:15.998\r\n"
    )
    assert alert.description.endswith("ParentUser: -")
    assert alert.technique_ids == ["T1055"]
    assert observables_of(alert) == {
        ("hash", "643ec58e82e0272c97c2a59f6020970d881af19c0ad5029db9c958c13b6558c7", "declared"),
        ("hostname", "desktop-9lo9b7q", "destination"),
        ("ip", "10.0.2.6", "destination"),
    }


def test_sysmons_hashes_are_the_file_digests_without_the_imphash():
    # Sysmon's HashAlgorithms "*": every digest in one field; IMPHASH hashes the import table.
    doc = document(SYSMON)
    doc["data"]["win"]["eventdata"]["hashes"] = (
        "SHA1=A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0,MD5=0123456789ABCDEF0123456789ABCDEF,"
        "SHA256=643EC58E82E0272C97C2A59F6020970D881AF19C0AD5029DB9C958C13B6558C7,"
        "IMPHASH=FEDCBA9876543210FEDCBA9876543210"
    )
    hashes = {v for t, v, _ in parse(doc).observables if t == "hash"}
    assert hashes == {
        "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0",
        "0123456789abcdef0123456789abcdef",
        "643ec58e82e0272c97c2a59f6020970d881af19c0ad5029db9c958c13b6558c7",
    }


def test_a_log_line_of_an_eventchannel_alert_is_kept():
    # Only the JSON dump of data.win gives way to the message; a real log line stays.
    doc = document(SYSMON)
    doc["full_log"] = "Process Create: svchost.exe"
    assert parse(doc).description == "Process Create: svchost.exe"


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_no_mutation_of_the_cloud_and_sysmon_alerts_makes_the_adapter_fail_otherwise(data):
    doc = data.draw(
        st.sampled_from(
            [document(MS_GRAPH_ALERT), document(INTUNE), azure_alert(), gke_alert(), document(SYSMON)]
        )
    )
    only_validation_errors("wazuh", data.draw(mutated(copy.deepcopy(doc))))


# --- osquery, Sysmon network and DNS events -------------------------------------------------


def test_the_docs_osquery_alert(post):
    alert = ingested(post, document("wazuh_docs_osquery_system_info_24010.json"))
    assert alert.source_ref == "1532958886.437707"
    assert alert.title == "osquery data grouped"
    assert alert.severity == 1  # level 3
    assert alert.observed_at == datetime(2018, 7, 30, 13, 54, 46, 476000, tzinfo=UTC)
    assert alert.description.startswith('{"name":"system_info","hostIdentifier":"manager"')
    assert observables_of(alert) == {("hostname", "manager", "destination")}
    assert alert.tags == ["osquery"]


def test_sysmon_network_connection_and_dns_query_fields_are_read():
    # The TOMATO Sysmon alert as its event 3 and 22 would carry Sysmon's own fields.
    doc = copy.deepcopy(document(SYSMON))
    eventdata = doc["data"]["win"]["eventdata"]
    eventdata.update(
        sourceIp="10.0.2.15",
        destinationIp="185.199.108.133",
        destinationHostname="cdn-185-199-108-133.github.com",
        queryName="raw.githubusercontent.com",
        user="CORP\\m.keller",
    )
    alert = parse(doc)
    assert {
        ("ip", "10.0.2.15", "source"),
        ("ip", "185.199.108.133", "destination"),
        ("hostname", "cdn-185-199-108-133.github.com", "destination"),
        ("domain", "raw.githubusercontent.com", "declared"),
    } <= set(alert.observables)
    assert [v for t, v, r in alert.observables if t == "user" and "keller" in v]


def test_sysmons_own_nt_authority_accounts_are_no_user():
    doc = copy.deepcopy(document(SYSMON))
    doc["data"]["win"]["eventdata"]["user"] = "NT AUTHORITY\\NETWORK SERVICE"
    assert not [o for o in parse(doc).observables if o[0] == "user"]
