"""Readings an eighth author's labelled incidents (written from the rules file alone, after
the seventh set's fixes) found wrong: "Entries downloaded=9,412" counts records; a baseline
of nothing ("0 downloads ... in the last 30 days") is no routine; an account's own
parenthesis names its partner; the operation behind a volume is a request (Q2 no, not
unknown) and a bulk export by an account with no origin is an account use whose user cannot
be told (Q3 unknown); "consumer webmail" is personal; a genuine partner's information
request is no fraud, whatever the product files it under; a partner named in full is not
another sharing its first word; `signInStatus: success` is a sign-in; a second factor by
phone is no contact and a list's "phishing-kit hosting" no lure; a risk remediated by MFA on
a compliant device is the owner's; a denied failure is none; a monitor's user agent probes
nothing; an address's local part and a field path are no domains; a request to change bank
details solicits nothing; a form POST of a password is a credential submission.
"""

from datetime import UTC, date, datetime

import pytest

from cases.ingest.text_indicators import observables_in_text
from enrichment.assistant import alert_reading as r
from enrichment.events import is_failed_login

from .support import partner, suggestions
from .test_wording_outside_set import AT, kinds, view


@pytest.mark.parametrize(
    ("sentence", "kind", "stated"),
    [
        (
            "Baseline: user ZBRW_CONS02 created 2026-11-16, 0 downloads of LFBK in the last 30 days.",
            r.NOVELTY,
            True,
        ),
        ("Recipient domain classified: consumer webmail.", r.PERSONAL_DESTINATION, True),
        ("Rule 'Vendor bank data to non-corporate recipient' matched", r.PERSONAL_DESTINATION, True),
        (
            "ipAddress: 198.51.100.70 | signInStatus: success | appDisplayName: Microsoft 365 Portal",
            r.LOGIN_SUCCESS,
            True,
        ),
        ("authenticationDetails: Password (success), Phone call (success)", r.COMMUNICATION, False),
        ("Vishing: caller on a phone call asked for the vendor list", r.COMMUNICATION, True),
        ("additionalInfo: 'IP on tenant custom TI list SettleSwap phishing-kit hosting'", r.FRAUD, False),
        (
            "additionalInfo: 'IP on tenant custom TI list SettleSwap phishing-kit hosting'",
            r.COMMUNICATION,
            False,
        ),
        ("riskLevel=low, riskState=remediated (user passed MFA).", r.OWNER_CONFIRMED, True),
        ("device BRK-LT-0310 (Intune compliant, Entra hybrid joined)", r.OWNER_CONFIRMED, True),
        ("riskState=atRisk", r.OWNER_CONFIRMED, False),
        ('http_user_agent="StatusPulse-Synthetics/4.2 (+probe eu-west-3)"', r.RECON, False),
        ("count=1440 span=24h avg_interval_sec=60.0 status=200", r.PERIODIC, True),
        (
            "URL Isolation session recorded a form POST (username + password fields)",
            r.CREDENTIALS_SUBMITTED,
            True,
        ),
    ],
)
def test_what_a_sentence_states(sentence, kind, stated):
    assert (kind in kinds(sentence)) is stated


def test_a_count_after_its_noun_and_verb():
    assert [f.value for f in view("Entries downloaded=9,412 (LFA1 4,706 / LFBK 4,706)").all(r.RECORDS)][
        :1
    ] == [9412]


@pytest.mark.parametrize(
    ("text", "failed"),
    [("No failed sign-ins for this user in the prior 24 h.", False), ("23 failed sign-ins in 14 min", True)],
)
def test_a_denied_failure_is_none(text, failed):
    assert is_failed_login("Unfamiliar sign-in properties", text) is failed


def test_an_address_local_part_and_a_field_path_are_no_domains():
    found = {
        value for _, value, _ in observables_in_text("from d.hartley@fernhill-legal.com to c.obi@bank.com")
    }
    assert "c.obi" not in found and "fernhill-legal.com" in found
    found = {
        value for _, value, _ in observables_in_text("client.geo=Leeds target.app=Microsoft 365 / SharePoint")
    }
    assert "target.app" not in found


SAP_DOWNLOAD = (
    "User=ZBRW_CONS02 (user group EXT_CONS, 'Brightwell Consulting - core modernisation') | Transaction=SE16N | "
    "Tables=LFA1, LFBK (Vendor master bank details) | Entries downloaded=9,412 | Export format=XLSX to local file | "
    "ClientIPAddress=<not captured> | Baseline: 0 downloads of LFBK in the last 30 days."
)


@pytest.mark.django_db
def test_a_partner_accounts_bulk_export_with_no_origin(seed_playbook, ingest_alert_factory):
    partner(name="Brightwell Consulting", domains=["brightwell.example"], contract_start=date(2026, 11, 16))
    answers = suggestions(
        ingest_alert_factory,
        title="SAP - Data has been downloaded from sensitive tables",
        description=SAP_DOWNLOAD,
        observed_at=datetime(2026, 11, 27, 23, 52, tzinfo=UTC),
        technique_ids=["T1591.002"],
        observables=[("user", "ZBRW_CONS02", "user"), ("hostname", "sap-pe1-ci01", "destination")],
    )
    assert answers["exfiltration"]["answer"] == "checked"
    assert answers["supply_chain_anomaly"]["answer"] == "checked"  # the parenthesis names its partner
    assert answers["related_activity"]["answer"] == "no"  # one export transaction, not a summary
    assert answers["lookalike_domain"]["answer"] == "unknown"  # who used the account is not recorded


@pytest.mark.django_db
def test_a_genuine_partners_information_request_is_no_fraud(seed_playbook, ingest_alert_factory):
    partner(
        name="Tallis Print & Mail",
        domains=["tallisprint.example"],
        networks=["198.51.100.32/28"],
        contract_start=date(2021, 2, 1),
    )
    answers = suggestions(
        ingest_alert_factory,
        title="FortiMail: Content filter 'BEC-Info-Request' matched (delivered)",
        description='from="print.ops@tallisprint.example" subject="Mandate renewal - please send current '
        'authorised signatories and your vendor contact list" auth: spf=pass dkim=pass dmarc=pass delivered=yes',
        observed_at=AT,
        technique_ids=["T1598"],
        observables=[("email", "print.ops@tallisprint.example", "sender"), ("ip", "198.51.100.37", "source")],
    )
    assert answers["related_activity"]["answer"] == "yes"
    assert answers["supply_chain_anomaly"]["answer"] == "unchecked"


@pytest.mark.django_db
def test_a_partner_named_in_full_is_not_another_sharing_its_first_word(seed_playbook, ingest_alert_factory):
    partner(name="Northgate Card Services", domains=["northgatecards.example"], criticality="high")
    partner(name="Northgate Payroll Solutions", domains=["northgate-payroll.example"], criticality="medium")
    answers = suggestions(
        ingest_alert_factory,
        title="Cisco Secure Email: lookalike sender domain - quarantined",
        description='From: "Northgate Payroll Solutions Billing" <billing@n0rthgate-payroll.example> | '
        "Action: QUARANTINE - not delivered",
        observed_at=AT,
        technique_ids=["T1566"],
        observables=[
            ("email", "billing@n0rthgate-payroll.example", "sender"),
            ("ip", "203.0.113.205", "source"),
        ],
    )
    assert answers["lookalike_domain"]["answer"] == "yes"
    assert answers["sensitive_partner"]["answer"] == "unchecked"


@pytest.mark.django_db
def test_a_request_to_change_bank_details_solicits_nothing(seed_playbook, ingest_alert_factory):
    answers = suggestions(
        ingest_alert_factory,
        title="Proofpoint: Supplier Fraud - bank detail change from known vendor",
        description="hdr_from=ar@pennantfm.example; body: request to update the IBAN on vendor record V-20417",
        observed_at=AT,
        technique_ids=["T1566"],
        observables=[("email", "ar@pennantfm.example", "sender"), ("ip", "198.51.100.84", "source")],
    )
    assert answers["related_activity"]["answer"] == "no"


@pytest.mark.django_db
def test_a_risk_the_owners_mfa_remediated_is_no_account_use(seed_playbook, ingest_alert_factory):
    answers = suggestions(
        ingest_alert_factory,
        title="Entra ID Protection: Unfamiliar sign-in properties (risk: low)",
        description="riskLevel=low, riskState=remediated (user passed MFA). Sign-in: success, device BRK-LT-0310 "
        "(Intune compliant). No failed sign-ins for this user in the prior 24 h.",
        observed_at=AT,
        technique_ids=["T1078"],
        observables=[("user", "p.novak@bank.example", "user"), ("ip", "198.51.100.72", "source")],
    )
    assert answers["compromised_account"]["answer"] == "unchecked"
