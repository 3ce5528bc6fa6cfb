"""Readings a ninth and a tenth author's labelled incidents (written from the rules file
alone, after the eighth set's fixes) found wrong: a name under a documentation domain
(`acme.example.co`) is acme's, not example.co's; counts of targeted accounts written as fields
or with a word between; "one failed password each" counts no failures; an anomaly flagged
for want of a baseline is novelty; an oddity alone ("unfamiliar sign-in properties") is no
use by someone else, concurrent use is; an unmanaged device is no destination; a pentest's
stated scope excludes what it names as out of it; "please confirm ... signatories" and
"reply with ... contacts" solicit; recipients of the same messages are no information asked
for; a gateway's re-scan and a monitor's probes are no reconnaissance; queries sent carry no
data; a partner named in a file's name, or outside a message, is in no lure; a device's
capacity is no size moved; a status field is a sign-in's outcome; "Successful logins: none"
denies; breach and combolist exposures are exposed data; a score's band states no anomaly;
a partner account used outside its contract with no origin leaves Q3 unknown, as do
authenticated sessions whose users were not resolved; a stated scope is no authorisation;
a stated rate of an operation ("1 clone per day") is a baseline.
"""

from datetime import UTC, date, datetime

import pytest

from enrichment.assistant import alert_reading as r
from enrichment.assistant.scope import stated_scope
from intel.domains import split_domain

from .support import known_network, partner, suggestions
from .test_wording_outside_set import AT, kinds, view


@pytest.mark.parametrize(
    ("domain", "parts"),
    [
        ("tidewater-cranes.example.co", ("", "tidewater-cranes", "example.co")),
        ("portal.acme.example.com", ("portal", "acme", "example.com")),
        ("example.com", ("", "example", "com")),  # the documentation domain itself
        ("mail.contoso.co.uk", ("mail", "contoso", "co.uk")),
    ],
)
def test_a_name_under_a_documentation_domain(domain, parts):
    assert split_domain(domain) == parts


@pytest.mark.parametrize(
    ("sentence", "kind", "stated"),
    [
        ("Why flagged: no behavioural baseline for this user (first activity)", r.NOVELTY, False),
        ("Device: 'iPad (unmanaged)', first seen", r.PERSONAL_DESTINATION, False),
        ("uploaded to an unsanctioned file share", r.PERSONAL_DESTINATION, True),
        (
            "Body: please reply with the names of your authorised signatories and your supplier contact list",
            r.SOLICITATION,
            True,
        ),
        ("Subject: confirm authorised signatories", r.SOLICITATION, True),
        (
            "Vendor risk: High - the vendor's mailbox sent similar requests to 2 other Abnormal customers today",
            r.SOLICITATION,
            False,
        ),
        ("212 delivered, 28 quarantined by TRAP retro-scan", r.RECON, False),
        ("sent suspicious LDAP queries to HPA-DC02", r.TRANSFER, False),
        ("Unfamiliar sign-in properties | status: success | MFA: satisfied", r.LOGIN_SUCCESS, True),
        ("Reason: bad password | Successful logins from this source: none", r.LOGIN_SUCCESS, False),
        ("SpyCloud: new breach exposure for watch-listed partner domain", r.EXPOSED, True),
        ("Compromised data: Email addresses, Names", r.COMMUNICATION, False),
        ("Risk score: 65 (Unusual) - rules: 'Recently Registered Lookalike Domain'", r.ABNORMAL, False),
        ("Usernames match aliases published in the public partner directory", r.PUBLIC_ONLY, True),
        ("leaked document on public paste site", r.PUBLIC_ONLY, False),
    ],
)
def test_what_a_sentence_states(sentence, kind, stated):
    assert (kind in kinds(sentence)) is stated


@pytest.mark.parametrize(
    ("description", "kind", "values"),
    [
        ('{"debugData": {"targetedUsers": "14", "failedAttempts": "14"}}', r.ACCOUNTS, [14]),
        ("14 distinct harrowport.example users, one failed password each.", r.ACCOUNTS, [14]),
        ("14 distinct harrowport.example users, one failed password each.", r.FAILURES, []),
        ("FailedLogonCount=23 (50126 x21) between 20:26 and 20:40 UTC", r.FAILURES, [23]),
        ("Vector: removable media (SanDisk Extreme 256 GB) | 57 files, 348 MB", r.BYTES, [348_000_000]),
        ("copied to a 64 GB USB stick: 12 files, 40 MB", r.BYTES, [40_000_000]),
    ],
)
def test_counts_and_sizes(description, kind, values):
    assert sorted({f.value for f in view(description).all(kind)}) == values


def test_a_scope_stated_in_a_label():
    networks, hosts = stated_scope(
        "Ironclad pentest ENG-2026-114. Scope: extranet portal partners.harrowport.example (10.44.8.20) ONLY. "
        "Out of scope: OT/TOS, mail.example.com"
    )
    assert [str(n) for n in networks] == ["10.44.8.20/32"] and hosts == ["partners.harrowport.example"]
    assert stated_scope("authorised external pentest (CHG-8812)") == ([], [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "met"), [("partners.harrowport.example", False), ("tos-gw.harrowport.example", True)]
)
def test_a_pentest_against_a_host_its_scope_leaves_out(seed_playbook, ingest_alert_factory, target, met):
    partner(name="Ironclad Assurance", networks=["198.51.100.200/29"], contract_start=date(2026, 11, 9))
    known_network(
        cidr="198.51.100.200/29",
        list="benign",
        label="Ironclad Assurance authorised penetration test. Scope: extranet portal partners.harrowport.example ONLY.",
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Vectra AI: Port Sweep - external host",
        description=f"Detection: Port Sweep | Source: 198.51.100.204 | Target: {target} | 1,024 ports",
        observed_at=datetime(2026, 11, 24, 14, 40, tzinfo=UTC),
        technique_ids=["T1595.001"],
        observables=[("ip", "198.51.100.204", "source"), ("hostname", target, "destination")],
    )
    assert (answers["supply_chain_anomaly"]["answer"] == "checked") is met


@pytest.mark.django_db
def test_a_stated_scope_is_no_authorisation(seed_playbook, ingest_alert_factory):
    partner(name="Castellan IT Services", networks=["192.0.2.32/27"], contract_start=date(2025, 1, 1))
    answers = suggestions(
        ingest_alert_factory,
        title="FortiGate IPS: tcp_port_scan anomaly from partner VPN tunnel",
        description="Summary: the tunnel probed 1,028 TCP ports across 46 hosts; the contracted scope is TCP 10082 on 4 backup servers.",
        observed_at=datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        technique_ids=["T1595.001"],
        observables=[("ip", "192.0.2.41", "source")],
    )
    assert answers["supply_chain_anomaly"]["answer"] == "checked"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("anomaly", "met"), [("Unfamiliar sign-in properties", False), ("Impossible travel", True)]
)
def test_an_oddity_alone_is_no_use_by_someone_else(seed_playbook, ingest_alert_factory, anomaly, met):
    answers = suggestions(
        ingest_alert_factory,
        title=f"Entra ID Protection: {anomaly}",
        description="status: success | user p.novak@bank.example | IP 198.51.100.151",
        observed_at=AT,
        technique_ids=["T1078"],
        observables=[("user", "p.novak@bank.example", "user"), ("ip", "198.51.100.151", "source")],
    )
    assert (answers["compromised_account"]["answer"] == "checked") is met


@pytest.mark.django_db
def test_a_partner_named_in_a_file_name_is_in_no_lure(seed_playbook, ingest_alert_factory):
    partner(name="Tidewater Crane Services", domains=["tidewater-cranes.example.co"], criticality="critical")
    answers = suggestions(
        ingest_alert_factory,
        title="Code42 Incydr: Departing employee - file exfiltration to removable media",
        description="Vector: removable media | 57 files, 348 MB | Files include 'Tidewater_Crane_Rates_2027.xlsx'",
        observed_at=AT,
        technique_ids=["T1591.002"],
        observables=[("user", "g.halloran@harbour.example", "user"), ("hostname", "HPA-LT08", "source")],
    )
    assert answers["exfiltration"]["answer"] == "checked"
    assert answers["sensitive_partner"]["answer"] == "unchecked"


@pytest.mark.django_db
def test_a_partner_account_used_outside_its_contract_with_no_origin(seed_playbook, ingest_alert_factory):
    partner(
        name="Quillfeather Payroll Services",
        domains=["quillfeather.example"],
        contract_start=date(2023, 1, 1),
        contract_end=date(2026, 11, 30),
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Workday: integration system user active after vendor contract end",
        description="Integration System User: ISU_Quillfeather_Payroll | report retrieved | 1 file, 212 rows | "
        "Source IP: not captured",
        observed_at=datetime(2026, 12, 1, 14, 30, tzinfo=UTC),
        technique_ids=["T1591.002"],
        observables=[("user", "ISU_Quillfeather_Payroll", "user")],
    )
    assert answers["lookalike_domain"]["answer"] == "unknown"
    assert answers["supply_chain_anomaly"]["answer"] == "checked"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actors", "answer"),
    [
        ("Actor(s): not resolved - the policy aggregates authenticated download sessions", "unknown"),
        ("Per-user breakdown unavailable (aggregate model)", "no"),
    ],
)
def test_sessions_whose_users_were_not_resolved(seed_playbook, ingest_alert_factory, actors, answer):
    answers = suggestions(
        ingest_alert_factory,
        title="Defender for Cloud Apps: unusual file download volume on site",
        description=f"Downloads: 4,812 files (3.1 GB); 90-day baseline about 60 files/day | {actors}",
        observed_at=AT,
        technique_ids=["T1591.002"],
        observables=[("url", "https://collab.bank.example/sites/Supplier-Onboarding", "destination")],
    )
    assert answers["lookalike_domain"]["answer"] == answer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("clones", "met"), [("git.clone x41 (2.7 GB transferred)", True), ("git.clone x1 (0.2 GB)", False)]
)
def test_a_routine_stated_as_a_rate(seed_playbook, ingest_alert_factory, clones, met):
    partner(name="Kestrel Data Archiving", networks=["198.51.100.224/28"], contract_start=date(2025, 6, 1))
    answers = suggestions(
        ingest_alert_factory,
        title="GitHub audit log: repository clone by outside collaborator",
        description=f"actor: kestrel-ci-bot | {clones} | Baseline: 1 clone per day of 'archive-connector' only",
        observed_at=datetime(2026, 12, 4, 14, 11, tzinfo=UTC),
        technique_ids=["T1591.002"],
        observables=[("user", "kestrel-ci-bot", "user"), ("ip", "198.51.100.229", "source")],
    )
    assert (answers["exfiltration"]["answer"] == "checked") is met
