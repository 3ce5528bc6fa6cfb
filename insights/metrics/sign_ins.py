"""Sign-in events per day (accounts.models.SignInEvent): one query, for the metrics page,
its API and CSV. With a team filter, the events of the team's members (failures for a
name that is no account belong to no team)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from accounts.models import SignInEvent

from .tables import Table

Kind = SignInEvent.Kind
# (column, label, kind) in the order the table shows them.
SIGN_IN_COLUMNS = [
    ("sign_ins", "Sign-ins", Kind.SIGN_IN),
    ("failures", "Failed sign-ins", Kind.FAILURE),
    ("lockouts", "Lockouts", Kind.LOCKOUT),
    ("second_factor_failures", "Second-factor failures", Kind.SECOND_FACTOR_FAILED),
    ("tokens_first_used", "Tokens used for the first time", Kind.TOKEN_FIRST_USE),
]


def sign_in_events(period) -> Table:
    """Per day of the period, how many of each sign-in event were recorded."""
    events = SignInEvent.objects.filter(
        created_at__gte=period.start,
        created_at__lt=period.end,
        kind__in=[kind for _, _, kind in SIGN_IN_COLUMNS],
    )
    if period.team is not None:
        events = events.filter(user__groups=period.team)
    rows = (
        events.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(**{column: Count("pk", filter=Q(kind=kind)) for column, _, kind in SIGN_IN_COLUMNS})
        .order_by()
    )
    found = {row["day"]: row for row in rows}
    out = []
    for day in period.days():
        row = found.get(day, {})
        out.append(
            {"day": day.isoformat(), **{column: row.get(column, 0) for column, _, _ in SIGN_IN_COLUMNS}}
        )
    return Table(
        "sign_ins",
        "Sign-in events per day",
        [("day", "Day"), *((column, label) for column, label, _ in SIGN_IN_COLUMNS)],
        out,
        chart="lines",
        chart_columns=[column for column, _, _ in SIGN_IN_COLUMNS[:4]],  # four colours; tokens in the table
    )
