"""More of the OCSF project's example mappings (tests/cases/fixtures/vendor, its README
names each) through /api/v1/alerts/ocsf/: Email Activity (Microsoft 365 message trace,
Zeek's smtp.log), HTTP Activity (AWS WAF), Okta's System Log as Detection Finding and
Authentication, and Security Hub's GuardDuty finding as Detection Finding."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.ingest import ADAPTERS
from cases.ingest.ocsf_activity import mailboxes
from cases.models import Alert
from tests.cases.test_ingest_adapters import mutated, only_validation_errors
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

O365_SPAM = "ocsf_examples_o365_messagetrace_email_activity_4009_v1_4.json"
ZEEK_SMTP = "ocsf_examples_zeek_smtp_email_activity_4009_v1_3.json"
WAF = "ocsf_examples_aws_waf_http_activity_4002_v1_1.json"
OKTA_FINDING = "ocsf_examples_okta_detection_finding_2004_v1_3.json"
OKTA_LOGON = "ocsf_examples_okta_authentication_3002_v1_3.json"
GUARDDUTY = "ocsf_examples_sechub_guardduty_detection_finding_2004_v1_1.json"


def ingested(post, name: str) -> Alert:
    response = post("ocsf", document(name))
    assert response.status_code == 201, response.json()
    return Alert.objects.get(pk=response.json()["id"])


def assert_resend_is_a_duplicate(post, name: str) -> None:
    again = post("ocsf", document(name))
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_a_message_filtered_as_spam_has_its_subject_sender_and_recipient(post):
    # Before: titled "Email Activity: Trace", its sender and recipient not read.
    alert = ingested(post, O365_SPAM)
    assert alert.source_ref == "dcdfaaf9-5da6-43e1-b08c-ccda9b4ecad0"  # metadata.uid
    assert alert.title == (
        "Email Activity: Trace (R2 / * / 2023 / Wed 10/23/2024 14:09:57 EST / Hot Engine Problems"
        " (WC) / Z163817-01 / EOA Problem)"
    )
    assert alert.severity == 2  # severity_id 0, "Unknown": medium
    assert alert.observed_at == datetime(2024, 10, 23, 19, 11, 28, 317000, tzinfo=UTC)  # time, ms
    assert alert.technique_ids == []
    assert observables_of(alert) == {
        ("ip", "208.67.222.222", "source"),
        ("email", "remote.diagnostics@testing.com", "sender"),
        ("domain", "testing.com", "sender"),
        ("email", "johndoe1@testdomain.com", "destination"),
        ("domain", "testdomain.com", "destination"),
    }
    assert {"class:Email Activity", "status:FilteredAsSpam"} <= set(alert.tags)
    assert_resend_is_a_duplicate(post, O365_SPAM)


def test_zeeks_smtp_record_without_class_name_is_titled_by_its_class_and_has_its_recipient(post):
    # Before: titled "OCSF activity (class 4009)", the recipient (smtp_to) not read.
    alert = ingested(post, ZEEK_SMTP)
    assert alert.source_ref == "CeeTpA1FJhH0qqvUsb"  # Zeek's connection uid, metadata.uid
    assert alert.title == "Email Activity"
    assert alert.severity == 1
    assert alert.observed_at == datetime.fromtimestamp(1729035853, tz=UTC)
    assert observables_of(alert) == {
        ("ip", "10.4.20.103", "source"),
        ("ip", "202.124.241.204", "destination"),
        ("email", "richq@resultslifecoaching.com.au", "sender"),
        ("domain", "resultslifecoaching.com.au", "sender"),
        # `to` is a mailbox with a display name; smtp_to the same address bare.
        ("email", "estimating@beenleighinterior.com.au", "destination"),
        ("domain", "beenleighinterior.com.au", "destination"),
    }
    assert_resend_is_a_duplicate(post, ZEEK_SMTP)


def test_email_fields_give_their_addresses_whether_bare_or_mailboxes():
    assert mailboxes(["Warren Lutze <estimating@example.com.au>", "<bert@example.com>", "a@example.org"]) == [
        "estimating@example.com.au",
        "bert@example.com",
        "a@example.org",
    ]
    assert mailboxes(None) == [] and mailboxes([7, {"a": 1}]) == []


def test_an_emails_reply_to_cc_originating_address_and_links_are_read():
    doc = document(ZEEK_SMTP)
    doc["email"] |= {
        "reply_to": "Payroll <payroll-update@example.net>",
        "cc": ["hr@example.com.au"],
        "x_originating_ip": ["198.51.100.23"],
        "urls": [{"url_string": "https://gnxpublishers.ca/wp-content/uploads/2020/04/vary/28506345.zip"}],
        "subject": "Invoice 28506345",
    }
    alert = ADAPTERS["ocsf"].parse(doc)
    assert alert.title == "Email Activity (Invoice 28506345)"
    assert {
        ("email", "payroll-update@example.net", "sender"),
        ("email", "hr@example.com.au", "destination"),
        ("ip", "198.51.100.23", "source"),
        ("url", "https://gnxpublishers.ca/wp-content/uploads/2020/04/vary/28506345.zip", "declared"),
    } <= set(alert.observables)


def test_a_waf_block_is_titled_by_the_request_and_tagged_by_what_the_control_did(post):
    # Before: titled "HTTP Activity: Get", the server asked only a declared observable, no
    # disposition.
    alert = ingested(post, WAF)
    assert alert.source_ref.startswith("sha256:")  # no metadata.uid
    assert alert.title == "HTTP Activity: Get (example.com/pen-test/pets)"
    assert alert.severity == 1
    assert alert.observed_at == datetime(2021, 9, 23, 18, 6, 56, 512000, tzinfo=UTC)
    # The observables' "Resource UID"s typed 2 (IP Address) are no addresses: skipped.
    assert observables_of(alert) == {("ip", "1.2.3.4", "source"), ("hostname", "example.com", "destination")}
    assert {"class:HTTP Activity", "disposition:Blocked"} <= set(alert.tags)
    assert_resend_is_a_duplicate(post, WAF)


def test_an_http_requests_url_and_forwarded_for_clients_are_read():
    doc = document(WAF)
    doc["http_request"]["url"]["url_string"] = "https://example.com/pen-test/pets?id=10%20AND%201"
    doc["http_request"]["x_forwarded_for"] = ["203.0.113.77"]
    alert = ADAPTERS["ocsf"].parse(doc)
    assert alert.title == "HTTP Activity: Get (https://example.com/pen-test/pets?id=10%20AND%201)"
    assert {
        ("url", "https://example.com/pen-test/pets?id=10%20AND%201", "declared"),
        ("ip", "203.0.113.77", "source"),
    } <= (set(alert.observables))


def test_oktas_detection_finding(post):
    alert = ingested(post, OKTA_FINDING)
    assert alert.source_ref == "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a"
    assert (alert.title, alert.description) == ("Login Failures", "Request from suspicious actor")
    assert alert.severity == 2  # severity_id 0 "Unknown"
    assert alert.observed_at == datetime(2024, 8, 13, 15, 58, 20, tzinfo=UTC)
    # The one resource is an application path, no host.
    assert observables_of(alert) == {("ip", "10.0.0.1", "source")}
    assert alert.tags == ["disposition:Blocked"]
    assert_resend_is_a_duplicate(post, OKTA_FINDING)


def test_oktas_authentication_has_the_user_who_logged_on(post):
    alert = ingested(post, OKTA_LOGON)
    assert alert.title == "Authentication: Logon"
    assert alert.description == "User login to Okta"
    assert alert.observed_at == datetime(2024, 8, 13, 15, 58, 20, tzinfo=UTC)
    # device.name "Mac15,6" (a hardware model) is no host name.
    assert observables_of(alert) == {
        ("ip", "10.0.0.1", "source"),
        ("user", "john doe", "user"),
        ("email", "john.doe@example.com", "user"),
        ("domain", "example.com", "user"),
    }
    assert {"class:Authentication", "status:Success"} <= set(alert.tags)


def test_security_hubs_guardduty_detection_finding(post):
    alert = ingested(post, GUARDDUTY)
    assert alert.source_ref.endswith("/finding/a6c556fcbc9bea427a19f8b787099a0b")
    assert alert.title.startswith(
        "AWS CloudTrail trail arn:aws:cloudtrail:us-east-2:111111111111:trail/delete-me"
    )
    assert "calling DeleteTrail under unusual circumstances" in alert.description
    assert alert.severity == 1  # severity_id 2 (Low)
    # first_seen_time_dt, the activity's time, not the finding's creation (11:05:22).
    assert alert.observed_at == datetime(2023, 9, 19, 14, 55, 9, tzinfo=UTC)
    assert observables_of(alert) == {("ip", "52.94.133.131", "source")}
    assert alert.tags == ["TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled"]
    assert_resend_is_a_duplicate(post, GUARDDUTY)


@pytest.mark.parametrize("name", [O365_SPAM, ZEEK_SMTP, WAF, OKTA_FINDING, OKTA_LOGON, GUARDDUTY])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_no_mutation_of_these_documents_fails_otherwise(name, data):
    only_validation_errors("ocsf", data.draw(mutated(document(name))))
