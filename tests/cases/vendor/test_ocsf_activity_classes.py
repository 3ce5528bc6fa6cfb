"""OCSF activity classes from the OCSF project's example mappings (tests/cases/fixtures/vendor,
its README names each) through /api/v1/alerts/ocsf/: DNS Activity (AWS Route 53 Resolver,
Zeek's dns.log), Process Activity (a Windows 4688 from Splunk's Attack Range), Network
Activity (a Cisco ASA deny), Authorize Session (Okta) and API Activity (GitHub's audit
log)."""

from datetime import UTC, datetime

import pytest

from cases.ingest import ADAPTERS
from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

ROUTE53 = "ocsf_examples_route53_dns_activity_4003_v1_5.json"
ZEEK_DNS = "derived_ocsf_examples_zeek_dns_activity_4003_v1_3_comments_removed.json"
PROCESS_4688 = "ocsf_examples_attackrange_4688_process_activity_1007.json"
ASA_DENY = "ocsf_examples_cisco_asa_106023_network_activity_4001_v1_3.json"
OKTA_AUTHORIZE = "ocsf_examples_okta_authorize_session_3003_v1_3.json"
GITHUB_PUSH = "ocsf_examples_github_api_activity_6003_v1_3.json"


def ingested(post, name: str) -> Alert:
    response = post("ocsf", document(name))
    assert response.status_code == 201, response.json()
    return Alert.objects.get(pk=response.json()["id"])


def test_a_route53_resolver_alert_names_the_domain_it_resolved(post):
    # Before: titled "DNS Activity: Traffic", the query's name only as the hostname the
    # producer's observables[] happen to list.
    alert = ingested(post, ROUTE53)
    assert alert.source_ref.startswith("sha256:")  # no metadata.uid: the content digest
    assert alert.title == "DNS Activity: Traffic (ip-127-0-0-62.alert.firewall.canary.)"
    assert alert.description == ""
    assert alert.severity == 1  # severity_id 1, Informational
    assert alert.observed_at == datetime(2022, 10, 13, 21, 2, 36, tzinfo=UTC)  # time, ms
    assert alert.technique_ids == [] and alert.flags == []
    assert observables_of(alert) == {
        ("ip", "10.200.21.100", "source"),
        ("domain", "ip-127-0-0-62.alert.firewall.canary", "declared"),  # query.hostname
        ("hostname", "ip-127-0-0-62.alert.firewall.canary", "declared"),  # observables[]
        ("ip", "127.0.0.62", "declared"),  # the answer, declared (loopback kept)
    }
    assert set(alert.tags) == {"class:DNS Activity", "disposition:Alert"}


def test_a_zeek_dns_record_without_observables_keeps_its_query_and_answers(post):
    # Before: titled "DNS Activity", the name asked and the CNAMEs answered lost (Zeek's
    # mapping lists no observables[]).
    alert = ingested(post, ZEEK_DNS)
    assert alert.source_ref == "CSTYRyVNejbcG9lQf"  # metadata.uid, Zeek's connection uid
    assert alert.title == "DNS Activity (staging-validation-poc.s3.amazonaws.com)"
    assert alert.observed_at == datetime(2024, 10, 17, 11, 50, 29, tzinfo=UTC)  # time, seconds
    assert alert.severity == 1
    assert observables_of(alert) == {
        ("ip", "172.27.0.137", "source"),
        ("ip", "172.27.0.2", "destination"),  # the resolver
        ("domain", "staging-validation-poc.s3.amazonaws.com", "declared"),
        ("domain", "s3-1-w.amazonaws.com", "declared"),
        ("domain", "s3-w.us-east-1.amazonaws.com", "declared"),
    }


def test_dns_answers_that_are_neither_an_address_nor_a_name_give_nothing():
    event = {
        **document(ZEEK_DNS),
        "answers": [
            {"rdata": "v=spf1 include:_spf.example.com ~all", "type": "TXT"},
            {"rdata": "10 mail.example.com", "type": "MX"},
            {"rdata": "2001:db8::5", "type": "AAAA"},
            {"rdata": None},
            "not an object",
        ],
    }
    answers = {(t, v) for t, v, _ in ADAPTERS["ocsf"].parse(event).observables} - {
        ("ip", "172.27.0.137"),
        ("ip", "172.27.0.2"),
        ("domain", "staging-validation-poc.s3.amazonaws.com"),
    }
    assert answers == {("ip", "2001:db8::5")}


def test_a_detection_findings_evidence_query_is_read():
    finding = {
        "class_uid": 2004,
        "finding_info": {"uid": "f-1", "title": "DNS request to a sinkholed domain"},
        "evidences": [{"query": {"hostname": "bad.example.net"}}],
    }
    alert = ADAPTERS["ocsf"].parse(finding)
    assert alert.title == "DNS request to a sinkholed domain"  # a finding keeps its own title
    assert ("domain", "bad.example.net", "declared") in alert.observables


def test_a_process_creation_is_titled_by_the_command_line_it_ran(post):
    # Before: titled "A new process has been created.", which process (a registry hive
    # saved to a temporary file: credential dumping) said nowhere.
    alert = ingested(post, PROCESS_4688)
    assert alert.source_ref == "4b92acf8-3f63-483e-8040-57aba851fd26"
    assert alert.title == (
        "A new process has been created."
        " (reg  save HKLM\\system C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\system)"
    )
    assert alert.description == "A new process has been created."
    assert alert.severity == 1
    assert alert.observed_at == datetime(2021, 3, 12, 15, 48, 14, tzinfo=UTC)
    # The actor's account; the new process's user is Windows' "-" (no account).
    assert observables_of(alert) == {
        ("user", "administrator", "user"),
        ("hostname", "win-dc-725.attackrange.local", "destination"),  # device.name
    }


def test_a_process_without_a_command_line_is_named_by_its_file_then_its_name():
    event = document(PROCESS_4688)
    del event["process"]["cmd_line"]
    assert ADAPTERS["ocsf"].parse(event).title == "A new process has been created. (reg.exe)"
    del event["process"]["file"]
    event["process"]["name"] = "reg"
    assert ADAPTERS["ocsf"].parse(event).title == "A new process has been created. (reg)"


def test_a_cisco_asa_deny_without_a_message_is_described_by_its_raw_syslog_line(post):
    # Before: no description at all (no finding_info, no `message`); raw_data is the only
    # text the event has.
    alert = ingested(post, ASA_DENY)
    event = document(ASA_DENY)
    assert alert.description == event["raw_data"]
    assert "%ASA-4-106023: Deny tcp src outside:100.66.19.254/80" in alert.description
    assert alert.title == "Network Activity: Refuse"  # type_name
    assert alert.severity == 4  # severity_id 5, Critical
    assert alert.observed_at == datetime(2018, 10, 10, 12, 34, 56, tzinfo=UTC)
    assert observables_of(alert) == {
        ("ip", "100.66.19.254", "source"),
        ("ip", "172.31.98.44", "destination"),
    }
    assert set(alert.tags) == {"class:Network Activity", "status:Failure"}


def test_raw_data_is_only_the_last_resort_and_never_a_reason_to_refuse():
    event = document(ASA_DENY)
    assert ADAPTERS["ocsf"].parse({**event, "message": "Denied"}).description == "Denied"
    assert ADAPTERS["ocsf"].parse({**event, "raw_data": {"not": "text"}}).description == ""


def test_an_okta_impersonation_grant_as_authorize_session(post):
    # Read in full before this set too (an Identity & Access Management class).
    alert = ingested(post, OKTA_AUTHORIZE)
    assert alert.source_ref == "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a"
    assert alert.title == "Authorize Session: Assign Privileges"
    assert alert.description == "Enable impersonation grant"
    assert alert.severity == 1
    assert alert.observed_at == datetime(2024, 8, 13, 15, 58, 20, tzinfo=UTC)
    # device.name "Mac15,6" is a hardware model, no host name: no observable.
    assert observables_of(alert) == {
        ("ip", "10.0.0.1", "source"),
        ("user", "john doe", "user"),
        ("email", "john.doe@example.com", "user"),
        ("domain", "example.com", "user"),
    }
    assert set(alert.tags) == {"class:Authorize Session", "status:Success"}


def test_a_github_push_as_api_activity(post):
    # Read in full before this set too.
    alert = ingested(post, GITHUB_PUSH)
    assert alert.source_ref == "m-111111111111=="
    assert alert.title == "API Activity: Other (git.push)"
    assert alert.observed_at == datetime(2024, 10, 17, 14, 42, 46, 108000, tzinfo=UTC)  # time, ms
    # The repository pushed to (resources[].name "acme/dynamite") names no host.
    assert observables_of(alert) == {
        ("ip", "1.1.1.1", "source"),
        ("user", "test_user", "user"),
        ("email", "test_user@acme.com", "user"),
        ("domain", "acme.com", "user"),
    }
    assert alert.tags == ["class:API Activity"]
