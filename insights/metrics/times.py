"""MTTA and MTTR (median and p90), cases and false positives by severity, technique, source
and analyst, exact. ``time_tables(period, names)`` computes the groupings named in one
query, one scan of the cases opened in the period; the page asks for two pairs, one on
each stream (``streams``).

On PostgreSQL the scan feeds one hash table per grouping (GROUPING SETS), each group
collecting its durations, in whole microseconds (bigint: PostgreSQL's integer sort is
faster than float8's), in an array; each array is sorted once, by percentile_disc picking
the values at percentile_cont's two closest ranks for both fractions, interpolated here as
percentile_cont would. One GROUP BY query per grouping instead sorted every case by its
group key before sorting its durations: 40% of a year's page. On SQLite (no grouping
sets, no arrays) the same CTE is grouped once per grouping in a UNION ALL and the
durations come back concatenated, interpolated in Python (``sql.interpolate``).

Every grouping is a column of the case itself, so no table looks anything up per case:
the source is ``Case.opening_source`` (written by intake with the case). A case whose
column is still empty (opened before intake wrote it, or by an intake that does not)
falls back to its "created" event's source, then to its earliest alert's, the same rule
as the backfill migration; PostgreSQL evaluates those lookups only for such cases.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from cases.models import Alert, Case, CaseEvent, IngestSource, Severity

from .filters import ENDED, cases_in, ended_at
from .period import Period
from .sql import Bytewise, Microseconds, interpolate, ranks
from .tables import Table, minutes, rate

FRACTIONS = (0.5, 0.9)  # median and p90

TIME_COLUMNS = [
    ("cases", "Cases"),
    ("mtta_median", "MTTA median (min)"),
    ("mtta_p90", "MTTA p90 (min)"),
    ("mttr_median", "MTTR median (min)"),
    ("mttr_p90", "MTTR p90 (min)"),
]
FP_COLUMNS = [("closed", "Closed"), ("false_positive_rate", "False positives (%)")]


def opening_source():
    """The case's opening source: its column, or (not yet written) the same rule as the
    backfill migration."""
    created = CaseEvent.objects.filter(
        case=OuterRef("pk"), verb=CaseEvent.Verb.CREATED, actor_source__isnull=False
    ).order_by("created_at", "pk")
    first_alert = Alert.objects.filter(case=OuterRef("pk")).order_by("observed_at", "pk")
    return Coalesce(
        F("opening_source_id"),
        Subquery(created.values("actor_source_id")[:1]),
        Subquery(first_alert.values("source_id")[:1]),
        output_field=BigIntegerField(),
    )


def _case_columns(period: Period) -> tuple[str, tuple]:
    """The SQL (and its parameters) of one row per case of the period: its four group keys,
    its two durations in microseconds and two flags. The ORM writes it (the period, the team's
    join, the fallback source); the grouping is written around it."""
    columns = {
        "g_severity": F("severity"),
        # Technique ids are ASCII: grouped bytewise, without the locale's rules.
        "g_technique": Bytewise("technique_id"),
        "g_source": opening_source(),
        # By the assignee's id, named after (a team's hundreds of users, not its cases).
        "g_analyst": F("assignee_id"),
        "tta": Microseconds("acknowledged_at", "opened_at"),
        "ttr": Microseconds(ended_at(), "opened_at"),
        "ended": ExpressionWrapper(Q(status__in=ENDED), output_field=BooleanField()),
        "false_positive": ExpressionWrapper(
            Q(resolution=Case.Resolution.FALSE_POSITIVE), output_field=BooleanField()
        ),
    }
    queryset = Case.objects.filter(**cases_in(period)).annotate(**columns).values(*columns).order_by()
    return queryset.query.sql_with_params()


# The per-group counts, the same SQL on both backends.
_COUNTS = (
    'count(*) AS "cases", count(*) FILTER (WHERE "ended") AS "closed", '
    'count(*) FILTER (WHERE "false_positive") AS "false_positives"'
)


def _rank_values_sql(durations: str) -> str:
    """The values at percentile_cont's two closest ranks, for each fraction, of an array of
    durations (no NULLs): percentile_disc at a fraction halfway into each rank picks
    exactly that rank, and sorts the array once for all of them."""
    count = f"cardinality({durations})"
    picks = ", ".join(
        f"({rounding}({fraction!r} * ({count} - 1)) + 0.5) / {count}"
        for fraction in FRACTIONS
        for rounding in ("floor", "ceil")
    )
    return (
        f"(SELECT percentile_disc(ARRAY[{picks}]) WITHIN GROUP (ORDER BY v) "  # noqa: S608 (constants)
        f"FROM unnest({durations}) AS v)"
    )


def _postgresql_sql(cases_sql: str, names: tuple[str, ...]) -> str:
    """A row per group of each grouping: which grouping (a flag per grouping), the keys
    (the other groupings' NULL), the counts, and for each duration how many cases have it
    and the values at its percentiles' ranks."""
    flags = ", ".join(f'GROUPING("g_{name}") = 0' for name in names)
    keys = ", ".join(f'"g_{name}"' for name in names)
    sets = ", ".join(f'("g_{name}")' for name in names)
    durations = ", ".join(f"cardinality({name}), {_rank_values_sql(name)}" for name in ("tta", "ttr"))
    arrays = ", ".join(
        f'array_agg("{name}") FILTER (WHERE "{name}" IS NOT NULL) AS {name}' for name in ("tta", "ttr")
    )
    return (
        f"WITH cases AS ({cases_sql}) "  # noqa: S608 (the ORM's SQL and constants; values are parameters)
        f'SELECT flags, {keys}, "cases", "closed", "false_positives", {durations} '
        f"FROM (SELECT ARRAY[{flags}] AS flags, {keys}, {_COUNTS}, {arrays} "
        f"FROM cases GROUP BY GROUPING SETS ({sets})) AS grouped"
    )


def _sqlite_sql(cases_sql: str, names: tuple[str, ...]) -> str:
    """The same rows on SQLite: the CTE grouped once per grouping, the durations
    concatenated (interpolated in Python)."""
    selects = []
    for name in names:
        flags = ", ".join("1" if other == name else "0" for other in names)
        keys = ", ".join(f'"g_{other}"' if other == name else "NULL" for other in names)
        selects.append(
            f'SELECT {flags}, {keys}, {_COUNTS}, group_concat("tta"), group_concat("ttr") '  # noqa: S608 (constants)
            f'FROM cases GROUP BY "g_{name}"'
        )
    return f"WITH cases AS ({cases_sql}) " + " UNION ALL ".join(selects)


def _from_ranks(count: int | None, values: list[int] | None) -> list[float | None]:
    """[median, p90] in seconds from the values at each fraction's two ranks (PostgreSQL),
    interpolated as percentile_cont does."""
    if not count:
        return [None] * len(FRACTIONS)
    out = []
    for index, fraction in enumerate(FRACTIONS):
        low, high = values[2 * index], values[2 * index + 1]
        out.append((low + (high - low) * ranks(count, fraction)[2]) / 1e6)
    return out


def _from_concatenated(value: str | None) -> list[float | None]:
    """[median, p90] in seconds from the concatenated microseconds (SQLite)."""
    values = [int(v) for v in (value or "").split(",") if v]
    return [None if not values else interpolate(values, fraction) / 1e6 for fraction in FRACTIONS]


def grouped_times(period: Period, names: tuple[str, ...]) -> dict[str, list[dict]]:
    """For each grouping named (a key of _TABLES), a row per group: ``group`` (its key),
    ``cases``, ``closed``, ``false_positives``, ``mtta`` and ``mttr`` (each [median, p90]
    in seconds, None where no case has the duration). One query."""
    cases_sql, params = _case_columns(period)
    postgresql = connection.vendor == "postgresql"
    sql = (_postgresql_sql if postgresql else _sqlite_sql)(cases_sql, names)
    width = len(names)
    out: dict[str, list[dict]] = {name: [] for name in names}
    with connection.cursor() as cursor:
        if postgresql:
            # The planner cannot tell how many sources the fallback expression yields, takes
            # them for one per case and sorts every case by it; the groups are a handful, so
            # hash them all (SET LOCAL: this transaction, undone below).
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(sql, params)
        found = cursor.fetchall()
        if postgresql:
            cursor.execute("SET LOCAL enable_sort TO DEFAULT")
        for row in found:
            flags, row = (row[0], row[1:]) if postgresql else (row[:width], row[width:])
            position = list(flags).index(True)
            key, (cases, closed, false_positives, *durations) = row[position], row[width:]
            if postgresql:
                mtta, mttr = _from_ranks(*durations[:2]), _from_ranks(*durations[2:])
            else:
                mtta, mttr = map(_from_concatenated, durations)
            out[names[position]].append(
                {
                    "group": key,
                    "cases": cases,
                    "closed": closed,
                    "false_positives": false_positives,
                    "mtta": mtta,
                    "mttr": mttr,
                }
            )
    for rows in out.values():  # as ORDER BY the key would (NULLs last)
        rows.sort(key=lambda row: (row["group"] is None, row["group"] if row["group"] is not None else 0))
    return out


def _time_table(key: str, title: str, label: str, rows: list[dict], name=lambda v: v, fp=False) -> Table:
    out = [
        {
            "group": name(row["group"]) if row["group"] not in (None, "") else "—",
            "cases": row["cases"],
            "mtta_median": minutes(row["mtta"][0]),
            "mtta_p90": minutes(row["mtta"][1]),
            "mttr_median": minutes(row["mttr"][0]),
            "mttr_p90": minutes(row["mttr"][1]),
            "closed": row["closed"],
            "false_positive_rate": rate(row["false_positives"], row["closed"]),
        }
        for row in rows
    ]
    columns = [("group", label), *TIME_COLUMNS, *(FP_COLUMNS if fp else [])]
    return Table(key, title, columns, out, chart_columns=["mtta_median", "mttr_median"], unit="min")


def _severity_table(rows: list[dict]) -> Table:
    severities = dict(Severity.choices)
    return _time_table(
        "by_severity", "MTTA and MTTR by severity", "Severity", rows, lambda v: severities.get(v, v)
    )


def _technique_table(rows: list[dict]) -> Table:
    title = "MTTA, MTTR and false positives by technique"
    return _time_table("by_technique", title, "Technique", rows, fp=True)


def _source_table(rows: list[dict]) -> Table:
    sources = dict(IngestSource.objects.values_list("pk", "name"))
    title = "MTTA, MTTR and false positives by source"
    return _time_table("by_source", title, "Source", rows, lambda pk: sources.get(pk, pk), fp=True)


def _analyst_table(rows: list[dict]) -> Table:
    # Every user (a team's hundreds, not its cases), cheaper than joining them per case.
    users = dict(get_user_model().objects.values_list("pk", "username"))
    table = _time_table("by_analyst", "MTTA and MTTR by analyst", "Analyst", rows)
    table.rows = sorted(
        ({**row, "group": users.get(row["group"], row["group"])} for row in table.rows),
        key=lambda row: (row["group"] == "—", str(row["group"])),
    )
    return table


_TABLES = {
    "severity": _severity_table,
    "technique": _technique_table,
    "source": _source_table,  # and a query for the sources' names
    "analyst": _analyst_table,  # and a query for the users' names
}


def time_tables(period: Period, names: tuple[str, ...]) -> list[Table]:
    """The tables of the groupings named, in that order: one query, and one more for the
    names of the sources and one for the users' where those are among them."""
    groups = grouped_times(period, names)
    return [_TABLES[name](groups[name]) for name in names]
