"""Readings a third author's labelled incidents (written from the rules file alone) found
missing or wrong, one at a time: what is novel is not unusual volume, an approved change
explains an anomaly, an account's name is no wording, a key is no unit, an identifier's
digits are no count, a public page publishes nothing, a sign-in name is no correspondent,
"N x ... FAILURE" counts, the owner's confirmation and the owner's own sign-in after a
lockout are no use by someone else, a burst of messages from one sender is a mass mailing.
"""

from datetime import UTC, date, datetime

import pytest

from enrichment.assistant import alert_reading as r
from enrichment.assistant import vendor_claims as claims
from enrichment.assistant import wording as w
from enrichment.assistant.facts import AlertView, Obs

from .support import suggestions
from .test_wording_outside_set import AT, kinds, view


def values(sentence, kind, **kwargs):
    return [f.value for f in view(sentence, **kwargs).facts if f.kind == kind]


def test_something_seen_for_the_first_time_is_novel_not_unusual_volume():
    found = kinds("First Time Seen Source IP for Service Account; source.ip never observed for this user.")
    assert r.NOVELTY in found and r.ABNORMAL not in found
    assert r.ABNORMAL in kinds("Unusual API data volume for new client.")


def test_an_accounts_name_is_no_wording():
    text = "user=svc-kestrel-recon exported AR_INVOICE_LINES."
    alert = AlertView(
        id=1,
        observed_at=AT,
        title="Export",
        description=text,
        tags=[],
        raw={},
        technique_id="T1567",
        observables=[Obs("user", "svc-kestrel-recon", "user", 1)],
    )
    assert r.RECON not in {f.kind for f in r.read(alert)}
    assert r.RECON in kinds(text)  # without the observable, "recon" reads as a word


def test_a_key_named_for_a_unit_and_an_identifiers_digits_are_no_quantities():
    assert values("count=4870 bytes=6.2MB object=AR_INVOICE_LINES", r.BYTES) == [6_200_000]
    assert values("Subject 'Final invoice FL-2026-11-3391 - November shipments'.", r.RECORDS) == []
    assert values("Invoice #3391 shipments", r.RECORDS) == []
    assert values("3,391 shipments exported", r.RECORDS) == [3391]


def test_a_public_page_named_in_quotes_is_public():
    assert r.PUBLIC_ONLY in kinds("Document is published on the public 'Become a supplier' page.")


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("14 x user.session.start outcome=FAILURE reason=INVALID_CREDENTIALS for a.b@example.com", 14),
        ("11 x ResultType 50126 (invalid username or password) for e.strand@example.com", 11),
    ],
)
def test_repeated_events_marked_as_failures_are_counted(sentence, count):
    assert values(sentence, r.FAILURES) == [count]


def test_a_zero_that_is_a_codes_value_denies_nothing():
    text = "07:40 ResultType 0 success from 192.0.2.26"
    assert not w.negated(text, text.index("success"))
    assert w.negated("0 successful sign-ins", 2)


@pytest.mark.parametrize(
    "sentence",
    [
        "Campaign view: 146 messages from j.k@partner.example between 09:55 and 10:02 UTC.",
        "Message burst with malicious URL from trusted partner sender.",
    ],
)
def test_a_burst_of_messages_from_one_sender_is_a_mass_mailing(sentence):
    assert r.MASS_MAIL in kinds(sentence)


def test_the_owners_confirmation_is_read():
    assert r.OWNER_CONFIRMED in kinds("riskState changed to 'confirmedSafe' by the user ('This was me').")


def test_an_address_found_only_in_the_text_or_a_sign_in_name_is_no_correspondent():
    def alert(*observables):
        return AlertView(1, AT, "Okta: failed sign-in", "", [], {}, "T1110", list(observables))

    assert not alert(Obs("email", "a.b@example.com", "extracted", 1)).is_communication
    assert not alert(
        Obs("user", "a.b@example.com", "user", 1), Obs("email", "a.b@example.com", "declared", 2)
    ).is_communication
    assert alert(Obs("email", "x@partner.example", "sender", 1)).is_communication


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "description", "met"),
    [
        (
            "First Time Seen Source IP for Service Account",
            "Never observed for this account. GET /v1/reports, 9 records.",
            False,
        ),
        (
            "Unusual API data volume for new client",
            "640 records. Change CHG-31877 'initial KPI load' approved.",
            False,
        ),
        ("Unusual API data volume for client", "640 records in one call.", True),
    ],
)
def test_a_partners_first_seen_address_or_approved_anomaly_is_no_access_anomaly(
    seed_playbook, ingest_alert_factory, title, description, met
):
    from intel import services

    services.partner_create(
        by=None, name="Quorra Analytics", networks=["198.51.100.176/28"], contract_start=date(2026, 11, 1)
    )
    answers = suggestions(
        ingest_alert_factory,
        title=title,
        description=description,
        observed_at=AT,
        technique_ids=["T1078"],
        observables=[("ip", "198.51.100.183", "source"), ("user", "svc-quorra", "user")],
    )
    assert answers["supply_chain_anomaly"]["answer"] == ("checked" if met else "unchecked"), answers


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("success", "other", "used"),
    [("192.0.2.26", "203.0.113.160", False), ("203.0.113.160", "192.0.2.26", True)],
)
def test_the_owners_sign_in_after_a_lockout_is_not_the_attackers(
    seed_playbook, ingest_alert_factory, success, other, used
):
    from intel import services

    services.network_create(by=None, cidr="192.0.2.24/29", list="benign", label="VPN egress")
    description = (
        "11 x ResultType 50126 (invalid username or password) for e.strand@example.com from 203.0.113.160 "
        "between 07:12 and 07:37 UTC, then 50053 (account locked). 07:38 password reset by the user; "
        f"07:40 ResultType 0 success from {success}. No success from {other}."
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Smart lockout triggered, followed by successful sign-in",
        description=description,
        observed_at=datetime(2026, 11, 6, 7, 40, tzinfo=UTC),
        technique_ids=["T1110.001"],
        observables=[
            ("ip", "203.0.113.160", "source"),
            ("ip", "192.0.2.26", "source"),
            ("user", "e.strand", "user"),
        ],
    )
    assert answers["compromised_account"]["answer"] == ("checked" if used else "unchecked")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("said", "used"), [("", True), (" riskState 'confirmedSafe' by the user ('This was me').", False)]
)
def test_a_sign_in_the_owner_confirmed_is_no_use_by_someone_else(
    seed_playbook, ingest_alert_factory, said, used
):
    # (An unfamiliar sign-in alone is no use by someone else: test_ninth_and_tenth_set_readings.)
    answers = suggestions(
        ingest_alert_factory,
        title="Entra ID Protection: Impossible travel",
        description="Sign-in succeeded from 203.0.113.9." + said,
        observed_at=AT,
        technique_ids=["T1078"],
        observables=[("ip", "203.0.113.9", "source"), ("user", "s.wik", "user")],
    )
    assert answers["compromised_account"]["answer"] == ("checked" if used else "unchecked")


def test_a_query_historys_rows_and_an_unload_are_a_bulk_transfer():
    sentence = (
        "QUERY_HISTORY: rows_produced=96,450, bytes_scanned 1.9 GB, followed by GET @~/unload/ at 01:20 UTC."
    )
    assert values(sentence, r.RECORDS) == [96_450]
    assert r.TRANSFER in kinds("Snowflake large result set unloaded by partner service user")


def test_a_stated_range_is_read_and_an_identifiers_number_is_not():
    assert values("Integration baseline: 1k-2k rows per weekday run.", r.RECORDS) == [2000]
    assert values("Baseline 4,500-5,300 rows on that day.", r.RECORDS) == [5300]
    assert values("Ticket INV-2026-3391 shipments", r.RECORDS) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Form fields 'loginfmt','passwd' detected (credential-submission heuristic).",
        "Zscaler ZIA: Credential POST to newly registered domain.",
    ],
)
def test_a_credential_post_is_a_submission(sentence):
    assert r.CREDENTIALS_SUBMITTED in kinds(sentence)


def test_an_entra_success_is_a_sign_in_and_an_approved_push_authorises_nothing():
    found = kinds("SigninLogs ResultType 0 (success) for m.ekberg from 203.0.113.181, MFA push approved.")
    assert r.LOGIN_SUCCESS in found and r.AUTHORISED not in found
    assert r.AUTHORISED in kinds("Export approved under change CHG-31877.")


def test_fields_joined_by_pipes_are_sentences():
    assert w.sentences("src=198.51.100.12 | 18,412 records | baseline 150 per day") == [
        "src=198.51.100.12",
        "18,412 records",
        "baseline 150 per day",
    ]


def test_fuzzy_is_no_fuzzing():
    assert r.RECON not in kinds("Possible partner impersonation (fuzzy brand match 'kestrel').")
    assert r.RECON in kinds("Directory fuzzing against /api/ from 203.0.113.5.")


def test_the_domain_a_product_says_is_imitated_is_named():
    text = "Impostor classifier - sender domain resembles partner quorra.io; similar to kestrel-logistics.nl."
    assert claims.IMITATED_DOMAIN.findall(text) == ["quorra.io", "kestrel-logistics.nl"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sender", "auth", "forged"),
    [
        ("ar@quorra-labs.com", "spf=pass dkim=pass dmarc=pass", False),  # a registered partner domain
        ("events@kestrel-labs.com", "spf=pass dmarc=pass", False),  # shares a prefix only: no lookalike
        ("ar@quorra-labs.com", "dmarc=fail", True),  # authentication failed: the claim stands
        ("ar@quorra-io.com", "spf=pass dkim=pass dmarc=pass", True),  # a lookalike by the rules
    ],
)
def test_a_products_similarity_claim_is_judged_by_the_lookalike_rules(
    seed_playbook, ingest_alert_factory, sender, auth, forged
):
    from intel import services

    services.partner_create(
        by=None, name="Quorra Analytics", domains=["quorra.io"], contract_start=date(2026, 1, 1)
    )
    services.partner_create(
        by=None, name="Quorra Labs AB", domains=["quorra-labs.com"], contract_start=date(2025, 9, 1)
    )
    services.partner_create(by=None, name="Kestrel Logistics", domains=["kestrel-logistics.nl"])
    answers = suggestions(
        ingest_alert_factory,
        title="Proofpoint TAP: Impostor classifier - sender domain resembles partner quorra.io",
        description=f"Subject 'Invoice INV-0419'. {auth}. Disposition: delivered.",
        observed_at=AT,
        technique_ids=["T1566"],
        observables=[("email", sender, "sender"), ("email", "ap@example.com", "destination")],
    )
    assert (answers["lookalike_domain"]["answer"] == "yes") is forged
    if sender == "ar@quorra-labs.com" and not forged:
        assert answers["partner_match"]["answer"] == "yes"  # quorra.io is the imitated domain, not an entity
        assert answers["supply_chain_anomaly"]["answer"] == "unchecked"  # no fraud from a genuine mailbox


@pytest.mark.django_db
def test_a_report_without_its_senders_address_leaves_identity_unknown(seed_playbook, ingest_alert_factory):
    answers = suggestions(
        ingest_alert_factory,
        title="KnowBe4 PhishER: User-reported message - headers unavailable",
        description="The original was deleted; no headers or sender address. Reporter: 'asked me for our supplier list'.",
        observed_at=AT,
        technique_ids=["T1598"],
        observables=[("email", "e.holm@example.com", "destination"), ("user", "e.holm", "user")],
    )
    assert answers["lookalike_domain"]["answer"] == "unknown"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("baseline", "probing"),
    [
        (
            "Scheduled job runs 10:00 UTC each business day; 30-day baseline 40-55 pages, ~4,300 rows/run.",
            False,
        ),
        (
            "Scheduled job runs 10:00 UTC each business day; 30-day baseline ~400 rows/run.",
            True,
        ),  # 11x its baseline
        ("", True),  # no routine stated: sequential pages are enumeration
    ],
)
def test_a_routine_sync_paging_within_its_baseline_is_no_enumeration(
    seed_playbook, ingest_alert_factory, baseline, probing
):
    from intel import services

    services.partner_create(
        by=None, name="Kestrel Logistics", networks=["198.51.100.32/28"], contract_start=date(2023, 4, 1)
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Splunk ES Notable: API client exceeded page-count threshold (client_id=kestrel-edi)",
        description="src=198.51.100.38 GET /v2/shipments, cursor pages 1..46, status=200 on all, 4.6k rows returned. "
        + baseline,
        observed_at=datetime(2026, 11, 17, 10, 14, tzinfo=UTC),
        observables=[("ip", "198.51.100.38", "source"), ("user", "svc-kestrel-edi", "user")],
    )
    assert (answers["related_activity"]["answer"] == "yes") is probing
    assert (answers["exfiltration"]["answer"] == "checked") is probing
