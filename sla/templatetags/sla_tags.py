"""{% sla_countdown case %}: the running stage's countdown and every stage's measure,
computed from the case's milestones (no query: the policies are cached per render)."""

from django import template
from django.utils import timezone

from sla.services import clocks_for, policies
from sla.stages import current_clock

register = template.Library()


def _minutes(delta) -> int:
    return int(abs(delta.total_seconds()) // 60)


@register.inclusion_tag("sla/_countdown.html", takes_context=True)
def sla_countdown(context, case, compact=False, brief=False):
    """`compact`: the running stage's badge and due time only (lists); `brief`: the badge
    alone, its due time in the tooltip (the dashboard's narrow queue tables)."""
    cache = context.render_context
    if "sla_policies" not in cache:
        cache["sla_policies"] = policies()
    now = timezone.now()
    clocks = clocks_for(case, cache["sla_policies"])
    current = current_clock(clocks)
    rows = []
    for clock in clocks:
        end = clock.ended_at or now
        rows.append(
            {
                "clock": clock,
                "state": clock.state(now),
                "elapsed_minutes": _minutes(end - clock.started_at),
            }
        )
    remaining = (current.due_at - now) if current else None
    return {
        "case": case,
        "compact": compact or brief,
        "brief": brief,
        "current": current,
        "current_state": current.state(now) if current else "",
        "remaining_minutes": _minutes(remaining) if remaining is not None else None,
        "overdue": remaining is not None and remaining.total_seconds() < 0,
        "rows": rows,
    }
