"""Intake's prepared statements (cases/ingest/store/prepared.py), on PostgreSQL.

The statements are prepared once per server connection and run with EXECUTE afterwards;
the results must be exactly those of the plain statements, and a new connection (Django
reconnects after CONN_MAX_AGE or an error) must prepare again.
"""

import itertools
from datetime import UTC, datetime

import pytest
from django.db import connection

from cases.ingest.base import NativeAlert
from cases.ingest.store import prepared
from cases.models import Alert, CaseStep
from cases.services.intake import ingest_alert, ingest_alerts

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres_or_redis,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

T0 = datetime(2026, 3, 4, 13, 41, 7, tzinfo=UTC)
_ADDRESSES = itertools.count(1)  # a new host number per alert (fewer than 255 here)


def native(ref: str, user: str) -> NativeAlert:
    """An alert that opens a case of its own: its user and address are its own (an address
    is a correlation key, so a shared one would make the later alerts join the first)."""
    return NativeAlert(
        source_ref=ref,
        title="Partner directory burst",
        observed_at=T0,
        severity=2,
        technique_ids=["T1591.002"],
        observables=[("ip", f"198.51.100.{next(_ADDRESSES)}", "destination"), ("user", user, "user")],
    )


def server_statements() -> dict[str, tuple[int, int]]:
    """name -> (generic plans, custom plans) of this session's prepared statements."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements")
        return {name: (generic, custom) for name, generic, custom in cursor.fetchall()}


def test_statements_are_prepared_once_and_reused_with_generic_plans(ingest_source, seed_playbook):
    source, _ = ingest_source
    ingest_alert(source=source, alert=native("p-1", "u1"))
    first = server_statements()
    assert first, "intake prepared nothing"
    for n in range(2, 6):
        ingest_alert(source=source, alert=native(f"p-{n}", f"u{n}"))
    later = server_statements()
    assert later.keys() == first.keys()  # the same texts: nothing prepared again
    assert all(custom == 0 for _, custom in later.values())  # never planned per execution
    assert any(generic >= 5 for generic, _ in later.values())
    assert Alert.objects.filter(source=source).count() == 5
    assert CaseStep.objects.filter(case__alerts__source=source).count() == 5 * seed_playbook.items.count()


def test_a_batch_and_a_single_alert_share_statement_texts(ingest_source, seed_playbook):
    """Rows travel as arrays, so the number of alerts does not change the statement text."""
    source, _ = ingest_source
    ingest_alerts(source=source, alerts=[native(f"b-{n}", f"b{n}") for n in range(3)])
    after_batch = set(server_statements())
    ingest_alerts(source=source, alerts=[native(f"c-{n}", f"c{n}") for n in range(7)])
    assert set(server_statements()) == after_batch


@pytest.mark.django_db(transaction=True)  # the connection is closed mid-test
def test_a_new_server_connection_prepares_again(ingest_source, seed_playbook):
    source, _ = ingest_source
    ingest_alert(source=source, alert=native("r-1", "r1"))
    connection.close()  # what Django does after CONN_MAX_AGE or an error
    result = ingest_alert(source=source, alert=native("r-2", "r2"))
    assert result.created and server_statements()


def test_values_whose_literal_alone_is_ambiguous_bind_to_the_parameter_type(db):
    """An array of NULLs or an empty array would be text[] on its own; each value is cast
    to the type PostgreSQL inferred for its parameter."""
    sql = (
        "SELECT %s::timestamptz[] IS NOT DISTINCT FROM ARRAY[NULL]::timestamptz[], cardinality(%s::bigint[])"
    )
    for _ in range(2):  # prepared, then executed from the cache
        with connection.cursor() as cursor:
            prepared.execute(cursor, [(sql, [[None], []])])
            assert cursor.fetchone() == (True, 0)


@pytest.mark.django_db(transaction=True)
def test_switched_off_nothing_is_prepared(ingest_source, seed_playbook, settings):
    settings.VIGIL_DB_PREPARED_STATEMENTS = False
    connection.close()
    source, _ = ingest_source
    assert ingest_alert(source=source, alert=native("o-1", "o1")).created
    assert server_statements() == {}


def test_a_failed_preparation_round_trip_never_blocks_the_next_one(db):
    """Names are never reused in a process: PREPAREs that ran before the round trip failed
    cannot collide with the retry's."""
    sql = "SELECT %s::int + 1"
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT before_failure")
        with pytest.raises(Exception):  # the point is only that it failed
            prepared.execute(
                cursor, [(sql, [1]), ("SELECT no_such_column FROM cases_alert WHERE id = %s", [1])]
            )
        cursor.execute("ROLLBACK TO SAVEPOINT before_failure")
        prepared.execute(cursor, [(sql, [41])])
        assert cursor.fetchone() == (42,)


def _scans(node: dict):
    """Every scan node of an EXPLAIN (FORMAT JSON) plan."""
    if "Relation Name" in node:
        yield node
    for child in node.get("Plans", ()):
        yield from _scans(child)


def test_the_candidate_links_read_keeps_to_the_observable_index_under_a_generic_plan(db):
    """Prepared statements run on generic plans, made without the values. The links read
    must then still be a short index range per observable, never a walk of every link:
    the `observable = ANY(ids) ORDER BY case DESC LIMIT n` form got a backward scan of
    the whole (case, observable) index, filtered, on a table of 11,000 links."""
    from cases.ingest.store import reads

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE links_plan AS {prepared._numbered(reads._links_sql())}")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) EXECUTE links_plan('{1,2}'::bigint[], 2000, 2000)")
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE links_plan")
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    scans = [s for s in _scans(plan[0]["Plan"]) if s["Relation Name"] == "cases_caseobservable"]
    assert scans
    for scan in scans:
        assert scan.get("Index Name") == "case_observable_lookup_idx", scan
        assert "observable_id" in scan.get("Index Cond", ""), scan
        assert "Filter" not in scan, scan
