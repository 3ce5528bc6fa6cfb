"""Concepts the blind set (tests/enrichment/scenarios_blind/) found missing, one at a time,
each with the phrasings that state it and the look-alike sentences that must not: a
numeral zero denies, a user's report or a clean verdict is no fraud, off-hours is timing
and not volume, periodic monitoring is no burst, a file name is no domain.
"""

from datetime import UTC, datetime, timedelta

import pytest

from enrichment.assistant import alert_reading as r
from enrichment.assistant.facts import AlertView, looks_like_file_name
from enrichment.assistant.patterns import burst_weight

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def view(description="", *, title="Alert", raw=None, minutes=0) -> AlertView:
    alert = AlertView(
        id=1,
        observed_at=AT + timedelta(minutes=minutes),
        title=title,
        description=description,
        tags=[],
        raw=raw or {},
        technique_id="T1591.002",
    )
    alert.facts = r.read(alert)
    return alert


def kinds(description="", **kwargs) -> set[str]:
    return {f.kind for f in view(description, **kwargs).facts}


@pytest.mark.parametrize(
    "sentence",
    [
        "46 distinct accounts failed sign-in in 30 minutes; 0 successful sign-ins from this address.",
        "Spray from 203.0.113.9: 0 sign-ins succeeded.",
        "None of the attempts led to a successful login.",
    ],
)
def test_a_numeral_zero_denies_a_success(sentence):
    assert r.LOGIN_SUCCESS not in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "After 10 failures the user signed in successfully from 203.0.113.9.",
        "Agent 2.0 logged in to the portal.",
        "Host 10.0.0.0 signed in to the VPN.",
    ],
)
def test_a_zero_inside_a_number_or_address_denies_nothing(sentence):
    assert r.LOGIN_SUCCESS in kinds(sentence)


@pytest.mark.parametrize(
    "title",
    [
        "Email reported by user as phish",
        "Message reported as spam by a recipient",
        "User-reported message from external sender",
        "Phishing report submitted via Report Message add-in",
    ],
)
def test_a_users_report_names_phishing_without_finding_it(title):
    assert r.FRAUD not in kinds("", title=title)


@pytest.mark.parametrize(
    "sentence",
    [
        "Email messages containing phishing URL removed after delivery.",
        "Credential-harvest page linked from the message.",
        "Sandbox detonation: malicious attachment.",
    ],
)
def test_found_phishing_is_still_fraud(sentence):
    assert r.FRAUD in kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Automated investigation: SPF=pass. Verdict: no threats found.",
        "Classified as clean by the analyst.",
        "Closed as false positive.",
    ],
)
def test_clean_verdicts(sentence):
    assert r.CLEAN in kinds(sentence)


@pytest.mark.parametrize(
    "title",
    [
        "Sign-in outside business hours by third-party service account",
        "Partner login after working hours",
        "Off-hours access to the supplier portal",
    ],
)
def test_off_hours_is_timing_not_an_abnormal_volume(title):
    found = kinds("", title=title)
    assert r.OFF_HOURS in found
    assert r.ABNORMAL not in found


def test_a_volume_above_baseline_is_still_abnormal():
    assert r.ABNORMAL in kinds("Exported 48,000 records, far above its usual daily pull.")


@pytest.mark.parametrize(
    "sentence",
    [
        "One GET /partners/status every 60 seconds (UptimeRobot/2.0), all 200.",
        "Synthetic monitor checks the login page once a minute.",
        "Load-balancer health checks from the monitoring VLAN.",
        "Heartbeat from the EDI gateway.",
    ],
)
def test_periodic_monitoring_wording(sentence):
    assert r.PERIODIC in kinds(sentence)


def test_a_periodic_monitor_counts_once_in_a_burst():
    monitor = view(
        "1,440 requests in 24 h, one GET /partners/status every 60 seconds.",
        raw={"result": {"count": "1440"}},
    )
    assert burst_weight(monitor) == 1


def test_a_count_of_exported_rows_counts_once_in_a_burst():
    export = view("Export all suppliers: 4,212 supplier rows written.", raw={"result": {"count": "4212"}})
    assert burst_weight(export) == 1
    rounded = view("Export all suppliers: 4.2k supplier rows written.", raw={"result": {"count": "4212"}})
    assert burst_weight(rounded) == 1
    other = view("Export of 40 supplier rows.", raw={"result": {"count": "4212"}})
    assert burst_weight(other) == 4212


def test_a_count_of_requests_weighs_in_a_burst():
    scrape = view(
        "186 requests to /partners/* from 203.0.113.77.", raw={"kibana.alert.suppression.docs_count": 186}
    )
    assert burst_weight(scrape) == 186


@pytest.mark.parametrize(
    ("name", "is_file"),
    [
        ("payslips_test_batch.zip", True),
        ("supplier_master.csv", True),
        ("holiday.mov", True),
        ("helvetia-logistik.ch", False),
        ("xn--meridinbank-3ij.com", False),
        ("docs-viewer.top", False),
    ],
)
def test_a_file_name_is_no_domain(name, is_file):
    assert looks_like_file_name(name) is is_file
