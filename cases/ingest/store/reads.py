"""What intake reads before it writes: observables (got or created), the correlation
locks and candidate links, reserved ids and the published playbook versions."""

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q
from django.utils import timezone

from cases.ingest.observables import is_internal
from cases.models import Alert, Case, CaseObservable, Observable
from playbooks.models import Playbook, PlaybookVersion
from soc.internals import new_row

from . import prepared


def ensure_observables(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Observable]:
    """Get or create every (type, value): one round trip on PostgreSQL, two elsewhere.
    Each row carries ``is_internal`` and ``never_correlate`` (correlation reads both).

    No lock is taken on existing rows (a hot observable, e.g. a server every alert names,
    must not serialise ingestion). A value a concurrent transaction inserts at the same
    moment is read once that transaction commits.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    wanted = set(pairs)
    if not wanted:
        return {}
    if conn.vendor == "postgresql":
        found = _get_or_insert_observables_pg(sorted(wanted))
        missing = wanted - found.keys()
        if missing:
            found.update(_select_observables(missing))
        return found
    found = _select_observables(wanted)
    missing = sorted(wanted - found.keys())  # sorted: concurrent upserts lock rows in one order
    if missing:
        rows = [Observable(type=t, value=v, is_internal=is_internal(t, v)) for t, v in missing]
        created = Observable.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["type", "value"], update_fields=["is_internal"]
        )
        found.update({(o.type, o.value): o for o in created})
    return found


def _get_or_insert_observables_pg(rows: list[tuple[str, str]]) -> dict[tuple[str, str], Observable]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING for the new rows, UNION the existing
    ones, in one statement. The existing-rows half reads the statement's snapshot, so a
    row committed by a concurrent insert meanwhile is missing here; the caller re-reads
    those (the conflict made this statement wait for that commit)."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql, defaulted = _observables_sql()
    now = timezone.now()
    extra_params = [
        field.get_db_prep_save(
            now
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
            else field.get_default(),
            conn,
        )
        for field in defaulted
    ]
    params = [[t for t, _ in rows], [v for _, v in rows], [is_internal(t, v) for t, v in rows], *extra_params]
    with conn.cursor() as cursor:
        prepared.execute(cursor, [(sql, params)])
        return {
            (type_, value): new_row(
                Observable, id=pk, type=type_, value=value, is_internal=internal, never_correlate=never
            )
            for pk, type_, value, internal, never in cursor.fetchall()
        }


@cache
def _observables_sql() -> tuple[str, list]:
    """The statement of _get_or_insert_observables_pg, and the fields it fills with their
    default (or the current time), in the order of their parameters."""
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    opts = Observable._meta
    defaulted = [
        f
        for f in opts.concrete_fields
        if not f.primary_key and f.name not in ("type", "value", "is_internal")
    ]
    extra_columns = ", ".join(qn(f.column) for f in defaulted)
    extra_selects = ", ".join(f"%s::{f.db_type(conn)}" for f in defaulted)
    type_db = opts.get_field("type").db_type(conn)
    value_db = opts.get_field("value").db_type(conn)
    table = qn(opts.db_table)
    sql = (
        f"WITH input (type, value, is_internal) AS ("  # noqa: S608 (identifiers from the model)
        f"SELECT * FROM UNNEST(%s::{type_db}[], %s::{value_db}[], %s::boolean[])), "
        f"ins AS (INSERT INTO {table} (type, value, is_internal, {extra_columns}) "
        f"SELECT type, value, is_internal, {extra_selects} FROM input ORDER BY type, value "
        "ON CONFLICT (type, value) DO NOTHING RETURNING id, type, value, is_internal, never_correlate) "
        "SELECT id, type, value, is_internal, never_correlate FROM ins UNION ALL "
        f"SELECT o.id, o.type, o.value, o.is_internal, o.never_correlate FROM {table} o JOIN input i "
        "ON o.type = i.type AND o.value = i.value"
    )
    return sql, defaulted


def _select_observables(pairs) -> dict[tuple[str, str], Observable]:
    by_type: dict[str, list[str]] = {}
    for type_, value in pairs:
        by_type.setdefault(type_, []).append(value)
    query = Q()
    for type_, values in by_type.items():
        query |= Q(type=type_, value__in=values)
    return {
        (o.type, o.value): o
        for o in Observable.objects.filter(query).only(
            "id", "type", "value", "is_internal", "never_correlate"
        )
    }


def _advisory_lock_ids(keys: Iterable[str]) -> list[int]:
    return sorted(
        {
            int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True)
            for k in keys
        }
    )


def lock_keys_and_read(keys: Iterable[str], *, observable_ids: Collection[int], limit: int) -> list[tuple]:
    """Serialise correlation on shared entities, then read the newest (case id, observable
    id) links of these observables (at most `limit`, through the (observable, case) index),
    in one round trip on PostgreSQL.

    Two alerts about the same attacker arriving at once must not both open a case: each
    transaction takes a PostgreSQL advisory lock per (correlation group, key entity) until commit,
    so the second waits and then finds the first one's case. The locks are sorted inside
    one statement, so every transaction takes them in the same order (no deadlock).
    SQLite serialises all writers already (BEGIN IMMEDIATE); there only the query runs.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        links = CaseObservable.objects.filter(observable_id__in=observable_ids).order_by("-case_id")
        return list(links.values_list("case_id", "observable_id")[:limit])
    ids = _advisory_lock_ids(keys)
    with conn.cursor() as cursor:
        # Two statements in one round trip (the second one's snapshot is taken after the
        # locks are held); psycopg2 returns the last one's rows.
        prepared.execute(cursor, [(_LOCK_SQL, [ids]), (_links_sql(), [sorted(observable_ids), limit, limit])])
        return [tuple(row) for row in cursor.fetchall()]


_LOCK_SQL = "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS keys"


@cache
def _links_sql() -> str:
    """The newest `limit` links of the observables, walked per observable down the
    (observable, case) index, then merged. Compiled once per process (building the query
    with the ORM cost ~0.2 ms a request).

    Not `WHERE observable = ANY(ids) ORDER BY case DESC LIMIT n`, which means the same:
    prepared (cases/ingest/store/prepared.py), PostgreSQL settles on a generic plan, and
    for that one it walks the whole (case, observable) index backwards, filtering for the
    ids, since it cannot know how few rows they have. That cost grows with the table:
    1.25 ms at 11,000 links against 0.1 ms for this form, whose only plan, generic or
    not, is one short index range per observable."""
    qn = connection.ops.quote_name
    opts = CaseObservable._meta
    case, observable = (qn(opts.get_field(name).column) for name in ("case", "observable"))
    return (
        f"SELECT l.{case}, l.{observable} FROM unnest(%s::bigint[]) AS o(id) CROSS JOIN LATERAL "  # noqa: S608 (identifiers from the model)
        f"(SELECT {case}, {observable} FROM {qn(opts.db_table)} "
        f"WHERE {observable} = o.id ORDER BY {case} DESC LIMIT %s::bigint) AS l "
        f"ORDER BY l.{case} DESC LIMIT %s::bigint"
    )


@dataclass(frozen=True, slots=True)
class Reservation:
    """What `reserve` answers: pre-allocated ids by name, and the published playbook
    version id (or None) for each technique asked about."""

    ids: dict[str, list[int]]
    versions: dict[str, int | None]


_ID_MODELS = {"case": Case, "alert": Alert}


def reserve(*, techniques: Collection[str] = (), **counts: int) -> Reservation:
    """Reserve primary keys, e.g. reserve(case=2, alert=5), and look up the published
    playbook version of each technique that opens a case, in one round trip on PostgreSQL.

    Rows written with known ids can be linked to each other (alert -> case, alert ->
    observables) before any of them is inserted, so all inserts travel together; and a
    case's reference (CASE-<year>-<pk>) is written with its row, without a max()+1 race.
    The version is read in the same statement, inside the intake transaction, so a case
    always pins the version published at that moment (no cache to invalidate).
    """
    conn = connections[DEFAULT_DB_ALIAS]
    wanted = {name: n for name, n in counts.items() if n > 0}
    ids: dict[str, list[int]] = {name: [] for name in counts}
    candidates = _version_candidates(techniques)
    published: dict[str, int] = {}
    if conn.vendor == "postgresql" and (wanted or candidates):
        parts, params = [], []
        for name, n in wanted.items():
            parts.append(
                "SELECT %s::text, nextval(pg_get_serial_sequence(%s::text, 'id')) FROM generate_series(1, %s::int)"
            )
            params += [name, _ID_MODELS[name]._meta.db_table, n]
        if candidates:
            parts.append(_published_versions_sql())
            params += [PlaybookVersion.Status.PUBLISHED, sorted(candidates)]
        with conn.cursor() as cursor:
            prepared.execute(cursor, [(" UNION ALL ".join(parts), params)])
            for name, pk in cursor.fetchall():
                if name.startswith(_VERSION_PREFIX):
                    published[name[len(_VERSION_PREFIX) :]] = pk
                else:
                    ids[name].append(pk)
    else:
        ids.update(_allocate_ids_sqlite(wanted))
        if candidates:
            published = dict(
                PlaybookVersion.objects.published()
                .filter(playbook__technique_id__in=candidates)
                .values_list("playbook__technique_id", "pk")
            )
    versions = {}
    for technique in techniques:
        # A sub-technique without a playbook of its own falls back to its parent's (the
        # rule of playbooks.services.current_version_for_technique).
        versions[technique] = published.get(technique) or published.get(technique.split(".")[0])
    return Reservation(ids=ids, versions=versions)


_VERSION_PREFIX = "version:"


def _version_candidates(techniques: Collection[str]) -> set[str]:
    return {t for technique in techniques if technique for t in (technique, technique.split(".")[0])}


@cache
def _published_versions_sql() -> str:
    """(\"version:<technique id>\", version id) of the published versions of the given
    playbooks; parameters: the published status, an array of technique ids."""
    qn = connection.ops.quote_name
    version, playbook = PlaybookVersion._meta, Playbook._meta
    return (
        f"SELECT '{_VERSION_PREFIX}' || p.{qn(playbook.get_field('technique_id').column)}, v.{qn(version.pk.column)} "  # noqa: S608 (identifiers from the models)
        f"FROM {qn(version.db_table)} v JOIN {qn(playbook.db_table)} p "
        f"ON p.{qn(playbook.pk.column)} = v.{qn(version.get_field('playbook').column)} "
        f"WHERE v.{qn(version.get_field('status').column)} = %s "
        f"AND p.{qn(playbook.get_field('technique_id').column)} = ANY(%s::text[])"
    )


def _allocate_ids_sqlite(wanted: dict[str, int]) -> dict[str, list[int]]:
    if not wanted:
        return {}
    if connection.vendor != "sqlite":
        raise NotImplementedError(f"id allocation for {connection.vendor}")
    # The intake transaction holds SQLite's write lock (BEGIN IMMEDIATE), so reading the
    # AUTOINCREMENT counter and inserting above it cannot race; inserting explicit ids
    # advances the counter.
    result = {}
    with connection.cursor() as cursor:
        for name, n in wanted.items():
            table = _ID_MODELS[name]._meta.db_table
            cursor.execute(
                "SELECT MAX(x) FROM (SELECT seq AS x FROM sqlite_sequence WHERE name = %s "  # noqa: S608
                f'UNION ALL SELECT MAX(id) FROM "{table}")',
                [table],
            )
            base = cursor.fetchone()[0] or 0
            result[name] = list(range(base + 1, base + 1 + n))
    return result


def case_reference(pk: int, year: int) -> str:
    return f"CASE-{year}-{pk:06d}"
