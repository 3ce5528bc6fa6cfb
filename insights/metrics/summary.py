"""The summary figures and SLA compliance per stage: plain counts over the cases opened in
the period, in one aggregate (no sort: the durations' percentiles are in ``times``)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q

from cases.models import Case
from sla.models import Stage

from .filters import ENDED, cases_in, ended_at
from .period import Period
from .tables import Table, rate

SLA_STAGES = {
    Stage.ACKNOWLEDGE: "acknowledged_at",
    Stage.T2_PICKUP: "t2_picked_up_at",
    Stage.CONTAINMENT: "containment_started_at",
    Stage.RESOLUTION: "ended_at",  # resolved_at or closed_at
}


def _sla_counts(now: datetime) -> dict:
    """Per stage, among the cases whose stage started (its due time is set): met (ended by
    the due time), breached (ended later, or still open past it)."""
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
    return aggregates


def _summary_counts(now: datetime) -> dict:
    return {
        "cases": Count("pk"),
        "closed": Count("pk", filter=Q(status__in=ENDED)),
        "false_positives": Count("pk", filter=Q(resolution=Case.Resolution.FALSE_POSITIVE)),
        "escalated": Count("pk", filter=Q(escalated_at__isnull=False)),
        # L1 decided (escalated or closed) with Vigil's recommendation recorded; going
        # against it requires an override reason, so an empty one means it was followed.
        "decided": Count("pk", filter=Q(recommendation__has_key="decision")),
        "followed": Count("pk", filter=Q(recommendation__has_key="decision", override_reason="")),
        **_sla_counts(now),
    }


def summary_and_sla(period: Period, now: datetime) -> tuple[Table, Table]:
    """The summary table and the SLA table, from one aggregate. SLA compliance is met over
    met + breached; stages still within their time are not counted yet."""
    cases = Case.objects.filter(**cases_in(period)).annotate(ended_at=ended_at())
    row = cases.aggregate(**_summary_counts(now))
    rows = [
        {"figure": "Cases opened", "value": row["cases"]},
        {"figure": "Cases escalated", "value": row["escalated"]},
        {"figure": "Escalation rate (%)", "value": rate(row["escalated"], row["cases"])},
        {"figure": "Cases closed or resolved", "value": row["closed"]},
        {"figure": "False-positive rate (%)", "value": rate(row["false_positives"], row["closed"])},
        {"figure": "L1 decisions with a recommendation", "value": row["decided"]},
        {"figure": "Recommendation agreement (%)", "value": rate(row["followed"], row["decided"])},
    ]
    summary = Table("summary", "Summary", [("figure", "Figure"), ("value", "Value")], rows, chart="none")
    stages = []
    for stage in SLA_STAGES:
        met, late = row[f"{stage}_met"], row[f"{stage}_late"]
        stages.append(
            {"stage": Stage(stage).label, "met": met, "breached": late, "compliance": rate(met, met + late)}
        )
    columns = [("stage", "Stage"), ("met", "Met"), ("breached", "Breached"), ("compliance", "Compliance (%)")]
    sla = Table("sla", "SLA compliance per stage", columns, stages, chart_columns=["compliance"], unit="%")
    return summary, sla
