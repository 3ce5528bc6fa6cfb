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


def ended_at():
    return Coalesce("resolved_at", "closed_at")
