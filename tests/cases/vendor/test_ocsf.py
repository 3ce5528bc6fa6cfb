"""Real OCSF findings (tests/cases/fixtures/vendor, its README names each source) ingest
through /api/v1/alerts/ocsf/ with what an analyst needs: an id, a title, a description,
the observed time, the technique ids they carry, their hosts and addresses with roles, tags.

The documents come from Wazuh's Amazon Security Lake converter (2004 and 2001), the OCSF
project's examples (Falco 2001, Tenable 2002, Security Hub 2003) and py-ocsf-models (2003).
"""

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


def ingested(post, name: str) -> Alert:
    response = post("ocsf", document(name))
    assert response.status_code == 201, response.json()
    return Alert.objects.get(pk=response.json()["id"])


def parse(doc):
    return ADAPTERS["ocsf"].parse(doc)


# --- Wazuh's Amazon Security Lake converter: "T1068, T1190" in one uid ---------------------


WAZUH_SHELLSHOCK = datetime.fromtimestamp(1707402914, tz=UTC)  # 2024-02-08T14:35:14Z


def test_wazuhs_security_lake_detection_finding_has_both_techniques_and_its_agent(post):
    # Before: 400 "'T1068, T1190' is not an ATT&CK technique id".
    alert = ingested(post, "ocsf_wazuh_asl_detection_finding_2004.json")
    assert alert.source_ref == "1707402914.872885"
    assert alert.title == "Shellshock attack attempt"
    assert alert.description == "Shellshock attack attempt"  # no finding_info.desc: `message`
    assert alert.severity == 1  # severity_id 2 (Low), from rule level 6
    assert alert.observed_at == WAZUH_SHELLSHOCK
    assert alert.technique_ids == ["T1068", "T1190"]
    assert alert.flags == []
    # The converter's one resource is the agent ({name: agent.name, uid: agent.id}).
    assert observables_of(alert) == {("hostname", "redacted.com", "destination")}
    assert alert.tags == ["log"]


def test_wazuhs_security_lake_security_finding_reads_the_same(post):
    # OCSF 1.0 shape (the integration's default class): `finding`, top-level `attacks`.
    alert = ingested(post, "ocsf_wazuh_asl_security_finding_2001.json")
    assert alert.source_ref == "1707402914.872885" and alert.title == "Shellshock attack attempt"
    assert alert.observed_at == WAZUH_SHELLSHOCK
    assert alert.technique_ids == ["T1068", "T1190"]
    assert observables_of(alert) == {("hostname", "redacted.com", "destination")}


# --- Compliance Finding (2003) -------------------------------------------------------------


def test_py_ocsf_models_compliance_finding(post):
    # Before: 400 "class_uid: Must be 2004 (Detection Finding) or 2001 (Security Finding)."
    alert = ingested(post, "ocsf_pyocsfmodels_compliance_finding_2003.json")
    assert alert.source_ref == "123"
    assert alert.title.startswith("Repository is hosted on GitHub")
    assert alert.description.startswith("The repository is verified as hosted on GitHub")
    assert alert.severity == 4  # severity_id 5 (Critical)
    assert alert.observed_at == datetime(2026, 11, 30, 9, 15, 42, tzinfo=UTC)  # `time`, in seconds
    assert alert.technique_ids == [] and alert.flags == []
    assert observables_of(alert) == {("url", "https://github.com/ossf/security-baseline", "declared")}
    assert set(alert.tags) == {
        "control:OSPS-AC-01",
        "standard:Open Source Project Security Baseline v2025-02-25",
        "compliance:Pass",  # compliance.status_id 1
    }


def test_security_hubs_pci_compliance_finding(post):
    alert = ingested(post, "ocsf_examples_sechub_pci_compliance_finding_2003.json")
    assert alert.source_ref.startswith("arn:aws:securityhub:us-east-2:111111111111:subscription/pci-dss")
    assert alert.title == "PCI.Config.1 AWS Config should be enabled"
    assert alert.description.startswith("This AWS control checks whether AWS Config is enabled")
    assert alert.severity == 2  # severity_id 3 (Medium)
    # finding_info.first_seen_time_dt: the finding carries no epoch numbers there.
    assert alert.observed_at == datetime(2023, 1, 13, 20, 8, 44, 967000, tzinfo=UTC)
    # Its only observable is a Resource UID (type_id 10), which Vigil has no type for.
    assert observables_of(alert) == set()
    assert set(alert.tags) == {
        "Software and Configuration Checks/Industry and Regulatory Standards/PCI-DSS",
        "control:Config.1",
        "standard:standards/pci-dss/v/3.2.1",
        "compliance:FAILED",
    }


# --- Vulnerability Finding (2002) ----------------------------------------------------------


def test_tenables_vulnerability_finding(post):
    alert = ingested(post, "ocsf_examples_tenable_vulnerability_finding_2002.json")
    assert alert.source_ref == "03d5481a-f09e-4eb4-b8d8-774918d3ee55"
    assert alert.title == "Docker Service Detection"
    assert alert.description.startswith("The Docker service is running on the remote host.")
    assert alert.severity == 1  # severity_id 1 (Informational)
    # Its epoch numbers are microseconds (1717585270842000), read as such (its `_dt` twin agrees).
    assert alert.observed_at == datetime(2024, 6, 5, 11, 1, 10, 842000, tzinfo=UTC)
    assert alert.flags == []
    # Declared in observables[] (type_id 1 and 2) and as the device: the device's role wins.
    assert observables_of(alert) == {
        ("hostname", "i-0ff225221111111", "destination"),
        ("ip", "10.111.111.111", "destination"),
    }
    assert alert.tags == []  # its one vulnerability's cve.uid is "N/A"


def test_a_vulnerabilitys_cve_id_is_a_tag():
    doc = document("ocsf_examples_tenable_vulnerability_finding_2002.json")
    doc["vulnerabilities"][0]["cve"]["uid"] = "cve-2023-4863"
    doc["vulnerabilities"].append({"cve": {"uid": "CVE-2024-3094"}})
    assert parse(doc).tags == ["CVE-2023-4863", "CVE-2024-3094"]


# --- observables[] with type_id 0 (Unknown) / 99 (Other): typed by their name ---------------


def test_falcos_unknown_typed_hostname_observable(post):
    # Before: no observables at all (type_id 0 was skipped).
    alert = ingested(post, "ocsf_examples_falco_2001.json")
    assert alert.source_ref == "ec834826-90c1-458a-8eec-a014e7266754"
    assert alert.title == "Linux Kernel Module Injection Detected"
    assert alert.description.startswith("Linux Kernel Module injection using insmod detected")
    assert alert.severity == 2  # severity_id 3 (Medium)
    assert alert.observed_at == datetime(2023, 1, 3, 15, 11, 39, 558000, tzinfo=UTC)  # `time`, in ms
    assert alert.tags == ["syscalls"]
    # `hostname` names one type; "user.name", "proc.pname" (Falco's placeholders) do not.
    assert observables_of(alert) == {("hostname", "host0.local", "declared")}


def test_an_other_typed_observable_is_typed_by_the_last_segment_of_its_name():
    doc = document("ocsf_examples_falco_2001.json")
    doc["observables"] = [
        {"name": "evidences[0].src_endpoint.ip", "type_id": 99, "value": "198.51.100.20"},
        {"name": "actor.user.email_addr", "type_id": 0, "value": "M.Keller@example.com"},
        {"name": "evidences[].url.url_string", "type_id": 99, "value": "https://bad.example.net/x"},
        {"name": "dst_endpoint.hostname", "type_id": 0, "value": "db-02.example.org"},
        {"name": "file.name", "type_id": 0, "value": "evil.exe"},  # ambiguous: not typed
        {"name": "user.domain", "type_id": 0, "value": "CORP"},  # a Windows domain, not DNS
        {"name": ["ip"], "type_id": 0, "value": "198.51.100.21"},
        {"name": "ip", "type_id": "0", "value": "198.51.100.22"},  # an id as a string, Zeek's way
        {"name": "ip", "type_id": "zero", "value": "198.51.100.23"},
    ]
    assert set(parse(doc).observables) == {
        ("ip", "198.51.100.20", "source"),
        ("ip", "198.51.100.22", "declared"),
        ("email", "m.keller@example.com", "declared"),
        ("domain", "example.com", "declared"),  # an address's domain comes with it
        ("url", "https://bad.example.net/x", "declared"),
        ("hostname", "db-02.example.org", "destination"),
    }


# --- resources[]: hostname and ip; a name only where it names a host --------------------------


def test_resources_hostname_ip_and_host_names_are_read():
    # Before: resources[] was not read.
    doc = document("ocsf_wazuh_asl_detection_finding_2004.json")
    doc["metadata"]["product"]["name"] = "Some EDR"
    doc["resources"] = [
        {"hostname": "web-01.example.org", "ip": "198.51.100.7", "type": "AwsEc2Instance", "name": "web"},
        {"name": "build-agent-3", "type": "Agent"},
        {"name": "ws-114", "type": "host", "role_id": 2},
        {"ip": "203.0.113.9", "role_id": 2},
        {"ip": "203.0.113.10", "role_id": 4},
        {"name": "prod-logs", "type": "AwsS3Bucket"},  # a bucket's name is no host
        {"name": "redacted.com", "uid": "000"},  # no type, not Wazuh: not read
        "not an object",
        {"hostname": {"x": 1}, "ip": 7, "role_id": True},
    ]
    assert set(parse(doc).observables) == {
        ("hostname", "web-01.example.org", "destination"),
        ("ip", "198.51.100.7", "destination"),
        ("hostname", "build-agent-3", "destination"),
        ("hostname", "ws-114", "source"),  # role_id 2: Actor
        ("ip", "203.0.113.9", "source"),
        ("ip", "203.0.113.10", "declared"),  # role_id 4: Related
    }


def test_the_singular_resource_of_vulnerability_findings_is_read():
    doc = document("ocsf_examples_tenable_vulnerability_finding_2002.json")
    del doc["device"], doc["observables"]
    doc["resource"] = {"type": "aws-ec2-instance", "hostname": "ip-10-111-0-1", "ip": "10.111.0.1"}
    assert set(parse(doc).observables) == {
        ("hostname", "ip-10-111-0-1", "destination"),
        ("ip", "10.111.0.1", "destination"),
    }


# --- which finding classes -------------------------------------------------------------------


@pytest.mark.parametrize("class_uid", [2006, 2007])
def test_data_security_and_application_security_posture_findings_are_accepted(class_uid):
    doc = {**document("ocsf_wazuh_asl_detection_finding_2004.json"), "class_uid": class_uid}
    alert = parse(doc)
    assert alert.source_ref == "1707402914.872885" and alert.technique_ids == ["T1068", "T1190"]


def test_an_incident_finding_is_refused_and_the_message_names_the_accepted_classes():
    # 2005 has no uid or title of its own (finding_info_list, desc): its updates could not
    # be told from new alerts.
    doc = {
        "class_uid": 2005,
        "activity_id": 1,
        "desc": "Ransomware on two hosts",
        "finding_info_list": [{"uid": "f-1", "title": "Ransomware"}],
    }
    with pytest.raises(InvalidAlert) as exc:
        parse(doc)
    [message] = exc.value.errors["class_uid"]
    for uid in (2001, 2002, 2003, 2004, 2006, 2007):
        assert f"{uid} (" in message
    assert "2005 (Incident Finding) has no uid or title" in message


NEW_DOCUMENTS = [
    "ocsf_wazuh_asl_detection_finding_2004.json",
    "ocsf_wazuh_asl_security_finding_2001.json",
    "ocsf_pyocsfmodels_compliance_finding_2003.json",
    "ocsf_examples_sechub_pci_compliance_finding_2003.json",
    "ocsf_examples_tenable_vulnerability_finding_2002.json",
    "ocsf_examples_falco_2001.json",
]


@pytest.mark.parametrize("name", NEW_DOCUMENTS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_no_mutation_of_these_documents_fails_otherwise(name, data):
    # The samples the adapters' property tests mutate carry no compliance, vulnerabilities,
    # resource or Unknown-typed observables; these documents do.
    only_validation_errors("ocsf", data.draw(mutated(document(name))))


# --- Documents of the first set ------------------------------------------------------------


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


def test_prowlers_detection_finding(post):
    response = post("ocsf", document("ocsf_prowler_detection_finding_2004.json"))
    assert response.status_code == 200, response.json()
    [result] = response.json()["results"]
    assert result["status"] == 201
    alert = Alert.objects.get(pk=result["id"])
    assert alert.source_ref == "test-unique-finding"
    assert alert.title == "service_test_check_id"
    # The check's text, then the finding's own (Prowler's status_extended in `message`).
    assert alert.description == "check description\n\nstatus extended"
    assert alert.severity == 1  # severity_id 2 (Low)
    assert alert.observed_at == datetime(2026, 11, 30, 9, 15, 42, tzinfo=UTC)  # `time`, in seconds
    assert alert.flags == []


# --- Second set: Prowler 4.5, CrowdStrike's converter, findings with their own endpoints ----


def test_prowlers_passing_check_keeps_its_attack_mapping_its_sentence_and_its_status(post):
    alert = ingested(post, "ocsf_examples_prowler_4_5_detection_finding_2004.json")
    assert alert.title == "Check if ACM Certificates are about to expire in specific days or less"
    assert alert.technique_ids == ["T1040"]  # unmapped.compliance["MITRE-ATTACK"]
    assert alert.description.endswith(
        "ACM Certificate e4dc1386-8b4b-402c-9fed-03269ee10006 for *.example.com expires in 200 days."
    )
    assert "status:PASS" in alert.tags  # a check that passed, for a filter to drop
    assert alert.observed_at == datetime(2024, 10, 4, 13, 49, 2, tzinfo=UTC)


def test_crowdstrikes_converter_keeps_the_process_file_and_user(post):
    alert = ingested(post, "ocsf_crowdstrike_fig_epp_detection_finding_2004.json")
    assert alert.title == "Known Malware" and alert.severity == 3
    assert observables_of(alert) == {
        ("hostname", "linux-vm", "destination"),
        ("ip", "172.17.0.1", "destination"),
        ("hash", "675853ca01ec441df7a015b91a7e1272", "declared"),  # resources[].data.md5
        ("hash", "29aa689f38158d2e8941fa54e436f0260890af31cecad1e8799e5c2df7bc1ecc", "declared"),
        ("user", "azureuser", "user"),  # resources[].data.user_name
    }


def test_a_findings_own_endpoints_are_read_like_its_evidences():
    doc = {
        **document("ocsf_wazuh_asl_detection_finding_2004.json"),
        "src_endpoint": {"hostname": "infected-workstation", "ip": "10.0.3.15"},
        "dst_endpoint": {"ip": "198.51.100.20"},
        "unmapped": {"compliance": {"MITRE-ATTACK": ["TBD"]}},
    }
    alert = parse(doc)
    assert {
        ("hostname", "infected-workstation", "source"),
        ("ip", "10.0.3.15", "source"),
        ("ip", "198.51.100.20", "destination"),
    } <= set(alert.observables)
    # Prowler's mapping is read leniently: a value that is no id is flagged, not refused.
    assert [f["code"] for f in alert.flags] == ["technique_unparsed"]


# --- activity events: Authentication, Account Change, API and Network Activity -------------


ACTIVITY_DOCUMENTS = [
    "ocsf_examples_cloudtrail_authentication_3002_v1_1.json",
    "ocsf_examples_windows_4625_authentication_3002.json",
    "ocsf_examples_vpc_flow_network_activity_4001_v1_1.json",
    "ocsf_examples_cloudtrail_api_activity_3005.json",
    "ocsf_examples_cloudtrail_account_change_3001.json",
]


def test_a_cloudtrail_console_logon_as_ocsf_1_1_authentication(post):
    alert = ingested(post, "ocsf_examples_cloudtrail_authentication_3002_v1_1.json")
    assert alert.source_ref == "fed06f42-cb12-4764-8c69-example"  # metadata.uid
    assert alert.title == "Authentication: Logon (ConsoleLogin)"
    assert alert.severity == 1  # severity_id 1, Informational
    assert alert.observed_at == datetime(2023, 11, 10, 16, 24, 34, tzinfo=UTC)
    assert observables_of(alert) == {("ip", "192.0.2.0", "source"), ("user", "anaya", "user")}
    assert {"class:Authentication", "status:Success"} <= set(alert.tags)


def test_a_windows_4625_logon_failure_without_type_name_is_titled_by_its_message(post):
    alert = ingested(post, "ocsf_examples_windows_4625_authentication_3002.json")
    assert alert.source_ref == "dd6755af-393a-4eab-8f44-0c24f5ffc590"
    assert alert.title == "An account failed to log on."
    assert alert.observed_at == datetime(2020, 10, 8, 16, 41, 47, tzinfo=UTC)
    # The actor's "-" (Windows' empty account) and src_endpoint.ip "-" are no observables.
    assert observables_of(alert) == {
        ("user", "administrator", "user"),
        ("hostname", "ec2amaz-6kj2bpp", "destination"),
    }


def test_a_vpc_flow_as_network_activity_without_an_id_is_known_by_its_digest(post):
    body = document("ocsf_examples_vpc_flow_network_activity_4001_v1_1.json")
    alert = ingested(post, "ocsf_examples_vpc_flow_network_activity_4001_v1_1.json")
    assert alert.source_ref.startswith("sha256:")
    assert alert.title == "Network Activity: Traffic"
    assert alert.observed_at == datetime.fromtimestamp(1653200100, tz=UTC)  # seconds, by size
    assert observables_of(alert) == {("ip", "192.168.1.10", "source"), ("ip", "192.168.1.20", "destination")}
    again = post("ocsf", body)
    assert again.status_code == 200 and again.json()["duplicate"] is True


@pytest.mark.parametrize(
    ("name", "title", "user", "address"),
    [
        (
            "ocsf_examples_cloudtrail_api_activity_3005.json",
            "API Activity: Read (DescribeDirectConnectGateways)",
            "level6",
            "205.8.181.128",
        ),
        (
            "ocsf_examples_cloudtrail_account_change_3001.json",
            "Account Change: Create (CreateUser)",
            "test_user2",
            "52.95.4.21",
        ),
    ],
)
def test_cloudtrail_api_calls_name_their_operation_actor_and_caller(post, name, title, user, address):
    alert = ingested(post, name)
    assert alert.title == title
    assert {("user", user, "user"), ("ip", address, "source")} <= observables_of(alert)


def test_an_activity_events_actor_is_read():
    doc = {**document("ocsf_examples_cloudtrail_api_activity_3005.json")}
    doc["actor"] = {"user": {"name": "r.ortiz", "email_addr": "r.ortiz@example.com"}}
    alert = parse(doc)
    assert {("user", "r.ortiz", "user"), ("email", "r.ortiz@example.com", "user")} <= set(alert.observables)


@pytest.mark.parametrize("class_uid", [7001, 2005, 999, 9001])
def test_remediation_incident_and_unknown_classes_stay_refused(class_uid):
    # Discovery (5xxx) is accepted since Tenable's inventory export joined the fixtures.
    doc = {**document("ocsf_examples_cloudtrail_api_activity_3005.json"), "class_uid": class_uid}
    with pytest.raises(InvalidAlert) as exc:
        parse(doc)
    assert "3xxx Identity & Access Management" in exc.value.errors["class_uid"][0]


@pytest.mark.parametrize("name", ACTIVITY_DOCUMENTS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_no_mutation_of_the_activity_documents_fails_otherwise(name, data):
    only_validation_errors("ocsf", data.draw(mutated(document(name))))
