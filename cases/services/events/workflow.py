"""Events of the case workflow (cases.services.workflow): claims and assignments,
escalation and return, status changes, resolution and closing. Statuses are recorded as
their values ("from", "to") and shown as their labels."""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases.models import Case, CaseEvent

from .base import Verb, arrow, builds, given, join, renders, resolution_label, row, text


@builds(Verb.CLAIMED)
def claimed(case: Case, *, by, from_status: str, to_status: str) -> CaseEvent:
    return row(case, Verb.CLAIMED, by=by, data={"from": from_status, "to": to_status})


@renders(Verb.CLAIMED)
def render_claimed(event: CaseEvent, data: dict) -> SafeString:
    return join("Claimed", arrow(data))


@builds(Verb.ASSIGNED)
def assigned(
    case: Case, *, by, from_status: str, to_status: str, assignee: str, previous: str | None
) -> CaseEvent:
    """Assigned to `assignee` (a username); `previous` is the former assignee's, if any."""
    data = {"from": from_status, "to": to_status, "previous": previous, "assignee": assignee}
    return row(case, Verb.ASSIGNED, by=by, data=data)


def _was(data: dict) -> SafeString:
    return format_html(" (was {})", data["previous"]) if data.get("previous") else join()


@renders(Verb.ASSIGNED)
def render_assigned(event: CaseEvent, data: dict) -> SafeString:
    return join(format_html("Assigned to {}", text(data, "assignee", "?")), _was(data), arrow(data))


@builds(Verb.UNASSIGNED)
def unassigned(case: Case, *, by, from_status: str, to_status: str, previous: str | None) -> CaseEvent:
    data = {"from": from_status, "to": to_status, "previous": previous}
    return row(case, Verb.UNASSIGNED, by=by, data=data)


@renders(Verb.UNASSIGNED)
def render_unassigned(event: CaseEvent, data: dict) -> SafeString:
    return join("Unassigned", _was(data), arrow(data))


@builds(Verb.ESCALATED)
def escalated(
    case: Case, *, by, note: str, criteria_met: list[str], recommendation: str, override_reason: str
) -> CaseEvent:
    """Handed to T2 with a note; the criteria met and Vigil's recommendation as they were,
    and why the analyst went against it (or "")."""
    data = {
        "note": note,
        "criteria_met": list(criteria_met),
        "recommendation": recommendation,
        "override_reason": override_reason,
    }
    return row(case, Verb.ESCALATED, by=by, data=data)


@renders(Verb.ESCALATED)
def render_escalated(event: CaseEvent, data: dict) -> SafeString:
    parts = [format_html("Escalated to T2. Hand-off note: {}", text(data, "note"))]
    criteria = data.get("criteria_met")
    if criteria and isinstance(criteria, list):
        parts.append(format_html(" Criteria met: {}.", "; ".join(map(str, criteria))))
    if data.get("recommendation"):
        parts.append(format_html(" Vigil recommended: {}.", data["recommendation"]))
    if data.get("override_reason"):
        parts.append(format_html(" Reason: {}", data["override_reason"]))
    return join(*parts)


@builds(Verb.RETURNED)
def returned(case: Case, *, by, from_status: str, note: str, assignee: str | None) -> CaseEvent:
    """Sent back to L1: to `assignee` (a username), or to the triage queue (None)."""
    return row(case, Verb.RETURNED, by=by, data={"from": from_status, "note": note, "assignee": assignee})


@renders(Verb.RETURNED)
def render_returned(event: CaseEvent, data: dict) -> SafeString:
    return format_html("Returned to L1 ({}): {}", text(data, "assignee", "triage queue"), text(data, "note"))


@builds(Verb.STATUS_CHANGED)
def status_changed(case: Case, *, by, from_status: str, to_status: str, note: str | None = None) -> CaseEvent:
    """A move with no verb of its own (into containment, a reopening with its note)."""
    data = {"from": from_status, "to": to_status}
    if note is not None:
        data["note"] = note
    return row(case, Verb.STATUS_CHANGED, by=by, data=data)


@renders(Verb.STATUS_CHANGED)
def render_status_changed(event: CaseEvent, data: dict) -> SafeString:
    note = format_html(": {}", data["note"]) if data.get("note") else ""
    return join("Status changed", arrow(data), note)


@builds(Verb.RESOLVED)
def resolved(case: Case, *, by, from_status: str, resolution: str, summary: str) -> CaseEvent:
    data = {"from": from_status, "resolution": resolution, "summary": summary}
    return row(case, Verb.RESOLVED, by=by, data=data)


@renders(Verb.RESOLVED)
def render_resolved(event: CaseEvent, data: dict) -> SafeString:
    return format_html("Resolved ({}): {}", resolution_label(data.get("resolution")), text(data, "summary"))


class CloseDetails(TypedDict, total=False):
    """The optional parts of a close; one left out (None) is "not part of this close"."""

    duplicate_of: str | None  # the other case's reference
    recommendation: str | None  # Vigil's decision when L1 closed
    override_reason: str | None  # why L1 closed against it
    note: str | None  # the close's note


@builds(Verb.CLOSED)
def closed(
    case: Case, *, by, from_status: str, resolution: str, **details: Unpack[CloseDetails]
) -> CaseEvent:
    """Closed with `resolution`, and the `details` given (CloseDetails)."""
    data: dict = {"from": from_status, **given(details, CloseDetails)}
    data["resolution"] = resolution
    return row(case, Verb.CLOSED, by=by, data=data)


@renders(Verb.CLOSED)
def render_closed(event: CaseEvent, data: dict) -> SafeString:
    label = resolution_label(data.get("resolution"))
    parts = [format_html("Closed ({})", label) if label else join("Closed")]
    if data.get("duplicate_of"):
        parts.append(format_html(" as a duplicate of {}", data["duplicate_of"]))
    if data.get("note"):
        parts.append(format_html(": {}", data["note"]))
    if data.get("override_reason"):
        parts.append(format_html(" — against the recommendation because: {}", data["override_reason"]))
    return join(*parts)
