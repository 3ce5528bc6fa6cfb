"""Database helpers of the intake service: set-based writes that keep ingestion at a
constant number of queries per request, and the few places that differ by backend."""

import hashlib
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from cases.models import Case, CaseStep, Observable
from playbooks.models import PlaybookItem

from .observables import is_internal


def ensure_observables(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Observable]:
    """Get or create every (type, value) in at most two queries.

    Existing rows are read first (the common case for repeat entities takes no lock);
    missing ones are upserted with ON CONFLICT so a concurrent insert of the same value
    does not fail, and PostgreSQL/SQLite return the ids of both new and conflicting rows.
    """
    wanted = set(pairs)
    if not wanted:
        return {}
    by_type: dict[str, list[str]] = {}
    for type_, value in wanted:
        by_type.setdefault(type_, []).append(value)
    query = Q()
    for type_, values in by_type.items():
        query |= Q(type=type_, value__in=values)
    found = {
        (o.type, o.value): o
        for o in Observable.objects.filter(query).only("id", "type", "value", "is_internal")
    }
    missing = sorted(wanted - found.keys())  # sorted: concurrent upserts lock rows in one order
    if missing:
        rows = [Observable(type=t, value=v, is_internal=is_internal(t, v)) for t, v in missing]
        created = Observable.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["type", "value"], update_fields=["is_internal"]
        )
        found.update({(o.type, o.value): o for o in created})
    return found


def lock_correlation_keys(keys: Iterable[str]) -> None:
    """Serialise correlation on shared entities (PostgreSQL advisory locks until commit).

    Two alerts about the same attacker arriving at once must not both open a case; the
    lock makes the second wait and then find the first one's case. SQLite serialises all
    writers already (BEGIN IMMEDIATE), so nothing is needed there.
    """
    if connection.vendor != "postgresql":
        return
    ids = sorted(
        {
            int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True)
            for k in keys
        }
    )
    if not ids:
        return
    with connection.cursor() as cursor:
        # Sorted inside one statement: every transaction takes its locks in the same order.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS keys",
            [ids],
        )


def allocate_case_ids(count: int) -> list[int]:
    """Reserve primary keys for new cases so their reference (CASE-<year>-<pk>) is written
    with the row, in one INSERT, without a max()+1 race."""
    if count <= 0:
        return []
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The intake transaction holds SQLite's write lock (BEGIN IMMEDIATE), so reading
            # the AUTOINCREMENT counter and inserting above it cannot race; inserting explicit
            # ids advances the counter.
            cursor.execute(
                f"SELECT MAX(x) FROM (SELECT seq AS x FROM sqlite_sequence WHERE name = %s "  # noqa: S608
                f'UNION ALL SELECT MAX(id) FROM "{table}")',
                [table],
            )
            base = cursor.fetchone()[0] or 0
            return list(range(base + 1, base + 1 + count))
    raise NotImplementedError(f"case id allocation for {connection.vendor}")


def case_reference(pk: int, year: int) -> str:
    return f"CASE-{year}-{pk:06d}"


def create_steps(cases: list[tuple[int, int]]) -> None:
    """One CaseStep per item of each case's pinned playbook version, in one statement.

    `cases` holds (case id, playbook version id). The items are copied server-side with
    INSERT ... SELECT, so a batch of cases costs one round trip and no model instances;
    every other column gets its model default, read from the model so a new field with a
    default needs no change here.
    """
    if not cases:
        return
    qn = connection.ops.quote_name
    copied = {"case": "c.case_id", "item": "i.id", "section": "i.section", "order": 'i."order"'}
    columns, expressions, params = [], [], []
    for field in CaseStep._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        if field.name in copied:
            expressions.append(copied[field.name])
        else:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    rows = ", ".join(["(%s, %s)"] * len(cases))
    sql = (
        f"WITH c(case_id, version_id) AS (VALUES {rows}) "  # noqa: S608 (identifiers from the model)
        f"INSERT INTO {qn(CaseStep._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM c JOIN {qn(PlaybookItem._meta.db_table)} i "
        'ON i.version_id = c.version_id ORDER BY c.case_id, i.section, i."order"'
    )
    flat = [value for pair in cases for value in pair]
    with connection.cursor() as cursor:
        # The VALUES rows come first in the statement, then the defaults.
        cursor.execute(sql, flat + params)


CASE_UPDATE_FIELDS = (
    "alert_count",
    "first_observed_at",
    "last_observed_at",
    "severity",
    "sla_due_at",
    "updated_at",
)


def update_joined_cases(cases: list[Case]) -> None:
    """Write the new counters and times of cases that alerts joined, in one UPDATE ... FROM
    (VALUES ...). The rows are locked (select_for_update) by the caller, so absolute values
    computed from what it read are safe; bulk_update would build a CASE per field and row."""
    if not cases:
        return
    qn = connection.ops.quote_name
    fields = [Case._meta.get_field(name) for name in CASE_UPDATE_FIELDS]
    pg = connection.vendor == "postgresql"
    casts = {f.name: "::" + f.db_type(connection) if pg else "" for f in fields}
    row = "(%s" + ("::bigint" if pg else "") + "".join(f", %s{casts[f.name]}" for f in fields) + ")"
    params = []
    for case in cases:
        params.append(case.pk)
        params.extend(f.get_db_prep_save(getattr(case, f.attname), connection) for f in fields)
    names = ", ".join(["id", *(f.column for f in fields)])
    assignments = ", ".join(f"{qn(f.column)} = v.{f.column}" for f in fields)
    table = qn(Case._meta.db_table)
    sql = (
        f"WITH v({names}) AS (VALUES {', '.join([row] * len(cases))}) "  # noqa: S608 (identifiers from the model)
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
