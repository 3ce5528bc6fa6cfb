"""Concurrent ingestion: the database constraint and the correlation lock decide races.

Real threads with their own connections (transaction=True), on PostgreSQL (row locks,
advisory locks, READ COMMITTED), which is what CI runs. Not on SQLite: pytest-django's
SQLite test database is in-memory with a shared cache, where a second writer gets
SQLITE_LOCKED ("database table is locked") at once; busy_timeout does not apply to it.
(The file database a SQLite deployment uses serialises writers with BEGIN IMMEDIATE and
waits instead.)
"""

import json
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections
from django.test import Client

from cases.ingest.base import NativeAlert
from cases.models import Alert, Case, CaseObservable, Observable
from cases.services.intake import ingest_alert

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_or_redis,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the in-memory SQLite test database refuses concurrent writers "
        "(SQLITE_LOCKED) instead of waiting",
    ),
]

THREADS = 6


def run_threads(target) -> list:
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS
    errors: list = []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = target(i)
        except Exception as exc:  # surfaced below with the thread's index
            errors.append((i, exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def native(ref: str, ip: str = "203.0.113.77") -> NativeAlert:
    return NativeAlert(
        source_ref=ref,
        title="burst",
        observed_at=datetime(2026, 3, 4, 13, 41, tzinfo=UTC),
        technique_ids=["T1591.002"],
        observables=[("ip", ip, "source"), ("user", "m.keller", "user")],
    )


def test_concurrent_posts_of_one_source_ref_store_exactly_one_alert(ingest_source):
    _, token = ingest_source
    body = json.dumps({"source_ref": "same", "title": "burst", "technique": "T1591.002"})

    def post(_i):
        response = Client().post(
            "/api/v1/alerts/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
        )
        return response.status_code, response.json()

    results = run_threads(post)
    statuses = sorted(code for code, _ in results)
    assert statuses == [200] * (THREADS - 1) + [201], results
    assert len({body["id"] for _, body in results}) == 1
    assert Alert.objects.count() == 1 and Case.objects.count() == 1


def test_concurrent_alerts_about_one_attacker_open_exactly_one_case(ingest_source):
    source, _ = ingest_source
    results = run_threads(lambda i: ingest_alert(source=source, alert=native(f"r{i}")))
    assert all(r.created for r in results)
    assert len({r.case.pk for r in results}) == 1
    case = Case.objects.get()
    assert case.alert_count == THREADS
    assert Observable.objects.filter(value="203.0.113.77").count() == 1
    assert CaseObservable.objects.filter(case=case).count() == 2


def test_concurrent_new_observables_are_created_once(ingest_source):
    source, _ = ingest_source

    # Different users and IPs (no correlation) but one shared new domain observable.
    def ingest(i):
        alert = NativeAlert(
            source_ref=f"d{i}",
            title="t",
            observed_at=datetime(2026, 3, 4, tzinfo=UTC),
            observables=[
                ("ip", f"198.51.100.{i + 1}", "source"),
                ("domain", "shared.example.net", "declared"),
            ],
        )
        return ingest_alert(source=source, alert=alert)

    results = run_threads(ingest)
    assert Observable.objects.filter(type="domain", value="shared.example.net").count() == 1
    # The shared partner-like domain is a correlation key, so they still form one case.
    assert len({r.case.pk for r in results}) == 1


def test_concurrent_alerts_of_techniques_one_playbook_covers_open_exactly_one_case(
    ingest_source, seed_playbook
):
    from playbooks.services import set_playbook_coverage

    set_playbook_coverage(seed_playbook.playbook, ["T1110", "T1566", "T1656"], by=None)
    source, _ = ingest_source
    techniques = ["T1591.002", "T1110.003", "T1656", "T1566.002", "T1110.001", "T1591.002"]

    def ingest(i):
        alert = NativeAlert(
            source_ref=f"x{i}",
            title="multi-technique",
            observed_at=datetime(2026, 3, 4, 13, 41, tzinfo=UTC),
            technique_ids=[techniques[i]],
            observables=[("user", "m.keller", "user"), ("ip", f"198.51.100.{i + 1}", "source")],
        )
        return ingest_alert(source=source, alert=alert)

    results = run_threads(ingest)
    assert len({r.case.pk for r in results}) == 1
    case = Case.objects.get()
    assert case.alert_count == THREADS and sorted(case.techniques) == sorted(set(techniques))
