"""Readings a fourth author's labelled incidents (written from the rules file alone, after
the third set's fixes) found wrong: a field path is no domain, a name written with a path is
a URL's host, unchanged bank details are no change, a bot's claimed user agent is no
impersonation, a connection that never authenticated reads nothing, an unusual source is
no unusual volume, a display name that is the sender's own domain's name forges nothing, a
reporter is no correspondent, a request *from* a vendor solicits nothing.
"""

from datetime import UTC, date, datetime

import pytest

from cases.ingest.text_indicators import observables_in_text
from enrichment.assistant import alert_reading as r
from enrichment.assistant.reference import names_own_domain

from .support import suggestions
from .test_wording_outside_set import AT, kinds


def test_the_start_of_a_longer_field_path_is_no_domain():
    found = observables_in_text("sender.email.domain.root_domain=nettlefield-marine.com (prior threads: 31)")
    assert [value for _, value, _ in found if value.startswith("sender")] == []
    assert any(value == "nettlefield-marine.com" for _, value, _ in found)


@pytest.mark.parametrize(
    ("sentence", "kind", "stated"),
    [
        ("Bank details identical to the previous 14 invoices.", r.BANK_CHANGE, False),
        ("Please update our bank details to the new IBAN below.", r.BANK_CHANGE, True),
        ("Akamai Bot Manager: Googlebot impersonator - /partners/logo-wall.", r.IMPERSONATION, False),
        ("botCategory=Impersonators of Known Bots", r.IMPERSONATION, False),
        ("Sender impersonating our CFO asked for the vendor list.", r.IMPERSONATION, True),
        ("Client requested GET /our-suppliers?page=1 through ?page=212 in order.", r.RECON, True),
        ("Remittance change request from established vendor, Reply-To mismatch.", r.SOLICITATION, False),
        ("The caller made a request for our complete vendor list.", r.SOLICITATION, True),
    ],
)
def test_what_a_sentence_states(sentence, kind, stated):
    assert (kind in kinds(sentence)) is stated


@pytest.mark.parametrize(
    ("display", "domain", "own"),
    [
        ("Tidewater Brewing Co.", "tidewater-brewing.com", True),
        ("Halcyon Pay Remittances", "remit-advice-center.net", False),
        ("Tidewater Assurance Group", "tidewater-brewing.com", False),
        ("Tidewater Assurance Group", "tidewater.net", False),  # a name the domain does not carry
        ("Tidewater Brewing", "tidewaterbrewing.com", True),
    ],
)
def test_a_display_name_that_is_the_senders_own_domains_name(display, domain, own):
    assert names_own_domain(display, domain) is own


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("description", "met"),
    [
        (
            "sshd: Connection closed by 198.51.100.202 port 40112 [preauth] - banner exchange only, no userauth request.",
            False,
        ),
        ("sshd: Accepted publickey for pemberton from 198.51.100.202; 14 files (212 MB) downloaded.", True),
    ],
)
def test_a_former_partners_connection_that_never_authenticated_reads_nothing(
    seed_playbook, ingest_alert_factory, description, met
):
    from intel import services

    services.partner_create(
        by=None,
        name="Pemberton Print",
        networks=["198.51.100.200/30"],
        contract_start=date(2020, 1, 1),
        contract_end=date(2026, 9, 30),
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Connection from decommissioned vendor range to SFTP",
        description=description,
        observed_at=datetime(2026, 11, 21, 6, 0, tzinfo=UTC),
        technique_ids=["T1078"],
        observables=[("ip", "198.51.100.202", "source"), ("hostname", "sftp-legacy-01", "destination")],
    )
    assert (answers["supply_chain_anomaly"]["answer"] == "checked") is met


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "met"),
    [("Detection: 'Unusual source for account'", False), ("Unusual download volume for account", True)],
)
def test_an_unusual_source_is_no_unusual_volume(seed_playbook, ingest_alert_factory, title, met):
    from intel import services

    services.partner_create(
        by=None, name="Ombrel", networks=["198.51.100.96/28"], contract_start=date(2026, 11, 1)
    )
    answers = suggestions(
        ingest_alert_factory,
        title=title,
        description="svc-ombrel signed in from 198.51.100.99.",
        observed_at=AT,
        technique_ids=["T1078"],
        observables=[("ip", "198.51.100.99", "source"), ("user", "svc-ombrel", "user")],
    )
    assert (answers["supply_chain_anomaly"]["answer"] == "checked") is met


@pytest.mark.django_db
def test_a_name_written_with_a_path_is_no_attribution_entity(seed_playbook, ingest_alert_factory):
    from intel import services

    services.partner_create(
        by=None, name="Ironvale", networks=["203.0.113.128/28"], contract_start=date(2026, 11, 2)
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Web vulnerability scanner user-agent from a single external source",
        description='user_agent="Nuclei - Open-source project (github.com/projectdiscovery/nuclei)". 9,412 requests.',
        observed_at=AT,
        technique_ids=["T1595"],
        observables=[("ip", "203.0.113.133", "source")],
    )
    assert answers["partner_match"]["answer"] == "yes"


@pytest.mark.django_db
def test_a_ticket_naming_only_its_reporter_leaves_the_senders_identity_unknown(
    seed_playbook, ingest_alert_factory
):
    answers = suggestions(
        ingest_alert_factory,
        title="ServiceNow SIR: suspicious request for print-vendor contacts (user report)",
        description="Reported by: c.mbeki. The user deleted the message; no sender, no headers retained.",
        observed_at=AT,
        technique_ids=["T1598"],
        observables=[("user", "c.mbeki", "user")],
    )
    assert answers["lookalike_domain"]["answer"] == "unknown"
