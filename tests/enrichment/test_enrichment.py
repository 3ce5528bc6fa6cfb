"""Each enricher on its own: verdicts, details, bad input, query counts."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from cases.models import Observable
from enrichment import lookalike_domain, partner_match
from enrichment import services as enrichment
from enrichment.base import Context
from enrichment.events import event_count, is_failed_login
from intel import services

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def obs(type_, value, pk=None):
    return SimpleNamespace(pk=pk, type=type_, value=value)


def ctx(**kwargs):
    return Context(observed_at=kwargs.pop("at", AT), **kwargs)


@pytest.fixture
def partners():
    services.partner_create(
        by=None,
        name="Northwind Traders",
        domains=["northwind-traders.com"],
        networks=["198.51.100.0/26"],
        contract_start=date(2026, 1, 1),
        contract_end=date(2026, 12, 31),
    )
    services.partner_create(by=None, name="Acme", domains=["acme.io"])


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (date(2025, 12, 31), "not_started"),
        (date(2026, 1, 1), "active"),
        (date(2026, 12, 31), "active"),
        (date(2027, 1, 1), "expired"),
    ],
)
def test_contract_status_at_the_alerts_time(partners, day, status):
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    found = partner_match.enrich(obs("ip", "198.51.100.9"), ctx(at=at))
    assert found["verdict"] == "partner"
    assert found["partners"][0]["contract_status"] == status
    assert found["partners"][0]["matched_by"] == "network 198.51.100.0/26"


def test_partner_matched_by_email_url_and_subdomain(partners):
    for type_, value in [
        ("email", "ap@northwind-traders.com"),
        ("url", "https://portal.northwind-traders.com/x?y=1"),
        ("domain", "mail.northwind-traders.com"),
    ]:
        found = partner_match.enrich(obs(type_, value), ctx())
        assert found["partners"][0]["name"] == "Northwind Traders", value
    acme = partner_match.enrich(obs("domain", "acme.io"), ctx())
    assert acme["partners"][0]["contract_status"] == "no_contract"
    assert partner_match.enrich(obs("domain", "northwind-traders.com.evil.net"), ctx())["verdict"] == "none"


@pytest.mark.parametrize(
    ("value", "technique"),
    [
        ("ap@northwind-tradres.com", "edit_distance"),
        ("ap@n\u043erthwind-traders.com", "homoglyph"),
        ("ap@xn--nrthwind-traders-mkn.com", "homoglyph"),
        ("ap@northwind-traders.net", "tld_swap"),
        ("ap@northwind-traders-billing.com", "added_word_or_hyphen"),
        ("ap@northwindtraders.com", "added_word_or_hyphen"),
        ("ceo@examp1e.com", "homoglyph"),
        ("ceo@example.co", "tld_swap"),
    ],
)
def test_lookalikes_of_partner_and_org_domains(partners, settings, value, technique):
    settings.VIGIL_ORG_DOMAINS = ["example.com"]
    kind = "url" if value.startswith("http") else "email"
    found = lookalike_domain.enrich(obs(kind, value), ctx())
    assert found["verdict"] == "lookalike", found
    assert technique in {t for f in found["lookalikes"] for t in f["techniques"]}


@pytest.mark.parametrize(
    "value",
    [
        "ap@northwind-traders.com",
        "x@eu.northwind-traders.com",
        "ceo@example.com",
        "a@northwind-logistics.com",  # shares a prefix only
        "a@contoso.com",
    ],
)
def test_genuine_and_unrelated_domains_are_not_lookalikes(partners, settings, value):
    settings.VIGIL_ORG_DOMAINS = ["example.com"]
    assert lookalike_domain.enrich(obs("email", value), ctx())["verdict"] in ("legitimate", "clean")


def test_unparseable_values_are_unknown_with_a_reason():
    for type_, value in [
        ("ip", "999.1.2.3"),
        ("email", "no-at-sign"),
        ("url", "http://[bad"),
        ("cidr", "x/33"),
    ]:
        results = enrichment.enrich_value(obs(type_, value), ctx())
        assert results, type_
        judged = [
            r for key, r in results.items() if key in ("ip_reputation", "lookalike_domain", "partner_match")
        ]
        assert judged and all(r["verdict"] == "unknown" and r["reason"] for r in judged), results


def test_an_enricher_that_raises_is_recorded_not_propagated(monkeypatch):
    def boom(observable, context):
        raise KeyError("oops")

    specs = tuple(
        enrichment.Spec(s.key, s.types, boom) if s.key == "lookalike_domain" else s for s in enrichment.SPECS
    )
    monkeypatch.setattr(enrichment, "SPECS", specs)
    results = enrichment.enrich_value(obs("domain", "example.org"), ctx())
    assert results["lookalike_domain"] == {
        "verdict": "unknown",
        "summary": "could not evaluate: KeyError",
        "reason": "could not evaluate: KeyError",
    }


def test_event_counts_and_failed_login_recognition():
    assert event_count({"kibana.alert.suppression.docs_count": 186}) == 186
    assert event_count({"result": {"count": "420"}}) == 420
    assert event_count({"raw": {"count": 7}}) == 7  # a native alert keeps the sender's raw inside
    assert event_count({}, "186 requests to /partners/*") == 186
    assert event_count({"count": "lots"}) == 1
    assert is_failed_login("Failed login for admin")
    assert is_failed_login("SSH authentication failure from 1.2.3.4")
    assert is_failed_login("x", tags=["brute-force"])
    assert is_failed_login("x", raw={"event": {"outcome": "failure", "category": ["authentication"]}})
    assert is_failed_login("x", raw={"rule": {"groups": ["syslog", "authentication_failed"]}})
    assert is_failed_login("x", raw={"class_uid": 3002, "status_id": 2})
    assert not is_failed_login("Successful login", raw={"event": {"outcome": "success"}})
    assert not is_failed_login(
        "Partner directory scraping", raw={"event": {"outcome": "failure", "category": ["web"]}}
    )


def test_login_patterns_and_related_activity_are_scoped_to_the_case(
    seed_playbook, ingest_alert_factory, settings
):
    from cases.models import CaseObservable
    from enrichment import assistant

    settings.VIGIL_STUFFING_MIN_ACCOUNTS = 4
    settings.VIGIL_BRUTE_FORCE_MIN_FAILURES = 5
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    last = None
    for i in range(5):
        last = ingest_alert_factory(
            title="Failed login on portal",
            observed_at=start + timedelta(minutes=2 * i),
            observables=[("ip", "198.51.100.99", "source"), ("user", f"u{i}", "user")],
        )
    assistant.refresh_case(case_id=last.case.pk)
    # The same address three days later, beyond the correlation window: another case.
    later = ingest_alert_factory(
        title="Partner directory viewed",
        observed_at=start + timedelta(days=3),
        observables=[("ip", "198.51.100.99", "source")],
    )
    assert later.case.pk != last.case.pk
    assistant.refresh_case(case_id=later.case.pk)

    def evidence(case, value):
        return CaseObservable.objects.get(case=case, observable__value=value).enrichment

    ip = evidence(last.case, "198.51.100.99")
    assert ip["login_pattern"]["verdict"] == "credential_stuffing"
    assert ip["related_activity"]["verdict"] == "burst"
    assert ip["related_activity"]["alerts"] == 5
    assert evidence(last.case, "u4")["login_pattern"]["verdict"] == "failed_logins"
    # The later case describes its own single alert, not the earlier case's five.
    other = evidence(later.case, "198.51.100.99")
    assert other["related_activity"]["verdict"] == "isolated"
    assert other["related_activity"]["alerts"] == 1
    assert "login_pattern" not in other
    # What is true of the address everywhere stays on the observable.
    enrichment.alert_enrich(alert_id=later.alert.pk)
    shared = Observable.objects.get(type="ip", value="198.51.100.99").enrichment
    assert set(shared) == {"ip_reputation", "partner_match"}


def test_enriching_an_alert_takes_a_constant_number_of_queries(
    seed_playbook, ingest_alert_factory, django_assert_max_num_queries
):
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    results = [
        ingest_alert_factory(
            title="Failed login",
            observed_at=start + timedelta(minutes=i),
            observables=[
                ("ip", "198.51.100.98", "source"),
                ("user", f"v{i}", "user"),
                ("email", f"v{i}@northwind-traders.com", "sender"),
                ("url", f"https://x{i}.example.org/a", "declared"),
            ],
        )
        for i in range(12)
    ]
    enrichment.alert_enrich(alert_id=results[0].alert.pk)  # warm the reference index
    with django_assert_max_num_queries(14):
        enrichment.alert_enrich(alert_id=results[-1].alert.pk)
    assert Observable.objects.filter(enriched_at__isnull=False).count() >= 4


def test_a_tld_swap_of_a_short_partner_domain_is_flagged(partners):
    found = lookalike_domain.enrich(obs("email", "billing@acme.com"), ctx())
    assert found["verdict"] == "lookalike"
    assert found["lookalikes"][0]["imitates"] == "acme.io"
