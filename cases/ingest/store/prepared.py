"""Server-side prepared statements for intake's statements on PostgreSQL.

Intake sends the same few statements for every alert. psycopg2 sends each one as text,
which PostgreSQL parses, analyzes and plans again on every request: measured with perf
under the single-alert benchmark, that was about 40% of the server's CPU per alert. Here
each statement is prepared once per database connection (PREPARE, one extra round trip
the first time) and every later request only sends `EXECUTE name(values)`, which the
server runs from the cached plan.

Statements are identified by their SQL text, so callers keep writing plain SQL with %s
placeholders; it must have a fixed shape (arrays, not a placeholder per row) so a handful
of texts cover every request. Each connection prepares at most MAX_PER_CONNECTION texts
and sends any beyond that unprepared.

The values are sent with an explicit cast to the type PostgreSQL inferred for each
parameter (read from pg_prepared_statements when preparing), so a value whose literal
alone is ambiguous (an array of NULLs, '{}') binds like it would in the plain statement.

Off (VIGIL_DB_PREPARED_STATEMENTS=0) behind a connection pooler in transaction mode
(PgBouncer's pool_mode=transaction), where statements prepared with SQL PREPARE are not
there on the next transaction's server connection; and on other databases, where the
statements run as they are.
"""

import itertools
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

MAX_PER_CONNECTION = 200
# Never reused in a process: should a round trip fail after some of its PREPAREs ran on
# the server, retrying under new names cannot collide with them.
_NAME_NUMBERS = itertools.count(1)  # next() on it is atomic: threads may share it
_PLACEHOLDER = re.compile(r"%([s%])")


@dataclass
class _Prepared:
    """The statements prepared on one server connection: SQL text -> (name, types)."""

    server_connection: object
    statements: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


def _numbered(sql: str) -> str:
    """psycopg2's %s placeholders as PostgreSQL's $1, $2, ... (and %% as %)."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        if match.group(1) == "%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql)


def _registry(conn) -> _Prepared:
    # Keyed by the psycopg2 connection: Django opens a new one after CONN_MAX_AGE or an
    # error, and that server session has prepared nothing yet.
    server_connection = conn.connection
    registry = getattr(conn, "_vigil_prepared", None)
    if registry is None or registry.server_connection is not server_connection:
        registry = _Prepared(server_connection)
        conn._vigil_prepared = registry
    return registry


def _prepare(cursor, registry: _Prepared, texts: list[str]) -> None:
    """PREPARE these statements and read the parameter types the server inferred, in one
    round trip. A statement that fails to prepare is a bug: the error propagates."""
    names = {}
    for text in texts:
        if len(registry.statements) + len(names) >= MAX_PER_CONNECTION:
            break
        names[text] = f"vigil_intake_{next(_NAME_NUMBERS)}"
    if not names:
        return
    prepares = [f"PREPARE {name} AS {_numbered(text)}" for text, name in names.items()]
    cursor.execute(
        ";\n".join(
            [
                *(p.replace("%", "%%") for p in prepares),
                "SELECT name, parameter_types::text[] FROM pg_prepared_statements WHERE name = ANY(%s)",
            ]
        ),
        [list(names.values())],
    )
    types = dict(cursor.fetchall())
    for text, name in names.items():
        registry.statements[text] = (name, tuple(types[name]))


def execute(cursor, statements: list[tuple[str, list]], *, prefix: str = "") -> None:
    """Run these (sql, params) statements in one round trip; the cursor holds the last
    one's rows. `prefix` is sent first as it is (e.g. `SET LOCAL ...;`, which cannot be
    prepared)."""
    conn = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy looks it up
    if conn.vendor != "postgresql" or not settings.VIGIL_DB_PREPARED_STATEMENTS:
        cursor.execute(
            prefix + ";\n".join(sql for sql, _ in statements),
            [value for _, params in statements for value in params],
        )
        return
    registry = _registry(conn)
    missing = list(dict.fromkeys(sql for sql, _ in statements if sql not in registry.statements))
    if missing:
        _prepare(cursor, registry, missing)
    parts, values = [], []
    for sql, params in statements:
        prepared = registry.statements.get(sql)
        if prepared is None:  # over the per-connection limit
            parts.append(sql)
        else:
            name, types = prepared
            parts.append(
                f"EXECUTE {name}({', '.join(f'%s::{t}' for t in types)})" if types else f"EXECUTE {name}"
            )
        values += params
    cursor.execute(prefix + ";\n".join(parts), values)
