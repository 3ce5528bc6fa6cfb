"""The enrich task and the assistant: suggestions per step, one event per change, never
the analyst's answer, idempotent, retried on database errors, refreshed when reference
data changes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse

from cases.models import CaseEvent, CaseStep, Observable
from enrichment import assistant, tasks
from enrichment import services as enrichment
from intel import services

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def question(case, assist):
    return CaseStep.objects.get(case=case, section="question", item__assist=assist)


def events(case):
    return CaseEvent.objects.filter(case=case, verb=CaseEvent.Verb.SUGGESTIONS_UPDATED)


def test_task_enriches_suggests_and_is_idempotent(seed_playbook, make_case):
    services.network_create(by=None, cidr="203.0.113.77", list="malicious", label="scraper")
    case = make_case(observed_at=AT)
    alert = case.alerts.get()

    tasks.enrich_alert.apply(args=[alert.pk]).get()

    ip = Observable.objects.get(type="ip", value="203.0.113.77")
    assert ip.enrichment["ip_reputation"]["verdict"] == "malicious"
    assert ip.enriched_at is not None
    step = question(case, "ip_reputation")
    assert step.suggestion["answer"] == "no"
    assert step.suggestion["evidence"][0]["observable"] == "ip:203.0.113.77"
    assert events(case).count() == 1

    tasks.enrich_alert.apply(args=[alert.pk]).get()  # a redelivery
    assert events(case).count() == 1
    assert question(case, "ip_reputation").suggestion == step.suggestion


def test_a_missing_alert_is_a_no_op():
    assert tasks.enrich_alert.apply(args=[999999]).get() is None


def test_the_task_retries_database_errors_only():
    task = tasks.enrich_alert
    assert task.autoretry_for == (tasks.DatabaseError,)
    assert issubclass(OperationalError, task.autoretry_for[0])
    assert task.max_retries == 5
    assert task.retry_backoff


def test_garbage_observables_never_crash_the_task(seed_playbook, make_case):
    case = make_case(observed_at=AT)
    alert = case.alerts.get()
    weird = Observable.objects.create(type="ip", value="not-an-ip")
    alert.alert_observables.create(observable=weird, role="source")
    weird_url = Observable.objects.create(type="url", value="http://[::1")
    alert.alert_observables.create(observable=weird_url, role="declared")

    tasks.enrich_alert.apply(args=[alert.pk]).get()

    weird.refresh_from_db()
    assert weird.enrichment["ip_reputation"]["verdict"] == "unknown"
    assert "not an IP" in weird.enrichment["ip_reputation"]["reason"]
    weird_url.refresh_from_db()
    assert weird_url.enrichment["lookalike_domain"]["verdict"] == "unknown"


def test_the_assistant_never_sets_the_analysts_answer(seed_playbook, make_case, l1):
    case = make_case(observed_at=AT)
    step = question(case, "ip_reputation")
    CaseStep.objects.filter(pk=step.pk).update(value="yes", updated_by=l1)
    tasks.enrich_alert.apply(args=[case.alerts.get().pk]).get()
    step.refresh_from_db()
    assert step.value == "yes"
    assert step.updated_by == l1
    assert step.suggestion["answer"] == "no"  # unlisted external address


def test_a_new_alert_joining_the_case_updates_suggestions_once(seed_playbook, ingest_alert_factory):
    services.partner_create(by=None, name="Northwind", domains=["northwind-traders.com"])
    first = ingest_alert_factory(
        observed_at=AT, observables=[("ip", "198.51.100.150", "source"), ("user", "x", "user")]
    )
    tasks.enrich_alert.apply(args=[first.alert.pk]).get()
    case = first.case
    assert question(case, "lookalike_domain").suggestion["answer"] == "no"

    second = ingest_alert_factory(
        observed_at=AT + timedelta(minutes=5),
        observables=[("user", "x", "user"), ("email", "ap@northwind-tradres.com", "sender")],
    )
    assert second.case.pk == case.pk
    tasks.enrich_alert.apply(args=[second.alert.pk]).get()

    lookalike = question(case, "lookalike_domain").suggestion
    assert lookalike["answer"] == "yes"
    assert lookalike["evidence"][0]["observable"] == "email:ap@northwind-tradres.com"
    changed = events(case).order_by("pk").last()
    assert {"assist": "lookalike_domain", "from": "no", "to": "yes"}.items() <= next(
        c for c in changed.data["changes"] if c["assist"] == "lookalike_domain"
    ).items()
    assert changed.data["alert"] == second.alert.pk
    assert events(case).count() == 2


def test_contract_status_is_judged_at_the_alerts_time(seed_playbook, make_case):
    from datetime import date

    services.partner_create(
        by=None,
        name="Contoso",
        networks=["198.51.100.64/26"],
        contract_start=date(2024, 1, 1),
        contract_end=date(2026, 6, 30),
    )
    during = make_case(
        observed_at=datetime(2026, 5, 1, tzinfo=UTC), observables=[("ip", "198.51.100.70", "source")]
    )
    after = make_case(observed_at=AT, observables=[("ip", "198.51.100.71", "source")])
    for case in (during, after):
        tasks.enrich_alert.apply(args=[case.alerts.get().pk]).get()

    assert question(during, "partner_match").suggestion["answer"] == "yes"
    late = question(after, "partner_match").suggestion
    assert late["answer"] == "no"
    assert "ended 2026-06-30" in late["reason"]


def test_reference_changes_refresh_open_cases(
    seed_playbook, make_case, django_capture_on_commit_callbacks, monkeypatch
):
    case = make_case(observed_at=AT)
    tasks.enrich_alert.apply(args=[case.alerts.get().pk]).get()
    assert "on no list" in question(case, "ip_reputation").suggestion["reason"]

    with django_capture_on_commit_callbacks() as callbacks:
        services.network_create(by=None, cidr="203.0.113.0/24", list="malicious", source="feed")
    assert len(callbacks) == 2  # index invalidation, then the refresh task's dispatch

    sent = []
    monkeypatch.setattr(tasks, "send_task_safely", lambda task, *args: sent.append((task, args)) or True)
    assert tasks.refresh_open_cases.apply().get() == 1
    assert sent == [(tasks.refresh_cases, ([case.pk],))]

    tasks.refresh_cases.apply(args=[[case.pk]]).get()

    suggestion = question(case, "ip_reputation").suggestion
    assert suggestion["answer"] == "no"
    assert "203.0.113.77 is on the malicious list: 203.0.113.0/24" in suggestion["reason"]
    assert events(case).count() == 2


def test_refresh_case_is_cheap_and_constant(
    seed_playbook, ingest_alert_factory, django_assert_max_num_queries
):
    results = [
        ingest_alert_factory(
            observed_at=AT + timedelta(minutes=i), observables=[("ip", "203.0.113.77", "source")]
        )
        for i in range(10)
    ]
    for result in results:
        enrichment.alert_enrich(alert_id=result.alert.pk)
    case_id = results[0].case.pk
    assistant.refresh_case(case_id=case_id)
    with django_assert_max_num_queries(8):
        assert assistant.refresh_case(case_id=case_id) == []


def test_a_new_internal_entry_is_picked_up_by_the_case_refresh(seed_playbook, make_case):
    case = make_case(observed_at=AT, observables=[("ip", "198.51.100.9", "source")])
    tasks.enrich_alert.apply(args=[case.alerts.get().pk]).get()
    assert question(case, "ip_reputation").suggestion["answer"] == "no"

    services.network_create(by=None, cidr="198.51.100.0/24", list="internal", label="DMZ")
    tasks.refresh_case.apply(args=[case.pk]).get()

    address = Observable.objects.get(type="ip", value="198.51.100.9")
    assert address.is_internal
    assert address.enrichment["ip_reputation"]["verdict"] == "internal"
    assert question(case, "ip_reputation").suggestion["answer"] == "yes"


def test_the_case_page_and_api_show_each_observables_case_evidence(seed_playbook, make_case, l1, client):
    """A user account has no observable-wide lookup: what Vigil knows of it is computed over
    this case's alerts (related activity, login pattern) and must show beside it."""
    case = make_case(observed_at=AT)
    tasks.enrich_alert.apply(args=[case.alerts.get().pk]).get()
    user = Observable.objects.get(type="user", value="m.keller")
    assert user.enrichment == {} and user.enriched_at is not None
    link = case.case_observables.get(observable=user)
    assert link.enrichment["related_activity"]["verdict"] == "isolated"
    # Shown in the observable's own row: the summary does not repeat its value (a long URL
    # would fill the row).
    assert user.value not in link.enrichment["related_activity"]["summary"]
    # An observable added by hand waits for its enrichment.
    pending = Observable.objects.create(type="hash", value="d41d8cd98f00b204e9800998ecf8427e")
    case.case_observables.create(observable=pending, first_seen_at=AT, last_seen_at=AT)

    client.force_login(l1)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    row = html[html.index(f'id="observable-{user.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "related activity: isolated" in row and "only one of this case" in row
    assert "not enriched yet" not in row
    pending_row = html[html.index(f'id="observable-{pending.pk}"') :]
    assert "not enriched yet" in pending_row[: pending_row.index("</tr>")]

    client.force_login(l1)
    body = client.get(f"/api/v1/cases/{case.pk}/").json()
    shown = {(o["type"], o["value"]): o for o in body["observables"]}
    assert shown["user", "m.keller"]["case_evidence"]["related_activity"]["scope"] == "case"
    assert shown["user", "m.keller"]["enrichment"] == {}
    assert shown["hash", pending.value]["enriched_at"] is None
