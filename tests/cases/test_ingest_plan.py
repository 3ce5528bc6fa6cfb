"""plan_intake and the key rules, without a database: every correlation rule by the table."""

from datetime import UTC, datetime, timedelta

import pytest

from cases.ingest.base import NativeAlert
from cases.services.intake.keys import ObservableFact, Route, is_key, key_ids, route
from cases.services.intake.plan import AlertInput, Candidate, plan_intake
from playbooks.coverage import Coverage

T0 = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
WINDOW = timedelta(hours=24)
SLA = {4: 15, 3: 60, 2: 240, 1: 1440}
SEED = Coverage("T1591.002", covers=("T1110", "T1566", "T1656"), version_id=7)
ORG = ["example.com"]
IDS: dict[tuple[str, str], int] = {}


def fact(type_, value, role="declared", **kw) -> ObservableFact:
    pk = IDS.setdefault((type_, value), len(IDS) + 1)
    return ObservableFact(pk, type_, value, role, **kw)


def item(ref, *facts, technique="T1591.002", at=T0, severity=2, coverage=(SEED,)) -> AlertInput:
    native = NativeAlert(
        source_ref=ref,
        title=f"alert {ref}",
        observed_at=at,
        severity=severity,
        technique_ids=[technique] if technique else [],
        observables=[(f.type, f.value, f.role) for f in facts],
    )
    return AlertInput(
        alert=native,
        facts=tuple(facts),
        route=route(native.technique_ids, coverage),
        keys=tuple(key_ids(facts, org_domains=ORG, internal_suffixes=["corp", "local"])),
    )


def plan(*items, candidates=()):
    return plan_intake(list(items), candidates=list(candidates), now=NOW, window=WINDOW, sla_minutes=SLA)


def case_count(p) -> int:
    return len(set(p.alert_cases))


def test_techniques_covered_by_one_playbook_share_a_group():
    assert route(["T1110.003"], [SEED]) == route(["T1656"], [SEED]) == Route("pb:T1591.002", "T1591.002")
    assert route(["T1046"], [SEED]) == Route("t:T1046", "")
    assert route(["T9999.999"], [SEED]) == Route("t:T9999.999", "")  # unknown: never covered
    assert route([], [SEED]) == Route("t:", "")


def test_recon_then_brute_force_on_one_account_is_one_case_listing_both_techniques():
    p = plan(
        item("recon", fact("user", "m.keller", "user"), technique="T1591.002"),
        item("brute", fact("user", "m.keller", "user"), technique="T1110.003", at=T0 + timedelta(minutes=20)),
    )
    assert case_count(p) == 1
    (case,) = p.new_cases
    assert case.techniques == ["T1591.002", "T1110.003"] and case.alert_count == 2
    assert case.playbook_technique == "T1591.002"


def test_techniques_no_playbook_covers_correlate_only_by_technique():
    user = fact("user", "svc-backup", "user")
    p = plan(
        item("a", user, technique="T1046"),
        item("b", user, technique="T1059"),
        item("c", user, technique="T1046"),
    )
    assert p.alert_cases[0] == p.alert_cases[2] != p.alert_cases[1]


def test_a_covered_and_an_uncovered_technique_never_join():
    user = fact("user", "m.keller", "user")
    p = plan(item("a", user, technique="T1591.002"), item("b", user, technique="T1046"))
    assert case_count(p) == 2


def test_mail_then_web_alert_with_one_lookalike_domain_is_one_case():
    # NativeAlert adds the sender's domain as an observable of its own (cases.ingest.base).
    p = plan(
        item(
            "mail",
            fact("email", "a@nordwind-logistlcs.com", "sender"),
            fact("domain", "nordwind-logistlcs.com", "sender"),
            technique="T1566.002",
        ),
        item("web", fact("domain", "nordwind-logistlcs.com"), technique="T1656"),
    )
    assert case_count(p) == 1


@pytest.mark.parametrize(
    ("observable", "key"),
    [
        (fact("ip", "10.1.2.3", "destination", internal=True), True),
        (fact("ip", "203.0.113.9", "source"), True),
        (fact("ip", "198.51.100.1", "source", shared=True), False),
        (fact("ip", "203.0.113.11", "source", never_correlate=True), False),
        (fact("user", "svc-backup", "user", never_correlate=True), False),
        (fact("ip", "203.0.113.10", "extracted"), False),
        (fact("user", "m.keller", "user"), True),
        (fact("email", "ceo@example.com", "destination"), False),
        (fact("email", "x@partner.net", "sender"), True),
        (fact("domain", "mail.example.com"), False),
        (fact("domain", "example.com.evil.net"), True),
        (fact("hostname", "scanner01"), True),
        (fact("hostname", "ws12.corp"), True),
        (fact("hostname", "intranet.example.com"), True),
        (fact("hostname", "www.partner.net"), False),
        (fact("url", "https://www.partner.net/x"), False),
        (fact("hash", "d41d8cd98f00b204e9800998ecf8427e"), False),
        (fact("cidr", "10.0.0.0/8", internal=True), False),
        # Addresses every host has name none of them.
        (fact("ip", "127.0.0.1", "destination", internal=True), False),
        (fact("ip", "::1", "source", internal=True), False),
        (fact("ip", "fe80::1c2a:5ff:fe3b:7d10", "destination", internal=True), False),
        (fact("ip", "0.0.0.0", "source"), False),  # noqa: S104 (an address, not a bind)
        (fact("ip", "0.111.222.10", "source"), False),  # "this network" (a redacted 000.111.222.10)
        (fact("hostname", "localhost", "destination"), False),
        (fact("hostname", "localhost.localdomain", "destination"), False),
        (fact("ip", "224.0.0.251", "destination"), False),
        (fact("ip", "169.254.169.254", "destination", internal=True), True),
    ],
)
def test_key_entities_follow_the_rules_file(observable, key):
    assert is_key(observable, org_domains=ORG, internal_suffixes=("corp", "local")) is key


def test_an_internal_scan_of_ten_addresses_from_one_host_is_one_case():
    scanner = fact("hostname", "scanner01.corp.local", "source")
    items = [
        item(f"scan-{n}", scanner, fact("ip", f"10.0.0.{n}", "destination", internal=True), technique="T1046")
        for n in range(10)
    ]
    p = plan(*items)
    assert case_count(p) == 1 and p.new_cases[0].alert_count == 10


def test_shared_infrastructure_never_joins_unrelated_alerts():
    nat = fact("ip", "198.51.100.1", "source", shared=True)
    p = plan(item("a", nat, fact("user", "alice", "user")), item("b", nat, fact("user", "bob", "user")))
    assert case_count(p) == 2


def stored_case(**kw) -> Candidate:
    values = {
        "id": 41,
        "group": "pb:T1591.002",
        "technique_id": "T1591.002",
        "techniques": ["T1591.002"],
        "severity": 2,
        "alert_count": 3,
        "first_observed_at": T0 - timedelta(hours=2),
        "last_observed_at": T0 - timedelta(hours=1),
        "opened_at": T0 - timedelta(hours=2),
        "acknowledged_at": None,
        "sla_due_at": T0 + timedelta(hours=2),
        "keys": frozenset({IDS.setdefault(("user", "m.keller"), len(IDS) + 1)}),
    }
    values.update(kw)
    return Candidate(**values)


def test_joining_a_stored_case_raises_severity_and_brings_the_sla_forward():
    p = plan(
        item("j", fact("user", "m.keller", "user"), technique="T1110.001", severity=4),
        candidates=[stored_case()],
    )
    assert p.alert_cases == [41] and not p.new_cases
    (case,) = p.joined_cases
    assert case.severity == 4 and case.alert_count == 4
    assert case.sla_due_at == case.opened_at + timedelta(minutes=15)
    assert case.techniques == ["T1591.002", "T1110.001"]
    assert [(e.verb, e.data) for e in p.events] == [
        ("severity_raised", {"from": 2, "to": 4}),
        ("alert_joined", {}),
    ]


def test_a_claimed_case_keeps_its_sla_and_an_old_case_outside_the_window_is_not_joined():
    claimed = stored_case(acknowledged_at=T0 - timedelta(minutes=30))
    p = plan(item("j", fact("user", "m.keller", "user"), severity=4), candidates=[claimed])
    assert p.joined_cases[0].sla_due_at == claimed.sla_due_at
    late = item("late", fact("user", "m.keller", "user"), at=T0 + timedelta(hours=26))
    p = plan(late, candidates=[stored_case()])
    assert p.alert_cases == [-1] and [e.verb for e in p.events] == ["created", "alert_joined"]


def test_the_most_recently_active_candidate_wins():
    older = stored_case(id=40, last_observed_at=T0 - timedelta(hours=3))
    newer = stored_case(id=39, last_observed_at=T0 - timedelta(minutes=5))
    p = plan(item("j", fact("user", "m.keller", "user")), candidates=[older, newer])
    assert p.alert_cases == [39]


def test_a_new_case_opens_with_the_sla_of_its_severity_from_now():
    p = plan(item("n", fact("user", "new-user", "user"), severity=3))
    (case,) = p.new_cases
    assert case.opened_at == NOW and case.sla_due_at == NOW + timedelta(minutes=60)
    assert case.group == "pb:T1591.002" and case.links == {IDS[("user", "new-user")]: [T0, T0]}
