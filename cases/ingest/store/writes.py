"""The write phase: every insert and update of an intake transaction, sent together."""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from cases.models import Alert, Case, CaseStep, IngestTally
from playbooks.models import PlaybookItem
from soc.internals import check_related_for_bulk_write, db_values, new_row, plain_types

from . import prepared


def count_ingested(batch, source, n: int, at) -> None:
    """The source's alert count and last-seen time, as one IngestTally row in the batch:
    an insert that locks no row other requests of the source need (see IngestTally)."""
    batch.insert(IngestTally, [new_row(IngestTally, source_id=source.pk, alerts=n, last_seen_at=at)])


def create_steps(batch: "WriteBatch", cases: list[tuple[int, int]]) -> None:
    """One CaseStep per item of each case's pinned playbook version, in one statement.

    `cases` holds (case id, playbook version id). The items are copied server-side with
    INSERT ... SELECT, so a batch of cases costs one round trip and no model instances;
    every other column gets its model default, read from the model so a new field with a
    default needs no change here.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if not cases:
        return
    if isinstance(batch, OrmBatch):
        batch.call(lambda: _create_steps_orm(cases))
        return
    sql, default_fields = _create_steps_sql()
    defaults = [f.get_db_prep_save(f.get_default(), conn) for f in default_fields]
    batch.raw(sql, [[case for case, _ in cases], [version for _, version in cases], *defaults])


def _create_steps_orm(cases: list[tuple[int, int]]) -> None:
    items: dict[int, list[tuple]] = {}
    for pk, version, section, order in PlaybookItem.objects.filter(
        version_id__in={version for _, version in cases}
    ).values_list("pk", "version_id", "section", "order"):
        items.setdefault(version, []).append((section, order, pk))
    CaseStep.objects.bulk_create(
        new_row(CaseStep, case_id=case, item_id=pk, section=section, order=order)
        for case, version in cases
        for section, order, pk in sorted(items.get(version, ()))
    )


@cache
def _create_steps_sql() -> tuple[str, list]:
    """The statement and the fields given their default (PostgreSQL): the cases come as two
    arrays, one statement text whatever their number (see prepared.py)."""
    qn = connection.ops.quote_name
    copied = {"case": "c.case_id", "item": "i.id", "section": "i.section", "order": 'i."order"'}
    columns, expressions, default_fields = [], [], []
    for field in CaseStep._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        if field.name in copied:
            expressions.append(copied[field.name])
        else:
            expressions.append(f"%s::{field.db_type(connection)}")
            default_fields.append(field)
    cases = "SELECT * FROM UNNEST(%s::bigint[], %s::bigint[])"
    sql = (
        f"WITH c(case_id, version_id) AS ({cases}) "  # noqa: S608 (identifiers from the model)
        f"INSERT INTO {qn(CaseStep._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM c JOIN {qn(PlaybookItem._meta.db_table)} i "
        'ON i.version_id = c.version_id ORDER BY c.case_id, i.section, i."order"'
    )
    return sql, default_fields


CASE_UPDATE_FIELDS = (
    "alert_count",
    "techniques",
    "first_observed_at",
    "last_observed_at",
    "severity",
    "sla_due_at",
    "updated_at",
)


def update_joined_cases(batch: "WriteBatch", cases: list[Case]) -> None:
    """Write the new counters, times and techniques of cases that alerts joined. The rows
    are locked (select_for_update) by the caller, so absolute values computed from what it
    read are safe. On PostgreSQL one UPDATE ... FROM UNNEST(one array per column) (one
    statement text whatever their number, see prepared.py; bulk_update would build a CASE
    per field and row); elsewhere the ORM's bulk_update."""
    conn = connections[DEFAULT_DB_ALIAS]
    if not cases:
        return
    if isinstance(batch, OrmBatch):
        batch.call(lambda: Case.objects.bulk_update(cases, CASE_UPDATE_FIELDS))
        return
    qn = conn.ops.quote_name
    fields = [Case._meta.get_field(name) for name in CASE_UPDATE_FIELDS]
    names = ", ".join(["id", *(f.column for f in fields)])
    assignments = ", ".join(f"{qn(f.column)} = v.{f.column}" for f in fields)
    table = qn(Case._meta.db_table)
    columns = [[case.pk for case in cases]] + [
        [f.get_db_prep_save(getattr(case, f.attname), conn) for case in cases] for f in fields
    ]
    arrays = ", ".join(["%s::bigint[]", *(f"%s::{f.db_type(conn)}[]" for f in fields)])
    rows, params = f"SELECT * FROM UNNEST({arrays})", columns  # noqa: S608 (types from the model)
    sql = (
        f"WITH v({names}) AS ({rows}) "  # noqa: S608 (identifiers from the model)
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.id"
    )
    batch.raw(sql, params)


def _same(values: list) -> bool:
    first = values[0]
    return all(type(v) is type(first) and v == first for v in values)


_COLUMNS: dict[tuple, list[tuple]] = {}


def _columns(model, fields) -> list[tuple]:
    """(field, quoted column, database type, is auto_now, plain types) per field,
    computed once per model and field set: db_type() and quote_name() are costly on the
    hot path."""
    key = (model, tuple(f.name for f in fields))
    if key not in _COLUMNS:
        conn = connections[DEFAULT_DB_ALIAS]
        _COLUMNS[key] = [
            (
                f,
                conn.ops.quote_name(f.column),
                f.db_type(conn),
                bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
                plain_types(f),
            )
            for f in fields
        ]
    return _COLUMNS[key]


def _unnest_insert(model, objs, fields, conflict_on, update_fields) -> tuple[str, list]:
    """INSERT ... SELECT FROM UNNEST for PostgreSQL; see WriteBatch."""
    conn = connections[DEFAULT_DB_ALIAS]
    now = None
    shape, scalars, arrays = [], [], []
    described = _columns(model, fields)
    last = len(described) - 1
    single = len(objs) == 1
    for n, (field, _column, _db_type, auto_now, plain) in enumerate(described):
        attname = field.attname
        if auto_now:
            now = now or timezone.now()
            for obj in objs:
                setattr(obj, attname, now)
        values = [getattr(obj, attname) for obj in objs]
        # A value shared by every row is sent once; UNNEST needs at least one array.
        is_scalar = (single or _same(values)) and (bool(arrays) or n < last)
        shape.append(is_scalar)
        if is_scalar:
            scalars.append(db_values(field, values[:1], plain, conn)[0])
        else:
            arrays.append(db_values(field, values, plain, conn))
    sql = _unnest_sql(
        model, tuple(f.name for f in fields), tuple(shape), tuple(conflict_on), tuple(update_fields)
    )
    return sql, scalars + arrays


@cache
def _unnest_sql(
    model, field_names: tuple, shape: tuple[bool, ...], conflict_on: tuple, update_fields: tuple
) -> str:
    """The statement text for these columns, each sent as one value (True) or an array."""
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    opts = model._meta
    described = _columns(model, [opts.get_field(name) for name in field_names])
    columns, selects, arrays, names = [], [], [], []
    for (_field, column, db_type, _auto_now, _plain), is_scalar in zip(described, shape, strict=True):
        columns.append(column)
        if is_scalar:
            selects.append(f"%s::{db_type}")
        else:
            name = f"c{len(names)}"
            names.append(name)
            selects.append(name)
            arrays.append(f"%s::{db_type}[]")
    sql = (
        f"INSERT INTO {qn(opts.db_table)} ({', '.join(columns)}) "  # noqa: S608 (identifiers from the model)
        f"SELECT {', '.join(selects)} FROM UNNEST({', '.join(arrays)}) AS v({', '.join(names)})"
    )
    if conflict_on:
        target = ", ".join(qn(opts.get_field(name).column) for name in conflict_on)
        sets = ", ".join(
            f"{qn(opts.get_field(n).column)} = EXCLUDED.{qn(opts.get_field(n).column)}" for n in update_fields
        )
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
    return sql


class WriteBatch:
    """INSERT and UPDATE statements collected during intake and sent together (PostgreSQL).

    They go in one execute (psycopg2), i.e. one round trip for the whole write phase of a
    request, whatever the number of tables. Rows carry pre-allocated ids (reserve), so
    nothing needs to come back.

    Inserts are `INSERT ... SELECT ... FROM UNNEST(<one array per column>)` (the shape
    bulk_create uses there too) with one difference that matters for speed: a column
    holding the same value in every row (defaults, mostly: a new case has ~30 columns, ~8
    of them differ) is sent once, not converted once per row. Values are still converted
    by each field's get_db_prep_save. Other databases use OrmBatch, the plain ORM.
    """

    def __init__(self) -> None:
        self.statements: list[tuple[str, list]] = []

    @staticmethod
    def for_connection() -> "WriteBatch | OrmBatch":
        """The batch this database gets: the fast path on PostgreSQL, the ORM elsewhere."""
        return WriteBatch() if connections[DEFAULT_DB_ALIAS].vendor == "postgresql" else OrmBatch()

    def insert(self, model, objs, *, update_conflicts_on=(), update_fields=()) -> None:
        if not objs:
            return
        opts = model._meta
        with_pk = all(obj.pk is not None for obj in objs)
        fields = [f for f in opts.concrete_fields if not f.generated and (with_pk or not f.primary_key)]
        for obj in objs:
            check_related_for_bulk_write(obj)
        conn = connections[DEFAULT_DB_ALIAS]
        self.statements.append(_unnest_insert(model, objs, fields, update_conflicts_on, update_fields))
        for obj in objs:
            obj._state.adding = False
            obj._state.db = conn.alias

    def raw(self, sql: str, params) -> None:
        self.statements.append((sql, list(params)))

    def execute(self) -> None:
        conn = connections[DEFAULT_DB_ALIAS]
        if not self.statements:
            return
        with conn.cursor() as cursor:
            prepared.execute(cursor, self.statements)
        self.statements = []


class OrmBatch:
    """The same writes through the plain ORM (bulk_create, bulk_update), one by one, for
    databases other than PostgreSQL (SQLite in embedded mode)."""

    def __init__(self) -> None:
        self.operations: list = []

    def insert(self, model, objs, *, update_conflicts_on=(), update_fields=()) -> None:
        if not objs:
            return
        options = {}
        if update_conflicts_on:
            options = {
                "update_conflicts": True,
                "unique_fields": list(update_conflicts_on),
                "update_fields": list(update_fields),
            }
        self.operations.append(lambda: model.objects.bulk_create(objs, **options))

    def call(self, operation) -> None:
        self.operations.append(operation)

    def execute(self) -> None:
        for operation in self.operations:
            operation()
        self.operations = []


def stamp_dispatched(alert_ids: list[int], at) -> None:
    """Record that enrichment was handed to the broker. Runs after the intake commit, in
    autocommit; on PostgreSQL without waiting for the WAL flush (SET LOCAL in the same
    implicit transaction): losing this stamp in a database crash only means the sweeper
    sends the enrichment again, which is harmless, and it saves a disk flush per request."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql" or not conn.get_autocommit():
        Alert.objects.filter(pk__in=alert_ids, dispatched_at__isnull=True).update(dispatched_at=at)
        return
    field = Alert._meta.get_field("dispatched_at")
    with conn.cursor() as cursor:
        prepared.execute(
            cursor,
            [(_stamp_sql(), [field.get_db_prep_save(at, conn), list(alert_ids)])],
            prefix="SET LOCAL synchronous_commit TO OFF;\n",
        )


@cache
def _stamp_sql() -> str:
    qn = connection.ops.quote_name
    opts = Alert._meta
    column = qn(opts.get_field("dispatched_at").column)
    return (
        f"UPDATE {qn(opts.db_table)} SET {column} = %s "  # noqa: S608 (identifiers from the model)
        f"WHERE {qn(opts.pk.column)} = ANY(%s::bigint[]) AND {column} IS NULL"
    )
