"""Helpers shared by the metrics tests."""

from datetime import timedelta

from django.db.models import Min
from django.utils import timezone

from cases.models import Case


def day_before_every_case() -> str:
    """The ISO date of the day before the earliest case opened: a period ending then counts
    none of the test's cases, also when the test runs just after midnight (cases opened
    "50 minutes ago" are then yesterday's)."""
    earliest = Case.objects.aggregate(earliest=Min("opened_at"))["earliest"] or timezone.now()
    return (timezone.localdate(earliest) - timedelta(days=1)).isoformat()
