"""MTTA and MTTR (median and p90) by severity, technique, source and analyst: one query
per table, each one scan of the cases opened in the period and one sort per figure (the
severity scan also counts the summary's figures, ``summary``).

Every grouping is a column of the case itself, so no table looks anything up per case:
the source is ``Case.opening_source`` (written by intake with the case). A case whose
column is still empty (opened before intake wrote it, or by an intake that does not)
falls back to its "created" event's source, then to its earliest alert's, the same rule
as the backfill migration; PostgreSQL evaluates those lookups only for such cases.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from cases.models import Alert, Case, CaseEvent, IngestSource, Severity

from .filters import ENDED, cases_in, ended_at
from .period import Period
from .sql import Bytewise, Percentiles, Seconds
from .tables import Table, minutes, rate


def _time_aggregates() -> dict:
    return {
        "cases": Count("pk"),
        "mtta": Percentiles(Seconds("acknowledged_at", "opened_at"), (0.5, 0.9)),
        "mttr": Percentiles(Seconds(ended_at(), "opened_at"), (0.5, 0.9)),
        "closed": Count("pk", filter=Q(status__in=ENDED)),
        "false_positives": Count("pk", filter=Q(resolution=Case.Resolution.FALSE_POSITIVE)),
    }


TIME_COLUMNS = [
    ("cases", "Cases"),
    ("mtta_median", "MTTA median (min)"),
    ("mtta_p90", "MTTA p90 (min)"),
    ("mttr_median", "MTTR median (min)"),
    ("mttr_p90", "MTTR p90 (min)"),
]
FP_COLUMNS = [("closed", "Closed"), ("false_positive_rate", "False positives (%)")]


def _time_rows(period: Period, group_by, **extra) -> list[dict]:
    """One row per group: the time aggregates and any ``extra`` ones, in one scan."""
    return list(
        Case.objects.filter(**cases_in(period))
        .annotate(group=group_by, ended_at=ended_at())
        .values("group")
        .annotate(**_time_aggregates(), **extra)
        .order_by("group")
    )


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


def by_severity(period, **extra) -> tuple[Table, list[dict]]:
    """The table, and its rows as the query returned them (with the ``extra`` aggregates:
    every case of the period is in exactly one severity row, so sums over them are the
    period's totals)."""
    labels = dict(Severity.choices)
    rows = _time_rows(period, F("severity"), **extra)
    table = _time_table(
        "by_severity", "MTTA and MTTR by severity", "Severity", rows, lambda v: labels.get(v, v)
    )
    return table, rows


def by_technique(period):
    # Technique ids are ASCII: grouped bytewise, the same order without the locale's rules.
    return _time_table(
        "by_technique",
        "MTTA, MTTR and false positives by technique",
        "Technique",
        _time_rows(period, Bytewise("technique_id")),
        fp=True,
    )


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


def by_source(period):
    names = dict(IngestSource.objects.values_list("pk", "name"))
    return _time_table(
        "by_source",
        "MTTA, MTTR and false positives by source",
        "Source",
        _time_rows(period, opening_source()),
        lambda pk: names.get(pk, pk),
        fp=True,
    )


def by_analyst(period):
    # By the assignee's id, named after (every user: a team's hundreds, not its cases), which
    # is cheaper than joining the users for every case.
    names = dict(get_user_model().objects.values_list("pk", "username"))
    rows = _time_rows(period, F("assignee_id"))
    table = _time_table("by_analyst", "MTTA and MTTR by analyst", "Analyst", rows)
    table.rows = sorted(
        ({**row, "group": names.get(row["group"], row["group"])} for row in table.rows),
        key=lambda row: (row["group"] == "—", str(row["group"])),
    )
    return table
