"""Database helpers of the intake service: set-based writes that keep ingestion at a
constant number of queries per request, and the few places that differ by backend."""

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F, Q
from django.db.models.base import ModelState
from django.db.models.constants import OnConflict
from django.db.models.signals import post_init, pre_init
from django.db.models.sql import InsertQuery, UpdateQuery
from django.utils import timezone

from cases.models import Alert, Case, CaseObservable, CaseStep, IngestSource, Observable
from playbooks.models import Playbook, PlaybookItem, PlaybookVersion

from .observables import is_internal

_ROW_FIELDS: dict[type, tuple[list[tuple[str, object, bool]], dict[str, str], frozenset[str]]] = {}


def _row_fields(model):
    if model not in _ROW_FIELDS:
        defaults = []
        for f in model._meta.concrete_fields:
            if f.has_default() and callable(f.default):
                defaults.append((f.attname, f.default, True))
            else:
                defaults.append((f.attname, f.get_default(), False))
        relations = {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}
        names = frozenset(f.attname for f in model._meta.concrete_fields) | relations.keys()
        _ROW_FIELDS[model] = (defaults, relations, names)
    return _ROW_FIELDS[model]


def new_row(model, **values):
    """`model(**values)` for the rows intake builds by the thousand (a batch of 500 new
    cases is ~5,000 instances), without Model.__init__, which costs ~6-13 us per instance
    (keyword resolution, descriptors, two signals). Same instance: every concrete field
    set, defaults included (callable ones called), a fresh ModelState; a related object
    passed by field name sets the id and is cached as the descriptor would. Falls back to
    the constructor when a pre_init/post_init receiver is connected for the model."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    defaults, relations, names = _row_fields(model)
    if not names.issuperset(values):
        raise TypeError(f"{model.__name__} has no field(s) {sorted(set(values) - names)}")
    obj = model.__new__(model)
    obj._state = ModelState()
    attrs = obj.__dict__
    for attname, default, call in defaults:
        attrs[attname] = default() if call else default
    for name, value in values.items():
        attname = relations.get(name, name)
        if attname != name:  # a related object
            attrs[attname] = None if value is None else value.pk
            obj._state.fields_cache[name] = value
        else:
            attrs[name] = value
    return obj


def ensure_observables(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Observable]:
    """Get or create every (type, value): one round trip on PostgreSQL, two elsewhere.

    No lock is taken on existing rows (a hot observable, e.g. a server every alert names,
    must not serialise ingestion). A value a concurrent transaction inserts at the same
    moment is read once that transaction commits.
    """
    wanted = set(pairs)
    if not wanted:
        return {}
    if connection.vendor == "postgresql":
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
    qn = connection.ops.quote_name
    opts = Observable._meta
    now = timezone.now()
    extra_columns, extra_selects, extra_params = [], [], []
    for field in opts.concrete_fields:
        if field.primary_key or field.name in ("type", "value", "is_internal"):
            continue
        value = (
            now
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
            else field.get_default()
        )
        extra_columns.append(qn(field.column))
        extra_selects.append(f"%s::{field.db_type(connection)}")
        extra_params.append(field.get_db_prep_save(value, connection))
    type_db = opts.get_field("type").db_type(connection)
    value_db = opts.get_field("value").db_type(connection)
    table = qn(opts.db_table)
    sql = (
        f"WITH input (type, value, is_internal) AS ("  # noqa: S608 (identifiers from the model)
        f"SELECT * FROM UNNEST(%s::{type_db}[], %s::{value_db}[], %s::boolean[])), "
        f"ins AS (INSERT INTO {table} (type, value, is_internal, {', '.join(extra_columns)}) "
        f"SELECT type, value, is_internal, {', '.join(extra_selects)} FROM input ORDER BY type, value "
        "ON CONFLICT (type, value) DO NOTHING RETURNING id, type, value, is_internal) "
        "SELECT id, type, value, is_internal FROM ins UNION ALL "
        f"SELECT o.id, o.type, o.value, o.is_internal FROM {table} o JOIN input i "
        "ON o.type = i.type AND o.value = i.value"
    )
    params = [[t for t, _ in rows], [v for _, v in rows], [is_internal(t, v) for t, v in rows], *extra_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (type_, value): new_row(Observable, id=pk, type=type_, value=value, is_internal=internal)
            for pk, type_, value, internal in cursor.fetchall()
        }


def _select_observables(pairs) -> dict[tuple[str, str], Observable]:
    by_type: dict[str, list[str]] = {}
    for type_, value in pairs:
        by_type.setdefault(type_, []).append(value)
    query = Q()
    for type_, values in by_type.items():
        query |= Q(type=type_, value__in=values)
    return {
        (o.type, o.value): o
        for o in Observable.objects.filter(query).only("id", "type", "value", "is_internal")
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
    transaction takes a PostgreSQL advisory lock per (technique, key entity) until commit,
    so the second waits and then finds the first one's case. The locks are sorted inside
    one statement, so every transaction takes them in the same order (no deadlock).
    SQLite serialises all writers already (BEGIN IMMEDIATE); there only the query runs.
    """
    if connection.vendor != "postgresql":
        links = CaseObservable.objects.filter(observable_id__in=observable_ids).order_by("-case_id")
        return list(links.values_list("case_id", "observable_id")[:limit])
    ids = _advisory_lock_ids(keys)
    with connection.cursor() as cursor:
        # Two statements in one execute: psycopg2 returns the last one's rows.
        cursor.execute(_lock_and_links_sql(), [ids, sorted(observable_ids), limit])
        return [tuple(row) for row in cursor.fetchall()]


@cache
def _lock_and_links_sql() -> str:
    """Compiled once per process (building the query with the ORM cost ~0.2 ms a request)."""
    qn = connection.ops.quote_name
    opts = CaseObservable._meta
    case, observable = (qn(opts.get_field(name).column) for name in ("case", "observable"))
    return (
        "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS keys;\n"  # noqa: S608 (identifiers from the model)
        f"SELECT {case}, {observable} FROM {qn(opts.db_table)} "
        f"WHERE {observable} = ANY(%s::bigint[]) ORDER BY {case} DESC LIMIT %s"
    )


def count_ingested(batch: "WriteBatch", source, n: int, at) -> None:
    """The source's alert counter and last-seen time, in the write batch."""
    if connection.vendor != "postgresql":
        batch.update(
            IngestSource.objects.filter(pk=source.pk), alert_count=F("alert_count") + n, last_seen_at=at
        )
        return
    field = IngestSource._meta.get_field("last_seen_at")
    batch.raw(_count_ingested_sql(), [n, field.get_db_prep_save(at, connection), source.pk])


@cache
def _count_ingested_sql() -> str:
    qn = connection.ops.quote_name
    opts = IngestSource._meta
    count, seen = (qn(opts.get_field(name).column) for name in ("alert_count", "last_seen_at"))
    return (
        f"UPDATE {qn(opts.db_table)} SET {count} = {count} + %s, {seen} = %s WHERE {qn(opts.pk.column)} = %s"  # noqa: S608
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
    wanted = {name: n for name, n in counts.items() if n > 0}
    ids: dict[str, list[int]] = {name: [] for name in counts}
    candidates = _version_candidates(techniques)
    published: dict[str, int] = {}
    if connection.vendor == "postgresql" and (wanted or candidates):
        parts, params = [], []
        for name, n in wanted.items():
            parts.append("SELECT %s, nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)")
            params += [name, _ID_MODELS[name]._meta.db_table, n]
        if candidates:
            parts.append(_published_versions_sql())
            params += [PlaybookVersion.Status.PUBLISHED, sorted(candidates)]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
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
        f"AND p.{qn(playbook.get_field('technique_id').column)} = ANY(%s)"
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


def create_steps(batch: "WriteBatch", cases: list[tuple[int, int]]) -> None:
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
    # The VALUES rows come first in the statement, then the defaults.
    batch.raw(sql, [value for pair in cases for value in pair] + params)


CASE_UPDATE_FIELDS = (
    "alert_count",
    "first_observed_at",
    "last_observed_at",
    "severity",
    "sla_due_at",
    "updated_at",
)


def update_joined_cases(batch: "WriteBatch", cases: list[Case]) -> None:
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
    batch.raw(sql, params)


def _same(values: list) -> bool:
    first = values[0]
    return all(type(v) is type(first) and v == first for v in values)


_COLUMNS: dict[tuple, list[tuple]] = {}


def _columns(model, fields) -> list[tuple]:
    """(field, quoted column, database type, is auto_now) per field, computed once per
    model and field set: db_type() and quote_name() are costly on the hot path."""
    key = (model, tuple(f.name for f in fields))
    if key not in _COLUMNS:
        conn = connections[DEFAULT_DB_ALIAS]
        _COLUMNS[key] = [
            (
                f,
                conn.ops.quote_name(f.column),
                f.db_type(conn),
                bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
            )
            for f in fields
        ]
    return _COLUMNS[key]


def _unnest_insert(model, objs, fields, conflict_on, update_fields) -> tuple[str, list]:
    """INSERT ... SELECT FROM UNNEST for PostgreSQL; see WriteBatch."""
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    now = timezone.now()
    columns, selects, select_params, arrays, array_params, names = [], [], [], [], [], []
    described = _columns(model, fields)
    for n, (field, column, db_type, auto_now) in enumerate(described):
        attname = field.attname
        if auto_now:
            for obj in objs:
                setattr(obj, attname, now)
        values = [getattr(obj, attname) for obj in objs]
        columns.append(column)
        if _same(values) and (arrays or n < len(described) - 1):
            selects.append(f"%s::{db_type}")
            select_params.append(field.get_db_prep_save(values[0], conn))
        else:
            name = f"c{len(names)}"
            names.append(name)
            selects.append(name)
            arrays.append(f"%s::{db_type}[]")
            array_params.append([field.get_db_prep_save(v, conn) for v in values])
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 (identifiers from the model)
        f"SELECT {', '.join(selects)} FROM UNNEST({', '.join(arrays)}) AS v({', '.join(names)})"
    )
    if conflict_on:
        opts = model._meta
        target = ", ".join(qn(opts.get_field(name).column) for name in conflict_on)
        sets = ", ".join(
            f"{qn(opts.get_field(n).column)} = EXCLUDED.{qn(opts.get_field(n).column)}" for n in update_fields
        )
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
    return sql, select_params + array_params


class WriteBatch:
    """INSERT and UPDATE statements collected during intake and sent together.

    On PostgreSQL (psycopg2) they go in one execute, i.e. one round trip for the whole
    write phase of a request, whatever the number of tables; elsewhere one by one. Rows
    carry pre-allocated ids (reserve), so nothing needs to come back.

    PostgreSQL inserts are `INSERT ... SELECT ... FROM UNNEST(<one array per column>)`
    (the shape bulk_create uses there too) with one difference that matters for speed: a
    column holding the same value in every row (defaults, mostly: a new case has ~30
    columns, ~8 of them differ) is sent once, not converted once per row. Values are
    still converted by each field's get_db_prep_save. Other databases use Django's
    InsertQuery, the code bulk_create runs.
    """

    def __init__(self) -> None:
        self.statements: list[tuple[str, list]] = []

    def insert(
        self, model, objs, *, update_conflicts_on=(), update_fields=(), ignore_conflicts=False
    ) -> None:
        if not objs:
            return
        opts = model._meta
        with_pk = all(obj.pk is not None for obj in objs)
        fields = [f for f in opts.concrete_fields if not f.generated and (with_pk or not f.primary_key)]
        on_conflict = None
        if update_conflicts_on:
            on_conflict = OnConflict.UPDATE
        elif ignore_conflicts:
            on_conflict = OnConflict.IGNORE
        query = InsertQuery(
            model,
            on_conflict=on_conflict,
            update_fields=[opts.get_field(name) for name in update_fields],
            unique_fields=[opts.get_field(name) for name in update_conflicts_on],
        )
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
        if connection.vendor == "postgresql":
            self.statements.append(_unnest_insert(model, objs, fields, update_conflicts_on, update_fields))
            for obj in objs:
                obj._state.adding = False
                obj._state.db = connection.alias
            return
        query.insert_values(fields, objs)
        self.statements += [
            (sql, list(params)) for sql, params in query.get_compiler(connection=connection).as_sql()
        ]
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias

    def raw(self, sql: str, params) -> None:
        self.statements.append((sql, list(params)))

    def update(self, queryset, **values) -> None:
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(values)
        sql, params = query.get_compiler(connection=connection).as_sql()
        if sql:
            self.raw(sql, params)

    def execute(self) -> None:
        if not self.statements:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    ";\n".join(sql for sql, _ in self.statements),
                    [param for _, params in self.statements for param in params],
                )
            else:
                for sql, params in self.statements:
                    cursor.execute(sql, params)
        self.statements = []


def stamp_dispatched(alert_ids: list[int], at) -> None:
    """Record that enrichment was handed to the broker. Runs after the intake commit, in
    autocommit; on PostgreSQL without waiting for the WAL flush (SET LOCAL in the same
    implicit transaction): losing this stamp in a database crash only means the sweeper
    sends the enrichment again, which is harmless, and it saves a disk flush per request."""
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        Alert.objects.filter(pk__in=alert_ids, dispatched_at__isnull=True).update(dispatched_at=at)
        return
    field = Alert._meta.get_field("dispatched_at")
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(), [field.get_db_prep_save(at, connection), list(alert_ids)])


@cache
def _stamp_sql() -> str:
    qn = connection.ops.quote_name
    opts = Alert._meta
    column = qn(opts.get_field("dispatched_at").column)
    return (
        "SET LOCAL synchronous_commit TO OFF;\n"
        f"UPDATE {qn(opts.db_table)} SET {column} = %s "
        f"WHERE {qn(opts.pk.column)} = ANY(%s) AND {column} IS NULL"
    )
