"""The figures of the metrics page, each one SQL aggregate over the cases in the range.

``metrics_tables(period)`` runs QUERY_COUNT queries whatever the number of cases (a test
asserts it). Durations are minutes; MTTA is opened -> acknowledged (claimed), MTTR is
opened -> resolved (or closed, for cases L1 closed). A case belongs to the range by its
opening; "analyst" is the case's assignee; "source" is the source of the alert that
opened the case (``Case.opening_source``); "team" is a group the assignee belongs to.
The MTTA/MTTR tables are in ``times``, the summary and SLA compliance in ``summary``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from cases.models import Case, CaseStep
from containment.models import ContainmentAction
from playbooks.models import PlaybookItem
from playbooks.registry import ActionKey, Section

from .filters import ENDED, OPEN, by_case_opening, cases_in, ended_at
from .period import Period
from .sign_ins import sign_in_events
from .sql import Percentiles, Seconds
from .streams import run_tasks
from .summary import summary_and_sla
from .tables import Table, minutes, rate
from .times import time_tables

# --- flow: per day, backlog ----------------------------------------------------------------


def _per_day(queryset, column: str, **counts) -> dict[date, dict]:
    rows = queryset.annotate(day=TruncDate(column)).values("day").annotate(**counts).order_by()
    return {row["day"]: row for row in rows}


def flow(period: Period) -> tuple[Table, Table]:
    """Cases opened and closed per day, and the backlog of each queue at the end of each
    day (L1: opened, not escalated, not ended; T2: escalated, not ended). Four queries."""
    team = {"assignee__groups": period.team} if period.team is not None else {}
    cases = Case.objects.filter(**team).annotate(ended_at=ended_at())
    in_range = {"__gte": period.start, "__lt": period.end}
    opened = _per_day(Case.objects.filter(**cases_in(period)), "opened_at", n=Count("pk"))
    ended = _per_day(
        # status__in: the partial expression index case_ended_idx serves the range.
        cases.filter(status__in=ENDED, **{f"ended_at{k}": v for k, v in in_range.items()}),
        "ended_at",
        l1=Count("pk", filter=Q(escalated_at__isnull=True)),
        t2=Count("pk", filter=Q(escalated_at__isnull=False)),
    )
    escalated = _per_day(
        cases.filter(**{f"escalated_at{k}": v for k, v in in_range.items()}), "escalated_at", n=Count("pk")
    )
    before = period.start
    # In a queue at the start: opened before it and still open, or ended after it (two
    # indexed conditions PostgreSQL ORs as bitmaps, instead of reading every older case).
    in_queue = Q(status__in=OPEN) | Q(status__in=ENDED, ended_at__gte=before)
    base = cases.filter(in_queue, opened_at__lt=before).aggregate(
        l1=Count("pk", filter=Q(escalated_at__isnull=True) | Q(escalated_at__gte=before)),
        t2=Count("pk", filter=Q(escalated_at__lt=before)),
    )
    per_day, backlog = [], []
    l1, t2 = base["l1"], base["t2"]
    empty = defaultdict(int)
    for day in period.days():
        o, e, x = opened.get(day, empty), ended.get(day, empty), escalated.get(day, empty)
        l1 += o["n"] - x["n"] - e["l1"]
        t2 += x["n"] - e["t2"]
        per_day.append({"day": day.isoformat(), "opened": o["n"], "closed": e["l1"] + e["t2"]})
        backlog.append({"day": day.isoformat(), "l1": l1, "t2": t2})
    return (
        _daily_table(
            "per_day",
            "Cases opened and closed per day",
            [("opened", "Opened"), ("closed", "Closed or resolved")],
            per_day,
        ),
        _daily_table(
            "backlog", "Backlog by queue (end of day)", [("l1", "L1 queue"), ("t2", "T2 queue")], backlog
        ),
    )


def _daily_table(key: str, title: str, columns: list[tuple[str, str]], rows: list[dict]) -> Table:
    """A row per day of the period, charted as one line per column after the day."""
    return Table(
        key,
        title,
        [("day", "Day"), *columns],
        rows,
        chart="lines",
        chart_columns=[column for column, _ in columns],
    )


# --- containment, assistant --------------------------------------------------------------


def containment(period: Period) -> Table:
    effect = Seconds("finished_at", "created_at")
    done = Q(status=ContainmentAction.Status.SUCCEEDED) | Q(finished_at__isnull=False)
    rows = (
        by_case_opening(ContainmentAction.objects, period)
        .values("kind", "status")
        .annotate(
            actions=Count("pk"),
            effect=Percentiles(effect, (0.5, 0.9), filter=done),
        )
        .order_by("kind", "status")
    )
    kinds, statuses = dict(ActionKey.choices), dict(ContainmentAction.Status.choices)
    out = [
        {
            "action": f"{kinds.get(row['kind'], row['kind'])}: {statuses.get(row['status'], row['status'])}",
            "actions": row["actions"],
            "effect_median": minutes(row["effect"][0]),
            "effect_p90": minutes(row["effect"][1]),
        }
        for row in rows
    ]
    columns = [
        ("action", "Action and outcome"),
        ("actions", "Actions"),
        ("effect_median", "Time to effect, median (min)"),
        ("effect_p90", "Time to effect, p90 (min)"),
    ]
    return Table("containment", "Containment actions by outcome", columns, out, chart_columns=["actions"])


def agreement(period: Period) -> Table:
    """How often the analyst's answer was the assistant's suggestion, per question and per
    escalation criterion: the steps answered while they had a suggestion, as the step
    service recorded it (``agreed_with_suggestion``, against the suggestion the analyst
    saw; a later refresh of the suggestions does not rewrite it). Counted by the case's
    opening time copied onto the step (``case_opened_at``), from the partial index
    case_step_agreement_idx alone, so no case is joined (but with a team filter); the
    items are named after (a playbook's few)."""
    steps = by_case_opening(CaseStep.objects.filter(agreed_with_suggestion__isnull=False), period)
    counts = (
        steps.values("item_id")
        .annotate(
            # Counted on the indexed column (not the id), so the index answers alone.
            answered=Count("agreed_with_suggestion"),
            agreed=Count("agreed_with_suggestion", filter=Q(agreed_with_suggestion=True)),
        )
        .order_by()
    )
    counts = {row["item_id"]: row for row in counts}
    # [0] (no item) when nothing was answered: still one query, so the count stays fixed.
    items = PlaybookItem.objects.filter(pk__in=list(counts) or [0]).values_list("pk", "section", "text")
    sections = {
        Section.QUESTION: "Question",
        Section.ESCALATION_CRITERION: "Criterion",
        Section.KEY_INDICATOR: "Indicator",
    }
    out = sorted(
        (
            {
                "kind": sections.get(section, section),
                "item": text,
                "answered": counts[pk]["answered"],
                "agreed": counts[pk]["agreed"],
                "agreement": rate(counts[pk]["agreed"], counts[pk]["answered"]),
                "_order": (section, text),
            }
            for pk, section, text in items
        ),
        key=lambda row: row.pop("_order"),
    )
    columns = [
        ("item", "Question or criterion"),
        ("kind", "Kind"),
        ("answered", "Answered"),
        ("agreed", "Agreed with the assistant"),
        ("agreement", "Agreement (%)"),
    ]
    return Table("agreement", "Assistant agreement", columns, out, chart_columns=["agreement"], unit="%")


QUERY_COUNT = 13


def _finishing(task: Callable, finish: Callable[[Table], None]) -> Callable:
    """The task, then ``finish`` on each table it made, in the same stream."""

    def run():
        made = task()
        for table in made if isinstance(made, list | tuple) else [made]:
            finish(table)
        return made

    return run


def metrics_tables(
    period: Period, now: datetime, finish: Callable[[Table], None] | None = None
) -> list[Table]:
    """Every table of the page, in QUERY_COUNT queries (SELECTs), on one or more
    connections (``streams``). ``finish`` (the page's drawing) runs on each table in the
    stream that made it, while the other stream's queries still run. The tasks are
    listed so that two streams, each taking the next task when it is free, finish about
    together (timed per task for a year of 100,000 cases, two streams at once: 137 + 90 +
    11 + 3 ms and 126 + 65 + 58 ms)."""
    tasks = [
        lambda: time_tables(period, ("source", "analyst")),  # 150 ms (and two name lists)
        lambda: time_tables(period, ("severity", "technique")),  # 125
        lambda: agreement(period),  # 65
        lambda: flow(period),  # 85 (four queries)
        lambda: summary_and_sla(period, now),  # 60
        lambda: containment(period),  # 11
        lambda: sign_in_events(period),  # 3
    ]
    if finish is not None:
        tasks = [_finishing(task, finish) for task in tasks]
    (
        (source, analyst),
        (severity, technique),
        agreement_table,
        flow_tables,
        (summary_table, sla_table),
        containment_table,
        sign_ins,
    ) = run_tasks(tasks)
    per_day, backlog = flow_tables
    return [
        summary_table,
        per_day,
        backlog,
        severity,
        technique,
        source,
        analyst,
        sla_table,
        containment_table,
        agreement_table,
        sign_ins,
    ]
