"""Readings a sixth author's labelled incidents (written from the rules file alone, after the
fifth set's fixes) found wrong: a zero after a word ("since: 0") denies, "recipients: 38" and
"38 Kestrel Ridge mailboxes" count recipients, consumer-domain recipients are personal
destinations, a clone or GetObject is a download, credentials used from outside are a
sign-in, an outcome field beside a sign-in event is its outcome, a product named for what it
guards against states nothing, "verdict: allowed" is clean, a routine's previous runs and
stated hours are its baseline, refused access is no partner access, a reply to an impostor
goes to the attacker, a cloud service endpoint is no attribution entity, and the text's
"partner-issued, X" names an account's owner.
"""

from datetime import UTC, date, datetime

import pytest

from enrichment.assistant import alert_reading as r
from enrichment.assistant.criteria import within_hours
from enrichment.assistant.facts import cloud_service

from .support import partner, suggestions
from .test_wording_outside_set import AT, kinds, view


@pytest.mark.parametrize(
    ("sentence", "kind", "stated"),
    [
        ("reason=LOCKED_OUT | successful sign-ins since: 0", r.LOGIN_SUCCESS, False),
        ("Sign-in success ResultType=0", r.LOGIN_SUCCESS, True),  # a code's zero denies nothing
        ("Credentials of instance i-0abc12 (kr-portal) used outside AWS", r.LOGIN_SUCCESS, True),
        ("Recipients=j.vance@postbox.test (consumer domain; not in contacts)", r.PERSONAL_DESTINATION, True),
        ("2,311 GetObject (1.1 GiB)", r.TRANSFER, True),
        ("Barracuda Email Protection - Impersonation Protection", r.IMPERSONATION, False),
        ("Sender impersonating our CFO", r.IMPERSONATION, True),
        ("Abnormal Security", r.ABNORMAL, False),
        ("Abnormal download volume for account", r.ABNORMAL, True),
        ("Verdict: Allowed (known vendor relationship)", r.CLEAN, True),
        ("12-month context: previous runs 4 052, 4 087, 4 101 records", r.NORMAL, True),
        ("1,240 ListObjectsV2 across all 37 prefixes of s3://kr-contracts", r.RECON, True),
    ],
)
def test_what_a_sentence_states(sentence, kind, stated):
    assert (kind in kinds(sentence)) is stated


@pytest.mark.parametrize(
    ("description", "recipients"),
    [
        ("Recipients: 38 Kestrel Ridge mailboxes between 14:11 and 14:20 UTC", [38]),
        ("recipients=41", [41]),
        ("Reminder sent in 2026 to all recipients", []),  # a year is no count
    ],
)
def test_recipient_counts(description, recipients):
    assert sorted(f.value for f in view(description).all(r.RECIPIENTS)) == recipients


def test_a_sign_in_outcome_given_as_its_own_field():
    found = view(
        "eventType=user.session.start | outcome.result=SUCCESS", title="Okta: User sign-in from new device"
    )
    assert found.has(r.LOGIN_SUCCESS)
    assert not view("eventType=policy.evaluate | outcome.result=SUCCESS", title="Policy evaluated").has(
        r.LOGIN_SUCCESS
    )


@pytest.mark.parametrize(
    ("hour", "start", "end", "within"), [(1, 8, 17, False), (9, 8, 17, True), (23, 22, 6, True)]
)
def test_hour_windows(hour, start, end, within):
    assert within_hours(hour, start, end) is within


def test_cloud_service_endpoints():
    assert cloud_service("s3.amazonaws.com") and cloud_service("amazonaws.com")
    assert not cloud_service("notamazonaws.com")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("history", "met"), [("previous runs 4 052, 4 087, 4 101 records", False), ("", True)]
)
def test_a_stated_routine_explains_a_detections_volume_claim(
    seed_playbook, ingest_alert_factory, history, met
):
    partner(name="Tessaract Payroll", networks=["198.51.100.48/29"], contract_start=date(2025, 1, 1))
    answers = suggestions(
        ingest_alert_factory,
        title="Anomalous data transfer volume to third party (UEBA)",
        description=f"ActivityType=SFTP download | Records=4 120 | Reason: 'volume spike vs 7-day baseline' | {history}",
        observed_at=datetime(2026, 11, 30, 18, 5, tzinfo=UTC),
        technique_ids=["T1591.002"],
        observables=[("ip", "198.51.100.49", "source"), ("user", "svc-tessaract-sftp", "user")],
    )
    assert (answers["exfiltration"]["answer"] == "checked") is met


@pytest.mark.django_db
@pytest.mark.parametrize(("hour", "met"), [(1, True), (10, False)])
def test_a_routines_stated_hours(seed_playbook, ingest_alert_factory, hour, met):
    partner(name="Norrland Reagents", networks=["198.51.100.64/28"], contract_start=date(2026, 10, 1))
    answers = suggestions(
        ingest_alert_factory,
        title="CloudTrail Insights: ApiCallRateInsight on s3:GetObject",
        description='{"eventSource":"s3.amazonaws.com"} | 4,212 GetObject, bytesTransferredOut~3.9 GB | '
        "Normal pattern: ~35 objects per 5 min during 08:00-17:00 UTC.",
        observed_at=datetime(2026, 11, 14, hour, 20, tzinfo=UTC),
        technique_ids=["T1591.002"],
        observables=[("ip", "198.51.100.71", "source"), ("user", "partner-norrland-ingest", "user")],
    )
    assert (answers["exfiltration"]["answer"] == "checked") is met
    assert answers["partner_match"]["answer"] == "yes"  # s3.amazonaws.com is no third party


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "met"),
    [
        ("http_status=401 | reason=certificate revoked (rejected)", False),
        ("http_status=200 | 14 documents downloaded", True),
    ],
)
def test_refused_access_is_no_partner_access(seed_playbook, ingest_alert_factory, outcome, met):
    partner(
        name="Miravel Packaging",
        networks=["203.0.113.64/28"],
        contract_start=date(2020, 1, 1),
        contract_end=date(2026, 10, 31),
    )
    answers = suggestions(
        ingest_alert_factory,
        title="EDI - Inbound AS2 connection",
        description=f"src=203.0.113.69 | dest=as2.kestrelridge.example | {outcome}",
        observed_at=datetime(2026, 11, 3, 6, 40, tzinfo=UTC),
        technique_ids=["T1078"],
        observables=[("ip", "203.0.113.69", "source")],
    )
    assert (answers["supply_chain_anomaly"]["answer"] == "checked") is met


@pytest.mark.django_db
def test_a_reply_with_data_to_an_impostor_goes_to_the_attacker(seed_playbook, ingest_alert_factory):
    answers = suggestions(
        ingest_alert_factory,
        title="Abnormal Security: VIP impersonation (Business Email Compromise)",
        description='Impersonated party: VIP (CEO) | From: "Ingrid Solberg (CEO)" <ingrid.ceo@mailhub.test> | '
        "Post-delivery: recipient replied with attachment Open_AP_Vendors_Nov.xlsx (312 rows) to ingrid.ceo@mailhub.test",
        observed_at=AT,
        technique_ids=["T1566"],
        observables=[("email", "ingrid.ceo@mailhub.test", "sender"), ("ip", "203.0.113.172", "source")],
    )
    assert answers["exfiltration"]["answer"] == "checked"


@pytest.mark.django_db
def test_the_text_names_an_accounts_issuingpartner(seed_playbook, ingest_alert_factory):
    partner(name="Fenwick & Auer LLP", networks=["192.0.2.96/28"], contract_start=date(2022, 2, 1))
    answers = suggestions(
        ingest_alert_factory,
        title="Okta: User sign-in from new device",
        description="eventType=user.session.start | outcome.result=SUCCESS | "
        "actor.alternateId=fa.jmorales (partner-issued, Fenwick & Auer LLP - outside counsel)",
        observed_at=AT,
        technique_ids=["T1078"],
        observables=[("ip", "203.0.113.228", "source"), ("user", "fa.jmorales", "user")],
    )
    assert answers["supply_chain_anomaly"]["answer"] == "checked"
