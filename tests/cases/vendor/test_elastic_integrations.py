"""ECS documents Elastic's integrations write and Elastic Defend's alerts
(tests/cases/fixtures/vendor, its README names each) through /api/v1/alerts/elastic/: a cloud
provider's finding (AWS GuardDuty), an Endpoint memory signature alert, the alerts of
Defender XDR, CrowdStrike Falcon and Google Workspace's Alert Center."""

import copy
from datetime import UTC, datetime

import pytest

from cases.ingest import ADAPTERS
from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

GUARDDUTY = "elastic_integrations_aws_guardduty_sample_event.json"
MEMORY_SIGNATURE = "kibana_telemetry_endpoint_memory_signature_alert.json"
DEFEND_MALWARE = "elastic_endpoint_package_malware_prevention_alert_sample_event.json"
M365_DEFENDER = "elastic_integrations_m365_defender_alert_sample_event.json"
CROWDSTRIKE = "elastic_integrations_crowdstrike_alert_sample_event.json"
GOOGLE_WORKSPACE = "elastic_integrations_google_workspace_alert_sample_event.json"
ZERO_SHA1 = "0" * 40


def test_a_guardduty_finding_is_identified_by_its_finding_id(post):
    # Before: a content digest, so the same finding polled again (its count and last-seen
    # time updated) would have been a second alert.
    body = document(GUARDDUTY)
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "e0c22973b012f3af67ac593443e920ff"  # event.id, GuardDuty's id
    assert alert.title == "Discovery:Kubernetes/TorIPCaller"  # ECS rule.name, the finding type
    assert alert.description == body["message"]
    assert alert.severity == 2  # no kibana.alert.severity: medium (event.severity is GuardDuty's 5)
    assert alert.observed_at == datetime(2022, 11, 22, 12, 22, 20, 938000, tzinfo=UTC)  # @timestamp
    assert alert.technique_ids == [] and alert.flags == []
    # The Tor exit node, and the principal as related.user lists it (name and ids).
    assert observables_of(alert) == {
        ("ip", "175.16.199.1", "source"),
        ("user", "generatedfindingusername", "user"),
        ("user", "generatedfindingprincipalid", "user"),
        ("user", "generatedfindinguid", "user"),
    }

    polled_again = copy.deepcopy(body)
    polled_again["aws"]["guardduty"]["service"]["count"] = 3
    polled_again["event"]["ingested"] = "2023-12-14T11:43:35Z"
    again = post("elastic", polled_again)
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_a_rule_alert_does_not_take_the_event_id_of_the_event_it_copied():
    # Two rules' alerts on one event share its event.id: a rule's alert without its own id
    # is still told by its content.
    doc = {"kibana.alert.rule.name": "R", "event": {"id": "source-event-1"}, "source": {"ip": "203.0.113.7"}}
    assert ADAPTERS["elastic"].parse(doc).source_ref.startswith("sha256:")
    assert ADAPTERS["elastic"].parse({**doc, "_id": "hit-1", "_source": doc}).source_ref == "hit-1"


def test_an_endpoint_memory_signature_alert(post):
    # Read in full before this set too.
    body = document(MEMORY_SIGNATURE)
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == body["kibana.alert.uuid"]
    assert alert.title == "Endpoint Security"  # rule_name_override "message", and no message
    assert alert.description == (
        "malware event with process iexlorer.exe, on Host-v3mqhhvt7z created medium alert Endpoint Security."
    )
    assert alert.severity == 2
    assert alert.observed_at == datetime(2022, 7, 18, 15, 42, 6, 265000, tzinfo=UTC)  # original_time
    # The host and the loaded library's hashes; the mock's "fake sha1" process hashes are none.
    assert observables_of(alert) == {
        ("ip", "10.54.27.117", "destination"),
        ("hostname", "host-v3mqhhvt7z", "destination"),
        ("hash", "1f2d082566b0fc5f2c238a5180db7451", "declared"),
        ("hash", "ca85243c0af6a6471bdaa560685c51eefd6dbc0d", "declared"),
        ("hash", "8ad40c90a611d36eb8f9eb24fa04f7dbca713db383ff55a03aa0f382e92061a2", "declared"),
    }
    assert alert.tags == ["Elastic", "Endpoint Security"]


def test_elastic_defends_own_alert_takes_its_severity_as_the_promotion_rule_maps_it(post):
    # Before: medium, the default; Kibana's "Endpoint Security" rule makes event.severity 73 high.
    body = document(DEFEND_MALWARE)
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "MYfSjQEEEFe1o09b+++++D5Q"  # event.id: no rule wrote it
    assert alert.title == alert.description == "Malware Prevention Alert"  # message
    assert alert.severity == 3
    assert alert.observed_at == datetime(2022, 4, 4, 12, 15, 41, 594406, tzinfo=UTC)  # @timestamp
    assert alert.technique_ids == [] and alert.flags == []
    # The host (its link-local and loopback addresses name no host), the account, the file.
    assert observables_of(alert) == {
        ("ip", "10.201.0.34", "destination"),
        ("hostname", "security-win-1", "destination"),
        ("user", "system", "user"),
        ("hash", "debf08c09d49337fbe7acde4d3749242", "declared"),
        ("hash", "9c0e42a47d34240a9a4101cc5d3bc5787dc5ad73", "declared"),
        ("hash", "90143dfb2e3210f18e1bcc50eb6c3961d11071e3ec024215b8835e468fa63e53", "declared"),
    }


@pytest.mark.parametrize(("event_severity", "severity"), [(21, 1), (47, 2), (99, 4), (5, 2), ("73", 2)])
def test_an_ecs_alerts_event_severity_is_read_on_elastics_scale_only(event_severity, severity):
    doc = document(DEFEND_MALWARE)
    doc["event"]["severity"] = event_severity
    assert ADAPTERS["elastic"].parse(doc).severity == severity
    doc["event"]["kind"] = "event"  # no alert: the rules promote none, nor does Vigil read it
    assert ADAPTERS["elastic"].parse({**doc, "rule": {"name": "R"}}).severity == 2


def test_a_defender_xdr_alert_is_titled_by_the_vendors_title_not_its_description(post):
    # Before: titled by `message`, the alert's four-sentence description.
    body = document(M365_DEFENDER)
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Suspicious PowerShell command line"  # m365_defender.alert.title
    assert alert.description == body["message"]
    assert alert.source_ref == "daefa1828b-dd4e-405c-8a3b-aa28596830dd_1"  # event.id, Defender's
    assert alert.severity == 2  # event.severity 47
    assert alert.observed_at == datetime(2023, 10, 20, 9, 54, 7, 503000, tzinfo=UTC)  # @timestamp
    assert alert.technique_ids == ["T1059.001"]  # threat.technique.subtechnique.id
    seen = observables_of(alert)
    assert {
        ("user", "cdpuseris-38411", "user"),
        ("hash", "a72c41316307889e43fe8605a0dca4a72e72a011", "declared"),
        ("hash", "d783ba6567faf10fdff2d0ea3864f6756862d6c733c7f4467283da81aedc3a80", "declared"),
        ("hostname", "clw555test", "declared"),  # the device, in related.hosts only
    } <= seen


def test_a_vendor_title_that_is_no_text_falls_back_to_the_message():
    doc = document(M365_DEFENDER)
    doc["m365_defender"]["alert"]["title"] = 42
    assert ADAPTERS["elastic"].parse(doc).title == doc["message"].strip()


def test_a_crowdstrike_alert_is_titled_by_its_detection_and_keeps_its_host(post):
    # Before: titled by `message`, the run-together sentence; no host (the integration
    # writes host.hostname, no host.name); the SHA-1 of forty zeros as a hash.
    body = document(CROWDSTRIKE)
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "PrewittPupAdwareSensorDetect-Lowest"  # crowdstrike.alert.name
    assert alert.description == body["message"]
    assert alert.source_ref == "ind:2ce412d17b334ad4adc8c1c54dbfec4b:399748687993-5761-42627600"  # event.id
    # event.severity 30 is Falcon's scale: the promotion rule's default, medium.
    assert alert.severity == 2
    assert alert.observed_at == datetime(2023, 11, 3, 18, 0, 22, 328000, tzinfo=UTC)  # @timestamp
    # The integration maps Falcon's CST0000 to "T0000", no ATT&CK technique: kept, flagged.
    assert alert.technique_ids == ["T0000"]
    assert alert.flags == [{"code": "unknown_technique", "field": "technique", "detail": "T0000"}]
    seen = observables_of(alert)
    assert {
        ("hostname", "abc709-1175", "destination"),  # host.hostname
        ("ip", "81.2.69.142", "destination"),
        ("user", "mohit.jha", "user"),
        ("user", "yuvraj.mahajan", "user"),  # the grandparent's, in related.user
        ("hash", "b26a6791b72753d2317efd5e1363d93fdd33e611c8b9e08a3b24ea4d755b81fd", "declared"),
        ("hash", "cdf9cfebb400ce89d5b6032bfcdc693b", "declared"),
        ("hash", "0b25d56bd2b4d8a6df45beff7be165117fbf7ba6ba2c07744f039143866335e4", "declared"),
        ("hostname", "abc.local", "declared"),  # related.hosts: the AD domain
    } <= seen
    assert not any(value == ZERO_SHA1 for _, value, _ in seen)
    assert not any(value == "abc709-1175" for type_, value, _ in seen if type_ == "hash")


def test_an_all_zero_digest_is_no_hash_anywhere():
    doc = {"event": {"kind": "alert"}, "message": "m", "file": {"hash": {"sha1": ZERO_SHA1, "md5": "0" * 32}}}
    assert ADAPTERS["elastic"].parse(doc).observables == []


def test_a_google_workspace_alert_without_a_message_is_titled_by_its_action(post):
    # Before: refused, 400 on the title (no rule name, no vendor title, no message).
    body = document(GOOGLE_WORKSPACE)
    response = post("elastic", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.title == "Gmail phishing"  # event.action
    assert alert.description == ""  # nothing says more: the alert's type is Google's own field
    assert alert.source_ref == "91840a82-3af0-46d7-95ec-625c1cf0c3f7"  # event.id, the alert id
    assert alert.severity == 2  # no event.severity (Google's HIGH is its own field)
    assert alert.observed_at == datetime(2022, 7, 1, 10, 49, 29, 436000, tzinfo=UTC)  # @timestamp
    assert alert.technique_ids == [] and alert.flags == []
    assert observables_of(alert) == {
        ("user", "example", "user"),
        ("email", "example@example.com", "user"),  # user.email, also the recipient
        ("domain", "example.com", "user"),
        # The three attachments (email.attachments.file.hash.sha256, also in related.hash)
        # and the subject's MD5 that related.hash lists too.
        ("hash", "50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c", "declared"),
        ("hash", "228b48a56dbc2ecf10393227ac9c9dc943881fd7a55452e12a09107476bef2b2", "declared"),
        ("hash", "5fb1679e08674059b72e271d8902c11a127bb5301b055dc77fa03932ada56a56", "declared"),
        ("hash", "a3708f8228384d932237f85980ff8283", "declared"),
    }


def test_an_emails_attachments_give_their_digests_as_a_list_of_files_too():
    sha256 = "5fb1679e08674059b72e271d8902c11a127bb5301b055dc77fa03932ada56a56"
    doc = {
        "event": {"kind": "alert", "action": "Gmail phishing"},
        "email": {"attachments": [{"file": {"name": "a.pdf", "hash": {"sha256": sha256}}}]},
    }
    assert ADAPTERS["elastic"].parse(doc).observables == [("hash", sha256, "declared")]
