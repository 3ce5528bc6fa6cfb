"""The intake service: idempotency, correlation, case opening, steps, timeline, dispatch."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.ingest.base import InvalidAlert, NativeAlert
from cases.models import Alert, Case, CaseEvent, CaseObservable, CaseStep, IngestSource, Observable
from cases.services.intake import ingest_alert, ingest_alerts

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 4, 13, 41, 7, tzinfo=UTC)


def native(ref="a-1", **kw):
    values = {
        "source_ref": ref,
        "title": "Partner directory burst",
        "observed_at": T0,
        "severity": 2,
        "technique_ids": ["T1591.002"],
        "observables": [("ip", "203.0.113.77", "source"), ("user", "m.keller", "user")],
    }
    values.update(kw)
    return NativeAlert(**values)


def test_new_alert_opens_a_case_pinned_to_the_playbook_with_one_step_per_item(ingest_source, seed_playbook):
    source, _ = ingest_source
    result = ingest_alert(source=source, alert=native())
    case = result.case
    assert result.created is True
    assert case.reference == f"CASE-{case.opened_at.year}-{case.pk:06d}"
    assert case.playbook_version == seed_playbook
    assert case.needs_playbook is False
    assert case.status == Case.Status.NEW
    assert case.alert_count == 1
    assert case.first_observed_at == case.last_observed_at == T0
    assert case.sla_due_at == case.opened_at + timedelta(minutes=240)
    items = list(seed_playbook.items.order_by("section", "order").values_list("id", "section", "order"))
    steps = list(case.steps.order_by("section", "order").values_list("item_id", "section", "order"))
    assert steps == items and len(steps) > 10
    assert sorted(case.observables.values_list("type", "value")) == [
        ("ip", "203.0.113.77"),
        ("user", "m.keller"),
    ]
    assert [e.verb for e in case.events.all()] == ["created", "alert_joined"]
    joined = case.events.get(verb="alert_joined")
    assert joined.actor_source == source
    assert joined.data["source_ref"] == "a-1" and joined.data["alert_id"] == result.alert.pk
    live = IngestSource.objects.with_live_counts().get(pk=source.pk)
    assert live.live_alert_count == 1 and live.live_last_seen_at is not None


def test_same_source_ref_again_is_a_duplicate_and_changes_nothing(ingest_source, seed_playbook):
    source, _ = ingest_source
    first = ingest_alert(source=source, alert=native())
    events = CaseEvent.objects.count()
    again = ingest_alert(source=source, alert=native(title="changed", severity=4))
    assert again.created is False
    assert again.alert.pk == first.alert.pk and again.case.pk == first.case.pk
    assert Alert.objects.count() == 1 and CaseEvent.objects.count() == events
    first.case.refresh_from_db()
    assert first.case.severity == 2 and first.case.alert_count == 1


def test_same_source_ref_from_another_source_is_another_alert(ingest_source, seed_playbook):
    source, _ = ingest_source
    other = IngestSource.objects.create(name="other", token_hash="x" * 64, token_hint="x")
    a = ingest_alert(source=source, alert=native())
    b = ingest_alert(source=other, alert=native())
    assert b.created and a.alert.pk != b.alert.pk
    assert a.case.pk == b.case.pk  # same activity: correlated


def test_alert_sharing_an_entity_within_the_window_joins_and_raises_severity(ingest_source, seed_playbook):
    source, _ = ingest_source
    first = ingest_alert(source=source, alert=native())
    second = ingest_alert(
        source=source,
        alert=native(
            "a-2",
            severity=4,
            observed_at=T0 + timedelta(hours=5),
            observables=[("user", "m.keller", "user"), ("ip", "198.51.100.9", "source")],
        ),
    )
    assert second.created and second.case.pk == first.case.pk
    case = Case.objects.get(pk=first.case.pk)
    assert case.alert_count == 2 and case.severity == 4
    assert case.last_observed_at == T0 + timedelta(hours=5)
    assert case.sla_due_at == case.opened_at + timedelta(minutes=15)
    assert [e.verb for e in case.events.all()] == [
        "created",
        "alert_joined",
        "severity_raised",
        "alert_joined",
    ]
    raised = case.events.get(verb="severity_raised")
    assert raised.data["from"] == 2 and raised.data["to"] == 4
    assert case.observables.filter(value="198.51.100.9").exists()
    assert case.steps.count() == seed_playbook.items.count()  # no second set of steps


def test_event_time_outside_the_window_opens_a_new_case(ingest_source, seed_playbook, settings):
    settings.VIGIL_CORRELATION_WINDOW = timedelta(hours=24)
    source, _ = ingest_source
    first = ingest_alert(source=source, alert=native())
    later = ingest_alert(source=source, alert=native("a-2", observed_at=T0 + timedelta(hours=25)))
    assert later.case.pk != first.case.pk
    # A backlog replayed later correlates on event time, not arrival time.
    backfill = ingest_alert(source=source, alert=native("a-3", observed_at=T0 - timedelta(hours=23)))
    assert backfill.case.pk == first.case.pk
    first.case.refresh_from_db()
    assert first.case.first_observed_at == T0 - timedelta(hours=23)
    link = CaseObservable.objects.get(case=first.case, observable__value="203.0.113.77")
    assert link.first_seen_at == T0 - timedelta(hours=23) and link.last_seen_at == T0


def test_other_technique_or_no_shared_entity_or_closed_case_opens_a_new_case(ingest_source, seed_playbook):
    source, _ = ingest_source
    first = ingest_alert(source=source, alert=native())
    other_technique = ingest_alert(source=source, alert=native("a-2", technique_ids=["T1110"]))
    unrelated = ingest_alert(
        source=source, alert=native("a-3", observables=[("ip", "192.0.2.1", "source"), ("user", "x", "user")])
    )
    assert len({first.case.pk, other_technique.case.pk, unrelated.case.pk}) == 3
    Case.objects.filter(pk=first.case.pk).update(status=Case.Status.CLOSED, closed_at=T0)
    after_close = ingest_alert(source=source, alert=native("a-4"))
    assert after_close.case.pk not in {first.case.pk, unrelated.case.pk}


def test_extracted_values_are_not_correlation_keys_but_internal_ips_are(ingest_source, seed_playbook):
    source, _ = ingest_source
    a = ingest_alert(source=source, alert=native(observables=[("ip", "192.0.2.50", "extracted")]))
    b = ingest_alert(source=source, alert=native("a-2", observables=[("ip", "192.0.2.50", "extracted")]))
    assert a.case.pk != b.case.pk
    c = ingest_alert(source=source, alert=native("a-3", observables=[("ip", "10.20.4.15", "declared")]))
    d = ingest_alert(source=source, alert=native("a-4", observables=[("ip", "10.20.4.15", "source")]))
    assert c.case.pk == d.case.pk != a.case.pk
    assert Observable.objects.get(value="10.20.4.15").is_internal is True
    assert Observable.objects.get(value="192.0.2.50").is_internal is False


def test_our_own_domain_is_not_a_key_but_a_partner_domain_is(ingest_source, seed_playbook, settings):
    settings.VIGIL_ORG_DOMAINS = ["example.com"]
    source, _ = ingest_source
    ours = [
        ingest_alert(
            source=source, alert=native(f"o{i}", observables=[("domain", "extranet.example.com", "declared")])
        )
        for i in range(2)
    ]
    assert ours[0].case.pk != ours[1].case.pk
    partner = [
        ingest_alert(
            source=source,
            alert=native(f"p{i}", observables=[("email", f"u{i}@Partner.Example.NET", "sender")]),
        )
        for i in range(2)
    ]
    assert partner[0].case.pk == partner[1].case.pk
    assert Observable.objects.filter(type="domain", value="partner.example.net").exists()


def test_sub_technique_without_playbook_falls_back_to_parent_and_unknown_needs_playbook(
    ingest_source, seed_playbook
):
    source, _ = ingest_source
    none = ingest_alert(source=source, alert=native("n", technique_ids=["T1110.003"]))
    assert none.case.playbook_version is None and none.case.needs_playbook is True
    assert none.case.steps.count() == 0
    empty = ingest_alert(source=source, alert=native("e", technique_ids=[]))
    assert empty.case.needs_playbook is True and empty.case.technique_id == ""


def test_batch_correlates_inside_itself_and_handles_repeats_like_duplicates(ingest_source, seed_playbook):
    source, _ = ingest_source
    ingest_alert(source=source, alert=native("old"))
    batch = [
        native("old"),
        native("b-1", observed_at=T0 + timedelta(minutes=1)),
        native("b-2", observables=[("ip", "192.0.2.10", "source")]),
        native("b-3", observables=[("ip", "192.0.2.10", "source")], severity=3),
        native("b-1"),
    ]
    results = ingest_alerts(source=source, alerts=batch)
    assert [r.created for r in results] == [False, True, True, True, False]
    assert results[0].case.pk == results[1].case.pk
    assert results[2].case.pk == results[3].case.pk != results[1].case.pk
    assert results[4].alert.pk == results[1].alert.pk
    assert Alert.objects.count() == 4
    assert Case.objects.get(pk=results[2].case.pk).severity == 3
    assert Case.objects.get(pk=results[1].case.pk).alert_count == 2
    assert CaseStep.objects.count() == 2 * seed_playbook.items.count()


def test_conftest_factories_build_through_the_service(ingest_alert_factory, make_case, seed_playbook):
    a = ingest_alert_factory()
    b = ingest_alert_factory(severity=3)
    assert a.created and b.created and a.case.pk == b.case.pk
    assert a.case.playbook_version == seed_playbook
    c1, c2 = make_case(), make_case()
    assert c1.pk != c2.pk and c2.observables.filter(type="ip").exists()


def test_native_alert_validates_and_normalises():
    alert = NativeAlert(
        source_ref=" r ",
        title="t",
        observed_at=T0,
        observables=[
            ("ip", "2001:DB8:0:0::1", "source"),
            ("domain", "Example.COM.", "declared"),
            ("ip", "2001:db8::1", "extracted"),
            ("url", "hxxps://Evil[.]Example/x", "declared"),
        ],
    )
    assert alert.source_ref == "r"
    assert alert.observables == [
        ("ip", "2001:db8::1", "source"),
        ("domain", "example.com", "declared"),
        ("url", "https://evil.example/x", "declared"),
    ]
    with pytest.raises(InvalidAlert) as exc:
        NativeAlert(
            source_ref="", title="t", observed_at=datetime(2026, 1, 1), technique_ids=["T15"], severity=7
        )
    assert set(exc.value.errors) == {"source_ref", "observed_at", "technique_ids", "severity"}
    with pytest.raises(InvalidAlert) as exc:
        NativeAlert(source_ref="r", title="t", observed_at=T0, observables=[("ip", "999.1.1.1", "source")])
    assert "observables[0].value" in exc.value.errors


def statements(ctx) -> list[str]:
    """Captured SQL without the test's own savepoints (BEGIN/COMMIT in production)."""
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_single_alert_query_budget(
    ingest_source, seed_playbook, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("cases.services.intake.dispatch.send_task_safely", lambda task, pk: True)
    source, _ = ingest_source
    ingest_alert(source=source, alert=native("warm"))  # warms the playbook items cache
    with CaptureQueriesContext(connection) as new_case, django_capture_on_commit_callbacks(execute=True):
        ingest_alert(
            source=source,
            alert=native("n", observables=[("ip", "192.0.2.99", "source"), ("user", "new-user", "user")]),
        )
    with CaptureQueriesContext(connection) as joined, django_capture_on_commit_callbacks(execute=True):
        ingest_alert(source=source, alert=native("j", severity=4))
    with CaptureQueriesContext(connection) as duplicate:
        ingest_alert(source=source, alert=native("j"))
    # On PostgreSQL the write phase is one round trip (WriteBatch) and the advisory lock
    # travels with the correlation read; SQLite sends every statement on its own.
    limit = 9 if connection.vendor == "postgresql" else 15
    assert len(statements(new_case)) <= limit, statements(new_case)
    assert len(statements(joined)) <= limit, statements(joined)
    # A repeat is found by the constraint (the optimistic first attempt rolls back), then read.
    assert len(statements(duplicate)) <= limit + 2, statements(duplicate)


def test_enrichment_is_dispatched_after_commit_and_stamped(
    ingest_source, seed_playbook, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "cases.services.intake.dispatch.send_task_safely",
        lambda task, pk: sent.append((task.name, pk)) or True,
    )
    source, _ = ingest_source
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_alert(source=source, alert=native())
    assert sent == [("enrichment.tasks.enrich_alert", result.alert.pk)]
    result.alert.refresh_from_db()
    assert result.alert.dispatched_at is not None


def test_broker_down_never_fails_ingestion_and_leaves_the_alert_for_the_sweeper(
    ingest_source, seed_playbook, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("cases.services.intake.dispatch.send_task_safely", lambda task, pk: False)
    source, _ = ingest_source
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_alert(source=source, alert=native())
    result.alert.refresh_from_db()
    assert result.created and result.alert.dispatched_at is None


def test_a_case_owns_its_steps_and_they_belong_to_its_pinned_version(ingest_source, seed_playbook):
    """CaseStep has no database foreign keys (they cost a check per row, 23 per case): the
    ORM cascades a case's deletion to its steps, and each step's item is one of the pinned
    version's items."""
    source, _ = ingest_source
    case = ingest_alert(source=source, alert=native("own-1")).case
    other = ingest_alert(
        source=source, alert=native("own-2", observables=[("user", "someone.else", "user")])
    ).case
    version_items = set(seed_playbook.items.values_list("id", flat=True))
    assert set(case.steps.values_list("item_id", flat=True)) == version_items
    Alert.objects.filter(case=case).delete()  # alerts PROTECT their case
    case.delete()
    assert not CaseStep.objects.filter(case_id=case.pk).exists()
    assert other.steps.count() == len(version_items)


def test_flags_are_stored_and_an_unknown_technique_is_flagged_not_dropped(ingest_source, seed_playbook):
    source, _ = ingest_source
    given = {"code": "observed_at_unparsed", "field": "timestamp", "detail": "yesterday"}
    alert = native(technique_ids=["T9999.999", "T1591.002"], flags=[given])
    assert alert.unknown_technique_ids == ["T9999.999"]
    stored = ingest_alert(source=source, alert=alert).alert
    stored.refresh_from_db()
    assert stored.technique_ids == ["T9999.999", "T1591.002"]
    assert stored.flags == [given, {"code": "unknown_technique", "field": "technique", "detail": "T9999.999"}]


def test_flags_must_be_code_field_detail_strings():
    with pytest.raises(InvalidAlert) as exc:
        native(flags=[{"code": 3}])
    assert "flags" in exc.value.errors


def test_a_case_records_the_source_of_the_alert_that_opened_it(ingest_source, seed_playbook):
    """The metrics group cases by their opening source from this column (no alert lookup);
    a later alert from another source joining the case does not change it."""
    source, _ = ingest_source
    other = IngestSource.objects.create(name="other-siem")
    single = ingest_alert(source=source, alert=native("s-1")).case
    batch = ingest_alerts(source=other, alerts=[native("b-1", observables=[("ip", "192.0.2.10", "source")])])
    joined = ingest_alert(source=other, alert=native("s-2", observed_at=T0 + timedelta(minutes=1)))
    assert joined.case.pk == single.pk
    assert Case.objects.get(pk=single.pk).opening_source_id == source.pk
    assert Case.objects.get(pk=batch[0].case.pk).opening_source_id == other.pk
