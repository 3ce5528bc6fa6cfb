"""Readings a fifth author's labelled incidents (written from the rules file alone, after the
fourth set's fixes) found wrong: a zero written as a fact's value denies it, a field's name
is no statement, a clone is a download, a count of rows processed is a record count,
successful reads of objects by id are records read, "to external free-mail" is a personal
destination, "all paths public" serves only public pages, a product's lookalike claim about
a registered partner domain forges nothing, and a flow summary that kept no peer records no
origin.
"""

from datetime import UTC, date, datetime

import pytest

from enrichment.assistant import alert_reading as r

from .support import suggestions
from .test_wording_outside_set import AT, kinds, view


@pytest.mark.parametrize(
    ("sentence", "kind", "stated"),
    [
        ("target count: 27 unique users | successful authentications: 0", r.LOGIN_SUCCESS, False),
        ("target count: 27 unique users | successful authentications: 3", r.LOGIN_SUCCESS, True),
        ("scanner=Threat Intelligence / anomaly: unusual unload volume", r.RECON, False),
        ("events: api.request GET /orgs/krtx/repos?page=1..5", r.RECON, True),
        ("Port scan of 2,048 ports from 203.0.113.5", r.RECON, True),
        ("CLIENT=Browser (Chrome 131, new device)", r.CONFIDENTIAL, False),
        ("client.ipAddress=203.0.113.203", r.CONFIDENTIAL, False),
        ('REPORT_NAME="Supplier Contacts - All Regions"', r.CONFIDENTIAL, True),
        ("git.clone x41 (private: 39), bytes ~2.3 GB", r.TRANSFER, True),
        ('Workbench alert "Email forwarding rule to external free-mail"', r.PERSONAL_DESTINATION, True),
        ("Blocked a message from a free-mail sender", r.PERSONAL_DESTINATION, False),
        ("status=200,200,200 | all paths public, no authentication", r.PUBLIC_ONLY, True),
    ],
)
def test_what_a_sentence_states(sentence, kind, stated):
    assert (kind in kinds(sentence)) is stated


@pytest.mark.parametrize(
    ("description", "records"),
    [
        ("EventType=ReportExport | ROWS_PROCESSED=3,912 | FORMAT=csv", [3912]),
        ("uri=/api/v2/suppliers/{id} | id range 10001-14300 | response_code 200=4212, 404=88", [4212]),
        ("GET /v1/orders/:id sequentially | 1,350 requests returned 200", [1350]),
        # Successful responses that read no object by id are no records.
        ("uri=/login | response_code 200=4212, 401=88", []),
    ],
)
def test_record_counts(description, records):
    assert [f.value for f in view(description).all(r.RECORDS)] == records


@pytest.mark.django_db
@pytest.mark.parametrize(("responses", "met"), [("200=4212, 404=88", True), ("401=4300", False)])
def test_objects_read_by_id_are_records_out(seed_playbook, ingest_alert_factory, responses, met):
    answers = suggestions(
        ingest_alert_factory,
        title="F5 Advanced WAF: Web Scraping / parameter enumeration on /api/v2/suppliers",
        description=f"ip_client=198.51.100.150 | uri=/api/v2/suppliers/{{id}} | id range 10001-14300 ascending | "
        f"response_code {responses} | records returned: supplier name, primary contact, remit-to bank.",
        observed_at=AT,
        technique_ids=["T1595"],
        observables=[("ip", "198.51.100.150", "source")],
    )
    assert (answers["exfiltration"]["answer"] == "checked") is met


@pytest.mark.django_db
def test_a_lookalike_claim_about_a_registered_partner_domain_forges_nothing(
    seed_playbook, ingest_alert_factory
):
    from intel import services

    services.partner_create(
        by=None,
        name="Vantress Clinical Research",
        domains=["vantress.example", "vantress-cro.example"],
        networks=["198.51.100.32/28"],
        contract_start=date(2026, 11, 16),
        criticality="critical",
    )
    answers = suggestions(
        ingest_alert_factory,
        title="Check Point Harmony Email: Suspected lookalike sender domain",
        description="detection=Anti-Phishing: lookalike domain (similar to 'vantress.example', confidence 0.61) | "
        "from=study-ops@vantress-cro.example | SPF=pass DKIM=pass DMARC=pass | action=Delivered.",
        observed_at=datetime(2026, 11, 25, 10, 30, tzinfo=UTC),
        technique_ids=["T1566"],
        observables=[
            ("ip", "198.51.100.40", "source"),
            ("email", "study-ops@vantress-cro.example", "sender"),
        ],
    )
    assert answers["lookalike_domain"]["answer"] == "no"
    assert answers["sensitive_partner"]["answer"] == "unchecked"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("flows", "answer"),
    [
        ("NetFlow summary (peer addresses not retained)", "unknown"),
        ("NetFlow summary, peer 203.0.113.9", "no"),
    ],
)
def test_a_flow_summary_that_kept_no_peer_records_no_origin(
    seed_playbook, ingest_alert_factory, flows, answer
):
    answers = suggestions(
        ingest_alert_factory,
        title="LogRhythm AIE: Outbound data volume anomaly from sensitive server",
        description=f"Origin Host=kr-fs-legal02 | Bytes Out=3.4 GB in 2h | 30-day baseline=120 MB/2h | Source: {flows}.",
        observed_at=AT,
        technique_ids=["T1591.002"],
        observables=[("hostname", "kr-fs-legal02", "source")]
        + ([("ip", "203.0.113.9", "destination")] if answer == "no" else []),
    )
    assert answers["related_activity"]["answer"] == answer
