"""The figures of the metrics page, each one SQL aggregate over the cases in the range.

``metrics_tables(period)`` runs QUERY_COUNT queries whatever the number of cases (a test
asserts it). Durations are minutes; MTTA is opened -> acknowledged (claimed), MTTR is
opened -> resolved (or closed, for cases L1 closed). A case belongs to the range by its
opening; "analyst" is the case's assignee; "source" is the source of the case's first
alert (the one that opened it); "team" is a group the assignee belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case as CaseWhen
from django.db.models import CharField, Count, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate

from cases.models import Alert, Case, CaseStep, IngestSource, Severity
from containment.models import ContainmentAction
from playbooks.registry import ActionKey
from sla.models import Stage

from .period import Period
from .sign_ins import sign_in_events
from .sql import Percentiles, Seconds
from .tables import Table, minutes, rate

ENDED = [Case.Status.RESOLVED, Case.Status.CLOSED]
# Spelled out (not "not ended") so the (status, opened_at) index serves it.
OPEN = [status for status in Case.Status.values if status not in ENDED]


def _cases(period: Period, prefix: str = ""):
    """Cases opened in the period (and assigned to the team), or rows of a related model
    (prefix "case__") whose case is."""
    lookups = {f"{prefix}opened_at__gte": period.start, f"{prefix}opened_at__lt": period.end}
    if period.team is not None:
        lookups[f"{prefix}assignee__groups"] = period.team
    return lookups


def _ended():
    return Coalesce("resolved_at", "closed_at")


# --- MTTA / MTTR ------------------------------------------------------------------------


def _time_aggregates() -> dict:
    mtta = Seconds("acknowledged_at", "opened_at")
    mttr = Seconds(_ended(), "opened_at")
    return {
        "cases": Count("pk"),
        "mtta": Percentiles(mtta, (0.5, 0.9)),
        "mttr": Percentiles(mttr, (0.5, 0.9)),
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


def _time_table(period: Period, key: str, title: str, label: str, group_by, name=lambda v: v, fp=False):
    rows = (
        Case.objects.filter(**_cases(period))
        .annotate(group=group_by)
        .values("group")
        .annotate(**_time_aggregates())
        .order_by("group")
    )
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


def by_severity(period):
    labels = dict(Severity.choices)
    return _time_table(
        period,
        "by_severity",
        "MTTA and MTTR by severity",
        "Severity",
        F("severity"),
        lambda v: labels.get(v, v),
    )


def by_technique(period):
    return _time_table(
        period,
        "by_technique",
        "MTTA, MTTR and false positives by technique",
        "Technique",
        F("technique_id"),
        fp=True,
    )


def by_source(period):
    first_source = Subquery(
        Alert.objects.filter(case=OuterRef("pk")).order_by("observed_at", "pk").values("source")[:1]
    )
    names = dict(IngestSource.objects.values_list("pk", "name"))
    return _time_table(
        period,
        "by_source",
        "MTTA, MTTR and false positives by source",
        "Source",
        first_source,
        lambda pk: names.get(pk, pk),
        fp=True,
    )


def by_analyst(period):
    # By the assignee's id, named after (every user: a team's hundreds, not its cases), which
    # is cheaper than joining the users for every case.
    names = dict(get_user_model().objects.values_list("pk", "username"))
    table = _time_table(period, "by_analyst", "MTTA and MTTR by analyst", "Analyst", F("assignee_id"))
    table.rows = sorted(
        ({**row, "group": names.get(row["group"], row["group"])} for row in table.rows),
        key=lambda row: (row["group"] == "—", str(row["group"])),
    )
    return table


# --- summary, SLA ------------------------------------------------------------------------


def summary(period: Period) -> tuple[Table, tuple[int | None, int | None]]:
    """The summary figures, and the lowest and highest id of the cases in the period
    (ids grow with opening time, so other queries can bound their scans by them)."""
    row = Case.objects.filter(**_cases(period)).aggregate(
        lowest=Min("pk"),
        highest=Max("pk"),
        opened=Count("pk"),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        closed=Count("pk", filter=Q(status__in=ENDED)),
        false_positives=Count("pk", filter=Q(resolution=Case.Resolution.FALSE_POSITIVE)),
        # L1 decided (escalated or closed) with Vigil's recommendation recorded; going
        # against it requires an override reason, so an empty one means it was followed.
        decided=Count("pk", filter=Q(recommendation__has_key="decision")),
        followed=Count("pk", filter=Q(recommendation__has_key="decision", override_reason="")),
    )
    rows = [
        {"figure": "Cases opened", "value": row["opened"]},
        {"figure": "Cases escalated", "value": row["escalated"]},
        {"figure": "Escalation rate (%)", "value": rate(row["escalated"], row["opened"])},
        {"figure": "Cases closed or resolved", "value": row["closed"]},
        {"figure": "False-positive rate (%)", "value": rate(row["false_positives"], row["closed"])},
        {"figure": "L1 decisions with a recommendation", "value": row["decided"]},
        {"figure": "Recommendation agreement (%)", "value": rate(row["followed"], row["decided"])},
    ]
    table = Table("summary", "Summary", [("figure", "Figure"), ("value", "Value")], rows, chart="none")
    return table, (row["lowest"], row["highest"])


SLA_STAGES = {
    Stage.ACKNOWLEDGE: "acknowledged_at",
    Stage.T2_PICKUP: "t2_picked_up_at",
    Stage.CONTAINMENT: "containment_started_at",
    Stage.RESOLUTION: "ended_at",  # resolved_at or closed_at
}


def sla_compliance(period: Period, now: datetime) -> Table:
    """Per stage, among the cases whose stage started (its due time is set): met (ended by
    the due time), breached (ended later, or still open past it). Compliance is met over
    met + breached; stages still within their time are not counted yet."""
    aggregates = {}
    still_open = ~Q(status__in=ENDED)
    for stage, end in SLA_STAGES.items():
        due = f"sla_{stage}_due_at"
        started = Q(**{f"{due}__isnull": False})
        ended = Q(**{f"{end}__isnull": False})
        aggregates[f"{stage}_met"] = Count("pk", filter=started & ended & Q(**{f"{end}__lte": F(due)}))
        aggregates[f"{stage}_late"] = Count(
            "pk",
            filter=started
            & ((ended & Q(**{f"{end}__gt": F(due)})) | (~ended & still_open & Q(**{f"{due}__lt": now}))),
        )
    row = Case.objects.filter(**_cases(period)).annotate(ended_at=_ended()).aggregate(**aggregates)
    rows = []
    for stage in SLA_STAGES:
        met, late = row[f"{stage}_met"], row[f"{stage}_late"]
        rows.append(
            {"stage": Stage(stage).label, "met": met, "breached": late, "compliance": rate(met, met + late)}
        )
    columns = [("stage", "Stage"), ("met", "Met"), ("breached", "Breached"), ("compliance", "Compliance (%)")]
    return Table("sla", "SLA compliance per stage", columns, rows, chart_columns=["compliance"], unit="%")


# --- flow: per day, backlog ----------------------------------------------------------------


def _per_day(queryset, column: str, **counts) -> dict[date, dict]:
    rows = queryset.annotate(day=TruncDate(column)).values("day").annotate(**counts).order_by()
    return {row["day"]: row for row in rows}


def flow(period: Period) -> tuple[Table, Table]:
    """Cases opened and closed per day, and the backlog of each queue at the end of each
    day (L1: opened, not escalated, not ended; T2: escalated, not ended). Four queries."""
    team = {"assignee__groups": period.team} if period.team is not None else {}
    cases = Case.objects.filter(**team).annotate(ended_at=_ended())
    in_range = {"__gte": period.start, "__lt": period.end}
    opened = _per_day(Case.objects.filter(**_cases(period)), "opened_at", n=Count("pk"))
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
        Table(
            "per_day",
            "Cases opened and closed per day",
            [("day", "Day"), ("opened", "Opened"), ("closed", "Closed or resolved")],
            per_day,
            chart="lines",
            chart_columns=["opened", "closed"],
        ),
        Table(
            "backlog",
            "Backlog by queue (end of day)",
            [("day", "Day"), ("l1", "L1 queue"), ("t2", "T2 queue")],
            backlog,
            chart="lines",
            chart_columns=["l1", "t2"],
        ),
    )


# --- containment, assistant --------------------------------------------------------------


def containment(period: Period) -> Table:
    effect = Seconds("finished_at", "created_at")
    done = Q(status=ContainmentAction.Status.SUCCEEDED) | Q(finished_at__isnull=False)
    rows = (
        ContainmentAction.objects.filter(**_cases(period, "case__"))
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


# The analyst's value that agrees with the assistant's answer, per section.
AGREEING_VALUE = {
    "key_indicator": {"yes": "observed", "no": "not_observed"},
    "escalation_criterion": {"yes": "checked", "no": "unchecked"},
}


def agreement(period: Period, bounds: tuple[int | None, int | None]) -> Table:
    """How often the analyst's answer is the assistant's suggested one, per question and
    per escalation criterion (steps that had a suggestion and got an answer)."""
    answer = KeyTextTransform("answer", "suggestion")
    whens = [
        When(section=section, suggested=suggested, then=Value(agreeing))
        for section, mapping in AGREEING_VALUE.items()
        for suggested, agreeing in mapping.items()
    ]
    lowest, highest = bounds
    if lowest is None:
        lowest = highest = 0
    rows = (
        # The id bounds let PostgreSQL read the steps by the (case, item) index instead of
        # scanning them all; the period filter still decides.
        CaseStep.objects.filter(
            **_cases(period, "case__"),
            case_id__gte=lowest,
            case_id__lte=highest,
            suggestion__has_key="answer",
        )
        .exclude(value="")
        .annotate(suggested=answer)
        .annotate(agreeing=CaseWhen(*whens, default=F("suggested"), output_field=CharField()))
        .values("section", "item__text")
        .annotate(answered=Count("pk"), agreed=Count("pk", filter=Q(value=F("agreeing"))))
        .order_by("section", "item__text")
    )
    sections = {"question": "Question", "escalation_criterion": "Criterion", "key_indicator": "Indicator"}
    out = [
        {
            "kind": sections.get(row["section"], row["section"]),
            "item": row["item__text"],
            "answered": row["answered"],
            "agreed": row["agreed"],
            "agreement": rate(row["agreed"], row["answered"]),
        }
        for row in rows
    ]
    columns = [
        ("item", "Question or criterion"),
        ("kind", "Kind"),
        ("answered", "Answered"),
        ("agreed", "Agreed with the assistant"),
        ("agreement", "Agreement (%)"),
    ]
    return Table("agreement", "Assistant agreement", columns, out, chart_columns=["agreement"], unit="%")


QUERY_COUNT = 15


@transaction.atomic
def metrics_tables(period: Period, now: datetime) -> list[Table]:
    """Every table of the page, in QUERY_COUNT queries (SELECTs)."""
    if connection.vendor == "postgresql":
        # JIT compilation costs more than it saves on these sub-100 ms aggregates.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    summary_table, bounds = summary(period)
    per_day, backlog = flow(period)
    return [
        summary_table,
        per_day,
        backlog,
        by_severity(period),
        by_technique(period),
        by_source(period),
        by_analyst(period),
        sla_compliance(period, now),
        containment(period),
        agreement(period, bounds),
        sign_in_events(period),
    ]
