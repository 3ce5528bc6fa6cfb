"""Events other apps write on a case's timeline through cases' own builders: containment
(each change of an action, and the case's "contained" milestone, one verb) and the SLA
scan's warnings and breaches. Cases imports neither app: the builders take plain values."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, Unpack

from django.utils.safestring import SafeString

from cases.models import Case, CaseEvent

from .base import Verb, builds, given, join, render_generic, renders, row

CONTAINED = "contained"  # the containment milestone of the case


class ContainmentDetails(TypedDict, total=False):
    """The optional details of a containment change, recorded when given (None leaves one
    out)."""

    reason: str | None
    sensitive: bool | None
    override: dict | None
    expires_at: str | None
    previous_attempts: int | None
    last_error: str | None
    changes: dict | None
    attempt: int | None
    result: dict | None
    error: str | None
    permanent: bool | None
    retry_in: float | None


@builds(Verb.CONTAINMENT)
def containment_action(
    case: Case,
    *,
    by=None,
    action_id: int,
    kind: str,
    kind_label: str,
    target: str,
    status: str,
    event: str,
    **details: Unpack[ContainmentDetails],
) -> CaseEvent:
    """One change (`event`: requested, approved, failed...) of a containment action, with
    the action's status after it, and the `details` given (ContainmentDetails);
    notifications read `event`, `status`, `reason` and `error`."""
    data = {
        "action": action_id,
        "kind": kind,
        "target": target,
        "event": event,
        "status": status,
        "summary": f"{kind_label} {target}: {event.replace('_', ' ')}",
    }
    data.update(given(details, ContainmentDetails))
    return row(case, Verb.CONTAINMENT, by=by, data=data)


@builds(Verb.CONTAINMENT)
def case_contained(case: Case, *, by=None) -> CaseEvent:
    """The case reached its containment milestone (by `by`, or Vigil when an action
    succeeded)."""
    return row(case, Verb.CONTAINMENT, by=by, data={"milestone": CONTAINED})


@renders(Verb.CONTAINMENT)
def render_containment(event: CaseEvent, data: dict) -> SafeString:
    if data.get("milestone") == CONTAINED:
        return join("Case contained")
    return render_generic(event, data)


def _sla(verb: str, case: Case, stage: str, target_minutes: int, due_at: datetime, elapsed_minutes: float):
    data = {
        "stage": stage,
        "target": target_minutes,
        "due": due_at.isoformat(),
        "elapsed": round(elapsed_minutes, 1),
    }
    return row(case, verb, data=data)


@builds(Verb.SLA_WARNING)
def sla_warning(
    case: Case, *, stage: str, target_minutes: int, due_at: datetime, elapsed_minutes: float
) -> CaseEvent:
    """The clock of `stage` nears its target (recorded once, by Vigil)."""
    return _sla(Verb.SLA_WARNING, case, stage, target_minutes, due_at, elapsed_minutes)


@builds(Verb.SLA_BREACHED)
def sla_breached(
    case: Case, *, stage: str, target_minutes: int, due_at: datetime, elapsed_minutes: float
) -> CaseEvent:
    """The clock of `stage` passed its target (recorded once, by Vigil)."""
    return _sla(Verb.SLA_BREACHED, case, stage, target_minutes, due_at, elapsed_minutes)
