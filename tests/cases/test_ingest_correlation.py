"""Correlation through the whole intake path (rules file, "Which alerts form one case")."""

from datetime import UTC, datetime, timedelta

import pytest

from cases.ingest.base import NativeAlert
from cases.models import Case, Observable
from cases.services.intake import ingest_alert, ingest_alerts
from cases.services.observables import observable_flag
from intel.lookup import invalidate
from intel.models import KnownNetwork
from playbooks.services import set_playbook_coverage

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def alert(ref, technique, *observables, at=T0, severity=2, title=None):
    return NativeAlert(
        source_ref=ref,
        title=title or f"{technique} alert {ref}",
        observed_at=at,
        severity=severity,
        technique_ids=[technique],
        observables=list(observables),
    )


@pytest.fixture
def covered(seed_playbook, manager):
    set_playbook_coverage(seed_playbook.playbook, ["T1656", "T1566", "T1110"], by=manager)
    return seed_playbook


def test_recon_then_brute_force_on_the_same_account_is_one_case_with_both_techniques(ingest_source, covered):
    source, _ = ingest_source
    recon = ingest_alert(source=source, alert=alert("r", "T1591.002", ("user", "m.keller", "user")))
    brute = ingest_alert(
        source=source,
        alert=alert(
            "b", "T1110.003", ("user", "m.keller", "user"), at=T0 + timedelta(minutes=30), severity=3
        ),
    )
    assert brute.case.pk == recon.case.pk
    case = Case.objects.get(pk=recon.case.pk)
    assert case.techniques == ["T1591.002", "T1110.003"] and case.alert_count == 2
    assert case.playbook_version == covered and case.correlation_group == "pb:T1591.002"


def test_phishing_then_web_alert_with_one_partner_lookalike_is_one_case(ingest_source, covered):
    source, _ = ingest_source
    mail = ingest_alert(
        source=source, alert=alert("m", "T1566.002", ("email", "accounts@nordwind-logistlcs.com", "sender"))
    )
    web = ingest_alert(
        source=source,
        alert=alert(
            "w", "T1656", ("domain", "nordwind-logistlcs.com", "declared"), at=T0 + timedelta(hours=3)
        ),
    )
    assert web.case.pk == mail.case.pk
    assert Case.objects.get(pk=mail.case.pk).techniques == ["T1566.002", "T1656"]


def test_without_coverage_other_techniques_stay_apart(ingest_source, seed_playbook):
    source, _ = ingest_source
    recon = ingest_alert(source=source, alert=alert("r", "T1591.002", ("user", "m.keller", "user")))
    brute = ingest_alert(source=source, alert=alert("b", "T1110.003", ("user", "m.keller", "user")))
    assert brute.case.pk != recon.case.pk
    assert Case.objects.get(pk=brute.case.pk).needs_playbook is True


def test_a_shared_nat_egress_never_merges_unrelated_alerts(ingest_source, covered):
    KnownNetwork.objects.create(cidr="198.51.100.0/28", list="benign", label="office NAT egress", shared=True)
    invalidate()
    source, _ = ingest_source
    results = ingest_alerts(
        source=source,
        alerts=[
            alert("a", "T1591.002", ("ip", "198.51.100.5", "source"), ("user", "alice", "user")),
            alert("b", "T1110.001", ("ip", "198.51.100.5", "source"), ("user", "bob", "user")),
            alert("c", "T1656", ("ip", "198.51.100.5", "source")),
        ],
    )
    assert len({r.case.pk for r in results}) == 3
    # The same address without the flag is a key like any other.
    KnownNetwork.objects.update(shared=False)
    invalidate()
    more = ingest_alerts(
        source=source,
        alerts=[
            alert("d", "T1591.002", ("ip", "198.51.100.5", "source")),
            alert("e", "T1110.001", ("ip", "198.51.100.5", "source")),
        ],
    )
    assert more[0].case.pk == more[1].case.pk


def test_an_observable_flagged_never_correlate_joins_no_case(ingest_source, covered, l1):
    """Two alerts sharing only a flagged value open two cases; unflagged, they join one."""
    source, _ = ingest_source
    first = ingest_alert(source=source, alert=alert("a", "T1591.002", ("ip", "203.0.113.40", "source")))
    proxy = Observable.objects.get(type="ip", value="203.0.113.40")
    observable_flag(case=first.case, observable=proxy, by=l1, never_correlate=True)
    second = ingest_alert(
        source=source,
        alert=alert("b", "T1110.001", ("ip", "203.0.113.40", "source"), at=T0 + timedelta(minutes=5)),
    )
    assert second.case.pk != first.case.pk
    # Within one batch the flag keeps alerts apart too.
    batch = ingest_alerts(
        source=source,
        alerts=[
            alert("c", "T1591.002", ("ip", "203.0.113.40", "source"), ("user", "carol", "user")),
            alert("d", "T1656", ("ip", "203.0.113.40", "source"), ("user", "dave", "user")),
        ],
    )
    assert len({r.case.pk for r in batch} | {first.case.pk, second.case.pk}) == 4
    # Another key they share still joins them: only the flagged value is ignored.
    joined = ingest_alert(
        source=source,
        alert=alert("e", "T1110.001", ("ip", "203.0.113.40", "source"), ("user", "carol", "user")),
    )
    assert joined.case.pk == batch[0].case.pk
    # Unflagged, the same address joins one case.
    observable_flag(case=first.case, observable=proxy, by=l1, never_correlate=False)
    third = ingest_alert(
        source=source,
        alert=alert("f", "T1656", ("ip", "203.0.113.40", "source"), at=T0 + timedelta(minutes=9)),
    )
    assert third.case.pk in {first.case.pk, second.case.pk, *(r.case.pk for r in batch)}


def test_a_ten_alert_internal_scan_is_one_case(ingest_source, seed_playbook):
    source, _ = ingest_source
    results = [
        ingest_alert(
            source=source,
            alert=alert(
                f"scan-{n}",
                "T1046",
                ("ip", f"10.0.3.{n + 1}", "destination"),
                ("hostname", "scanner01.corp.local", "source"),
                at=T0 + timedelta(minutes=n),
                title="Internal host sweeping ports",
            ),
        )
        for n in range(10)
    ]
    assert len({r.case.pk for r in results}) == 1
    assert Case.objects.get(pk=results[0].case.pk).alert_count == 10


def test_organisation_domains_and_mailboxes_never_join(ingest_source, covered, settings):
    settings.VIGIL_ORG_DOMAINS = ["example.com"]
    source, _ = ingest_source
    a = ingest_alert(
        source=source, alert=alert("a", "T1566.002", ("email", "ceo@example.com", "destination"))
    )
    b = ingest_alert(source=source, alert=alert("b", "T1656", ("domain", "portal.example.com", "declared")))
    c = ingest_alert(source=source, alert=alert("c", "T1656", ("domain", "portal.example.com", "declared")))
    assert len({a.case.pk, b.case.pk, c.case.pk}) == 3


def test_loopback_and_link_local_addresses_join_no_case(ingest_source, covered):
    """Endpoint agents list every interface of the host, loopback and fe80:: included: two
    hosts' alerts sharing only those are two cases."""
    source, _ = ingest_source
    shared = [("ip", "127.0.0.1", "declared"), ("ip", "::1", "declared"), ("ip", "fe80::1", "declared")]
    a = ingest_alert(source=source, alert=alert("a", "T1656", *shared, ("hostname", "ws01", "destination")))
    b = ingest_alert(source=source, alert=alert("b", "T1656", *shared, ("hostname", "ws02", "destination")))
    assert a.case.pk != b.case.pk
    c = ingest_alert(source=source, alert=alert("c", "T1656", *shared, ("hostname", "ws02", "destination")))
    assert c.case.pk == b.case.pk


def test_an_unknown_technique_is_kept_flagged_and_correlates_by_itself(ingest_source, covered):
    source, _ = ingest_source
    a = ingest_alert(source=source, alert=alert("a", "T9999.999", ("user", "m.keller", "user")))
    b = ingest_alert(source=source, alert=alert("b", "T9999.999", ("user", "m.keller", "user")))
    c = ingest_alert(source=source, alert=alert("c", "T1591.002", ("user", "m.keller", "user")))
    assert a.case.pk == b.case.pk != c.case.pk
    case = Case.objects.get(pk=a.case.pk)
    assert case.needs_playbook is True and case.unknown_techniques == ["T9999.999"]
    assert a.alert.flags == [{"code": "unknown_technique", "field": "technique", "detail": "T9999.999"}]


def test_the_case_page_and_api_show_the_unknown_technique_flag_and_all_techniques(
    ingest_source, covered, l1, client
):
    source, _ = ingest_source
    first = ingest_alert(source=source, alert=alert("a", "T1591.002", ("user", "m.keller", "user")))
    ingest_alert(
        source=source,
        alert=NativeAlert(
            source_ref="b",
            title="<b>odd</b>",
            observed_at=T0,
            technique_ids=["T1110.003", "T9999.999"],
            observables=[("user", "m.keller", "user")],
        ),
    )
    client.force_login(l1)
    page = client.get(f"/cases/{first.case.pk}/")
    assert page.status_code == 200
    assert b"Unknown technique T9999.999" in page.content
    assert b"T1591.002, T1110.003, T9999.999" in page.content
    data = client.get(f"/api/v1/cases/{first.case.pk}/").json()
    assert data["techniques"] == ["T1591.002", "T1110.003", "T9999.999"]
    assert data["flags"] == [{"code": "unknown_technique", "detail": "T9999.999"}]
    flagged = next(a for a in data["alerts"] if a["source_ref"] == "b")
    assert flagged["flags"] == [{"code": "unknown_technique", "field": "technique", "detail": "T9999.999"}]
