"""Readings a seventh author's labelled incidents (written from the rules file alone, after the
sixth set's fixes) found wrong: JSON written into an alert's text is read field by field, a
score's name states no anomaly, a baseline stated as a size explains a transfer of that
size, `RowsProcessed=999` counts records and a policy's limit (">= 1,000 rows") does not,
"consumer mail" is a personal destination, a product named "Impersonation Protect" and its
homoglyph claim about a non-partner forge nothing, listing calls repeated and GuardDuty's
Discovery findings are enumeration, a pentest partner inside the scope its allow-list entry
states is authorised, and a partner account reading other tenants' data is beyond its scope.
"""

from datetime import UTC, date, datetime

import pytest

from enrichment.assistant import alert_reading as r
from enrichment.assistant import wording as w
from enrichment.assistant.embedded_json import as_field_lines
from enrichment.assistant.reference import names_own_domain

from .support import known_network, partner, suggestions
from .test_wording_outside_set import AT, kinds, view


def test_json_in_the_text_is_read_field_by_field():
    text = 'Netskope: {"alert_name": "Large upload", "file_size": "2.1 GB", "user": {"name": "svc"}, "tags": ["a", "b"]} - run.'
    assert w.sentences(text) == [
        "Netskope:",
        "alert_name: Large upload",
        "file_size: 2.1 GB",
        "user.name: svc",
        "tags: a, b",
        "- run.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "rule {not json} matched",
        'template {"only": "one field"} kept',  # a single field is no document
        "{ broken: json, here }",
    ],
)
def test_text_that_is_no_json_document_is_kept(text):
    assert as_field_lines(text) == text


@pytest.mark.parametrize(
    ("sentence", "kind", "stated"),
    [
        ("anomaly_score: 12", r.ABNORMAL, False),
        ("anomaly score 61 (high)", r.ABNORMAL, False),
        ("Data download spike", r.ABNORMAL, True),
        ("Recipient: m.orlov@inboxly.example (consumer mail).", r.PERSONAL_DESTINATION, True),
        ("Mimecast Impersonation Protect - Monitor", r.IMPERSONATION, False),
        ("apiCalls: ListBuckets x1, ListObjectsV2 x43 (kat-supplier-quotes)", r.RECON, True),
        ("apiCalls: ListBuckets x1", r.RECON, False),
        ("type: Discovery:S3/MaliciousIPCaller.Custom", r.RECON, True),
    ],
)
def test_what_a_sentence_states(sentence, kind, stated):
    assert (kind in kinds(sentence)) is stated


@pytest.mark.parametrize(
    ("description", "records"),
    [
        ("Operation=ReportExported RowsProcessed=999 Format=xlsx", [999]),
        ("ReportEvent | RowsProcessed: 1,000 | QueriedEntities: Contact", [1000]),
        ("TransactionSecurityPolicy 'Large Report Export' (block at >= 1,000 rows)", []),
        ("DLP rule threshold: 5,000 records", []),
        ("Alert triggers at 500 rows; user exported 4,212 rows", [4212]),
    ],
)
def test_record_counts_and_limits(description, records):
    assert sorted(f.value for f in view(description).all(r.RECORDS)) == records


def test_a_display_name_of_the_senders_own_folded_domain():
    assert names_own_domain("Polar Optics Sales", "po1ar-optics.example")
    assert not names_own_domain("Polar Composites Billing", "po1ar-optics.example")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("baseline", "met"), [("1.9-2.3 GB per month-end run", False), ("40 MB per run", True)]
)
def test_a_baseline_stated_as_a_size(seed_playbook, ingest_alert_factory, baseline, met):
    answers = suggestions(
        ingest_alert_factory,
        title="Netskope UEBA: Large upload to sanctioned app",
        description='{"alert_name": "Large upload to sanctioned app", "app_tag": "Sanctioned", '
        f'"activity": "Upload", "file_size": "2.1 GB", "baseline_30d": "{baseline}", "anomaly_score": 12}}',
        observed_at=datetime(2026, 11, 30, 18, 20, tzinfo=UTC),
        technique_ids=["T1591.002"],
        observables=[("ip", "10.44.12.30", "source"), ("user", "svc-payroll-export", "user")],
    )
    assert (answers["exfiltration"]["answer"] == "checked") is met


@pytest.mark.django_db
@pytest.mark.parametrize(("target", "met"), [("10.44.200.21", False), ("10.44.7.9", True)])
def test_a_pentest_inside_the_scope_its_allow_list_entry_states(
    seed_playbook, ingest_alert_factory, target, met
):
    partner(
        name="Redoubt Security Testing",
        networks=["192.0.2.160/28"],
        contract_start=date(2026, 11, 16),
        contract_end=date(2026, 11, 30),
    )
    known_network(
        cidr="192.0.2.160/28",
        list="benign",
        label="Redoubt - authorised external pentest PT-2026-11 (scope: DMZ 10.44.200.0/24, extranet)",
    )
    answers = suggestions(
        ingest_alert_factory,
        title="PAN-OS THREAT: TCP Port Scan (8001)",
        description=f"THREAT,scan,192.0.2.166,{target},untrust-to-dmz,tcp,drop, 1,024 distinct dst ports in 40 s",
        observed_at=datetime(2026, 11, 24, 10, 9, tzinfo=UTC),
        technique_ids=["T1595.001"],
        observables=[("ip", "192.0.2.166", "source"), ("ip", target, "destination")],
    )
    assert answers["related_activity"]["answer"] == "yes"
    assert (answers["supply_chain_anomaly"]["answer"] == "checked") is met


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("paths", "met"),
    [
        ("cross-tenant directory enumeration, partner_id 0043..0160 requested in order", True),
        ("its own tenant's catalogue, pages 1..12 requested in order", False),
    ],
)
def test_a_partner_account_reading_other_tenants(seed_playbook, ingest_alert_factory, paths, met):
    partner(name="Skyline Parts Distribution", networks=["198.51.100.32/28"], contract_start=date(2025, 3, 1))
    answers = suggestions(
        ingest_alert_factory,
        title="Partner Extranet: directory access by partner account",
        description=f"user.name=sky-portal-ops (issued to Skyline Parts Distribution) {paths}, "
        "http.response.status_code=200, about 640 rows rendered.",
        observed_at=datetime(2026, 11, 25, 13, 20, tzinfo=UTC),
        technique_ids=["T1591.002"],
        observables=[("ip", "198.51.100.41", "source"), ("user", "sky-portal-ops", "user")],
    )
    assert (answers["supply_chain_anomaly"]["answer"] == "checked") is met


@pytest.mark.django_db
def test_a_homoglyph_claim_about_a_non_partner_forges_nothing(seed_playbook, ingest_alert_factory):
    partner(name="Polar Composites", domains=["polar-composites.example"], contract_start=date(2024, 2, 1))
    answers = suggestions(
        ingest_alert_factory,
        title="Mimecast Impersonation Protect: hit (monitor) - brand homoglyph",
        description="From: Polar Optics Sales <sales@po1ar-optics.example> | SPF pass, DKIM pass, DMARC pass | "
        "Identifiers: brand_homoglyph (po1ar-optics.example ~ polar-optics.example) | Action: deliver",
        observed_at=AT,
        technique_ids=["T1566"],
        observables=[("email", "sales@po1ar-optics.example", "sender"), ("ip", "192.0.2.77", "source")],
    )
    assert answers["lookalike_domain"]["answer"] == "no"
