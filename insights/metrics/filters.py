"""What every metrics query shares: which cases are in the period, and when a case ended."""

from __future__ import annotations

from django.db.models.functions import Coalesce

from cases.models import Case

from .period import Period

ENDED = [Case.Status.RESOLVED, Case.Status.CLOSED]
# Spelled out (not "not ended") so the (status, opened_at) index serves it.
OPEN = [status for status in Case.Status.values if status not in ENDED]


def cases_in(period: Period, prefix: str = "") -> dict:
    """Cases opened in the period (and assigned to the team), or rows of a related model
    (prefix "case__") whose case is."""
    lookups = {f"{prefix}opened_at__gte": period.start, f"{prefix}opened_at__lt": period.end}
    if period.team is not None:
        lookups[f"{prefix}assignee__groups"] = period.team
    return lookups


def by_case_opening(queryset, period: Period):
    """Rows of a model that copies its case's opening time (``case_opened_at``: steps,
    containment actions) whose case is in the period, counted from that table alone (the
    case is joined only for a team)."""
    rows = queryset.filter(case_opened_at__gte=period.start, case_opened_at__lt=period.end)
    if period.team is not None:
        rows = rows.filter(case__assignee__groups=period.team)
    return rows


def ended_at():
    return Coalesce("resolved_at", "closed_at")
