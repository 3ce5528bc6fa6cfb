"""Readings an eleventh and a twelfth author's labelled incidents (written from the rules file
alone, after the tenth set's fixes) found wrong: a system named after suppliers solicits
nothing; a genuine partner's information request probes none of our systems (E3); the words
between a count and its noun are no other count; a recipient's category or "(external,
consumer)" is personal; mail to an address a forging message gave as its sender or reply
path goes to the attacker, unless it carried no file; sign-ins from the owner's network and an
unknown one are concurrent use; an address field's name is no message; a post found public
already publishes nothing; remittance details said to match change nothing; a baseline or an
access method is no request detail; a policy's limits are no counts; a second factor denied
completes no sign-in; "ten (10)" is one count; API group names are no third party; listing
across namespaces and path walks are enumeration; failures spread over hours are no brute
force; "bulk API query" reads data; `replyToAddress ... differs` is a diverted reply path; a
detector's field name scans nothing; a policy named for data theft finds none.
"""

from datetime import UTC, date, datetime

import pytest

from enrichment.assistant import alert_reading as r
from enrichment.assistant.facts import cloud_service
from enrichment.assistant.patterns import failures_of

from .support import partner, suggestions
from .test_wording_outside_set import AT, kinds, view


@pytest.mark.parametrize(
    ("sentence", "kind", "stated"),
    [
        ("Subject: Action needed: supplier-portal password expires today", r.SOLICITATION, False),
        ("Subject: please send the supplier list", r.SOLICITATION, True),
        ("Recipient domain category: free-mail / consumer", r.PERSONAL_DESTINATION, True),
        ("Recipient: rhaddad.home@postmail.example (external, consumer)", r.PERSONAL_DESTINATION, True),
        ('{"actor_details": {"email": "r.haddad@bank.example", "name": "Rami"}}', r.COMMUNICATION, False),
        ("AP automation: remittance details match the vendor master (no change).", r.BANK_CHANGE, False),
        ("Second factor: Duo Push DENIED by user at 03:14:22 UTC", r.LOGIN_SUCCESS, False),
        ("212 secret names/types listed (Table view, no data) across 14 namespaces", r.RECON, True),
        ("siem_aggregate: 37 distinct paths under kv/data/erp/ read in 4 min", r.RECON, True),
        ("Salesforce Shield Transaction Security: bulk API query - Order__c", r.TRANSFER, True),
        ("replyToAddress: meridianfreight.ar@freemail.test   <- differs; first seen today", r.REPLY_TO, True),
        ("Scanner: Threat Intelligence - Anomalous egress", r.RECON, False),
        ("Policy: Data theft by departing users (HR connector)", r.EXFILTRATION, False),
        ("Mimecast TTP Impersonation | Action: Tag subject [EXTERNAL-SIMILAR]", r.IMPERSONATION, False),
        ("Confirmed data exfiltration to a paste site", r.EXFILTRATION, True),
    ],
)
def test_what_a_sentence_states(sentence, kind, stated):
    assert (kind in kinds(sentence)) is stated


@pytest.mark.parametrize(
    ("description", "kind", "values"),
    [
        ("Attachment: Approved_Vendor_List_2026_v7.xlsx  184 KB  312 rows", r.RECORDS, [312]),
        ("Alert: Large number of downloads (policy: more than 500 files in 1 hour)", r.RECORDS, []),
        ("File: export.zip - 97.4 MB (998 rows) | block threshold: 100 MB or 1,000 rows", r.RECORDS, [998]),
        ("Summary: ten (10) failed password attempts from 203.0.113.101", r.FAILURES, [10]),
    ],
)
def test_counts(description, kind, values):
    assert sorted({f.value for f in view(description).all(kind)}) == values


@pytest.mark.parametrize(
    ("description", "failures"),
    [
        (
            "event=login_failure count=11 first=2026-11-22T09:02:11Z last=2026-11-22T12:14:30Z max_per_60m=4",
            4,
        ),
        ("event=login_failure msg='11 failed logins over 3h12m'", 4),
        ("event=login_failure msg='11 failed logins in 14 min'", 11),
    ],
)
def test_failures_spread_over_hours(description, failures):
    assert failures_of(view(description, title="Repeated authentication failures")) == failures


def test_api_group_names_are_no_third_party():
    assert cloud_service("meta.k8s.io") and not cloud_service("k8s.example")


@pytest.mark.django_db
def test_a_genuine_partners_information_request_probes_no_system(seed_playbook, ingest_alert_factory):
    partner(name="Norrvik Tank Terminals", domains=["norrvik.example"], networks=["203.0.113.128/27"])
    answers = suggestions(
        ingest_alert_factory,
        title="Barracuda Impersonation Protection: Information Request from First-time Sender",
        description="Threat type: Reconnaissance / information request (confidence: low) | SPF=pass DKIM=pass "
        "DMARC=pass | Excerpt: 'could you send the list of your site contacts and the carriers you use?'",
        observed_at=AT,
        technique_ids=["T1598"],
        observables=[("email", "h.lindgren@norrvik.example", "sender"), ("ip", "203.0.113.140", "source")],
    )
    assert answers["related_activity"]["answer"] == "yes"
    assert answers["supply_chain_anomaly"]["answer"] == "unchecked"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reply", "met"),
    [
        ("Attachments=NVR_payroll_bank_mandate_signed.pdf (212 KB, label CONFIDENTIAL - Finance)", True),
        ("Size: 212 characters of text, attachments: 0", False),
    ],
)
def test_mail_to_a_forging_messages_reply_path(seed_playbook, ingest_alert_factory, reply, met):
    ingest_alert_factory(
        title="Abnormal Security: Vendor Impersonation - payroll bank detail change",
        description="Reply-To: kestrel.payroll.ops@freemail.test (differs from sender) | Impersonated Party: Kestrel",
        observed_at=AT,
        technique_ids=["T1591.002"],
        observables=[
            ("email", "payroll-ops@kestre1payroll.example", "sender"),
            ("email", "kestrel.payroll.ops@freemail.test", "declared"),
            ("ip", "203.0.113.22", "source"),
        ],
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Mimecast Outbound: reply to flagged thread",
        description=f"Dir=Outbound | Sender=h.sandoval@bank.example | Rcpt=kestrel.payroll.ops@freemail.test | {reply}",
        observed_at=AT,
        technique_ids=["T1591.002"],
        observables=[
            ("email", "h.sandoval@bank.example", "sender"),
            ("email", "kestrel.payroll.ops@freemail.test", "destination"),
            ("ip", "203.0.113.22", "source"),
        ],
    )
    assert (answers["exfiltration"]["answer"] == "checked") is met


@pytest.mark.django_db
def test_sign_ins_from_the_owners_network_and_an_unknown_one(seed_playbook, ingest_alert_factory):
    partner(name="Verdigris Environmental", networks=["2001:db8:4a10::/48"], contract_start=date(2026, 2, 1))
    answers = suggestions(
        ingest_alert_factory,
        title="Entra ID Protection: Suspicious sign-ins (workload identity)",
        description="Sign-in 1: 2026-11-27 09:27:10 UTC  IP 2001:db8:4a10::20  success  (usual location)\n"
        "Sign-in 2: 2026-11-27 09:31:48 UTC  IP 2001:db8:77:1::15  success  (never seen)",
        observed_at=datetime(2026, 11, 27, 9, 31, tzinfo=UTC),
        technique_ids=["T1078"],
        observables=[
            ("user", "vrd-manifest-sync", "user"),
            ("ip", "2001:db8:77:1::15", "source"),
            ("ip", "2001:db8:4a10::20", "source"),
        ],
    )
    assert answers["compromised_account"]["answer"] == "checked"


@pytest.mark.django_db
def test_a_second_factor_denied_completes_no_sign_in(seed_playbook, ingest_alert_factory):
    from intel import services

    services.network_create(
        by=None, cidr="203.0.113.96/28", list="malicious", label="bulletproof hosting", source="t"
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Blumira Finding: MFA push denied after correct password",
        description="Primary authentication: SUCCESS (password correct) | Second factor: Duo Push DENIED by user | "
        "Result: login not completed, no session or token issued",
        observed_at=AT,
        technique_ids=["T1110"],
        observables=[("user", "y.tanaka@bank.example", "user"), ("ip", "203.0.113.101", "source")],
    )
    assert answers["compromised_account"]["answer"] == "unchecked"


@pytest.mark.django_db
def test_a_post_found_public_already_publishes_nothing(seed_playbook, ingest_alert_factory):
    answers = suggestions(
        ingest_alert_factory,
        title="eSentire TRU Advisory: Brand Mention on Underground Forum",
        description="A post titled 'Brannock Chemical - vendor list' was published on an underground forum. "
        "TRU compared the content with your public website: all 24 names appear on its partners page.",
        observed_at=AT,
        technique_ids=["T1591.002"],
        observables=[("url", "https://board.darkmarket.example/t/88412", "destination")],
    )
    assert answers["exfiltration"]["answer"] == "unchecked"


@pytest.mark.django_db
def test_a_baseline_or_an_access_method_is_no_request_detail(seed_playbook, ingest_alert_factory):
    answers = suggestions(
        ingest_alert_factory,
        title="Dropbox Business Alert: Mass download",
        description="Detail: 1,870 files / 640 MB from team folder 'Procurement' | Access method: API app (token) | "
        "Device / IP address: not recorded | Member's usual activity: fewer than 20 downloads per day",
        observed_at=AT,
        technique_ids=["T1591.002"],
        observables=[("user", "k.sorensen@bank.example", "user")],
    )
    assert answers["related_activity"]["answer"] == "unknown"
