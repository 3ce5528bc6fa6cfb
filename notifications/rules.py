"""Which timeline events notify whom, and what they say (pure: an event in, a plan out).

    escalated                                  -> case_escalated     -> T2 analysts
    containment, event requested, proposed     -> approval_requested -> approvers but the requester
    containment, event approved / rejected     -> approval_decided   -> the requester (unless they did it)
    containment, event failed                  -> action_failed      -> the requester and the assignee
    sla_warning / sla_breached (the SLA scan)  -> sla_*              -> the assignee, else the managers

Audiences are names (resolved to users by notifications.services): "t2", "approvers",
"managers", or a user id.

Each notification says which case (reference and title), what happened, who did it and
the details its reader acts on (the hand-off note, the action and its guardrails, the
error, the SLA stage with its target and due time). The text is built from the event's
structured data, so events recorded before this wording existed read the same. A body is
a tuple of parts: text, and datetimes that `Planned.text()` writes in the recipient's
time zone (24-hour, with the zone's name).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo

from django.utils.dateparse import parse_datetime

from containment.policy import reason_labels
from playbooks.registry import ActionKey
from sla.models import Stage

from .models import Kind

VERBS = ("escalated", "containment", "sla_warning", "sla_breached")
BODY_LIMIT = 1000  # characters of any one piece of analyst- or alert-supplied text
KIND_LABELS = dict(ActionKey.choices)
STAGE_LABELS = dict(Stage.choices)
RECOMMENDATIONS = {"escalate": "escalating", "close": "closing"}


@dataclass(frozen=True)
class Planned:
    kind: str
    title: str
    body: tuple = ()
    audiences: tuple = ()
    exclude: frozenset = field(default_factory=frozenset)
    # Structured facts for the webhook's consumers (times as ISO 8601, UTC offsets kept).
    details: dict = field(default_factory=dict)

    def text(self, zone: tzinfo | None = None) -> str:
        """The body, its datetimes written in `zone` (default UTC)."""
        zone = zone or zoneinfo.ZoneInfo("UTC")
        return "".join(format_time(p, zone) if isinstance(p, datetime) else str(p) for p in self.body)


def format_time(at: datetime, zone: tzinfo) -> str:
    """24-hour time with the zone's abbreviation, as the pages show times."""
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def duration(minutes: float) -> str:
    """15 min, 4 h, 1 h 30 min, 2 d 3 h: a target or an elapsed time in words."""
    total = max(0, round(float(minutes)))
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    if days:
        parts[2] = ""  # "2 d 3 h" is precise enough
    return " ".join(p for p in parts if p) or "0 min"


def _clip(value) -> str:
    text = "" if value is None else str(value).strip()
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1] + "…"


def _action_label(data: dict) -> str:
    kind = str(data.get("kind") or "")
    label = KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())
    return f"{label} {_clip(data.get('target'))}".strip()


def _when(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return parse_datetime(value) if isinstance(value, str) else None


@dataclass(frozen=True)
class Occurrence:
    """What `plan` reads of one timeline event and its case."""

    verb: str
    data: dict
    reference: str
    title: str
    assignee_id: int | None = None
    actor_id: int | None = None
    actor_name: str = ""  # "" when Vigil itself recorded it
    requested_by_id: int | None = None  # the containment action's requester
    requested_by_name: str = ""

    @property
    def case(self) -> str:
        return f"{self.reference} “{self.title}”"

    @property
    def actor(self) -> str:
        return self.actor_name or "Vigil"


def _escalated(e: Occurrence) -> Planned:
    data = e.data
    body = [f"{e.actor} escalated {e.case} to T2.\n"]
    note = _clip(data.get("note"))
    body.append(f"Hand-off note: {note}" if note else "No hand-off note.")
    criteria = data.get("criteria_met")
    if isinstance(criteria, list) and criteria:
        met = "; ".join(str(c).strip().rstrip(".") for c in criteria)
        body.append(f"\nCriteria met: {_clip(met)}.")
    recommended = RECOMMENDATIONS.get(data.get("recommendation"), _clip(data.get("recommendation")))
    if recommended:
        body.append(f"\nVigil recommended {recommended}.")
    if data.get("override_reason"):
        body.append(f"\nReason for going against it: {_clip(data['override_reason'])}")
    return Planned(
        Kind.CASE_ESCALATED,
        f"{e.reference} escalated to T2: {e.title}",
        tuple(body),
        ("t2",),
        frozenset({e.actor_id}) if e.actor_id else frozenset(),
        {"note": note, "criteria_met": criteria if isinstance(criteria, list) else []},
    )


def _containment(e: Occurrence) -> Planned | None:
    data, event = e.data, e.data.get("event")
    what = _action_label(data)
    details = {"action": data.get("action"), "kind": data.get("kind"), "target": data.get("target")}
    requester = e.requested_by_name or e.actor
    if event == "requested" and data.get("status") == "proposed":
        body = [f"{requester} asks to {what} on {e.case}."]
        if data.get("reason"):
            body.append(f"\nReason: {_clip(data['reason'])}")
        sensitive = data.get("sensitive") if isinstance(data.get("sensitive"), list) else []
        if sensitive:
            why = "; ".join(reason_labels(sensitive))
            body.append(f"\nIt needs approval because it {why}.")
        body.append("\nApprove or reject it in the approvals inbox.")
        return Planned(
            Kind.APPROVAL_REQUESTED,
            f"{e.reference}: approval needed to {what}",
            tuple(body),
            ("approvers",),
            frozenset({e.requested_by_id or e.actor_id} - {None}),
            {**details, "guardrails": sensitive},
        )
    if event in ("approved", "rejected") and e.requested_by_id and e.requested_by_id != e.actor_id:
        body = [f"{e.actor} {event} your request to {what} on {e.case}."]
        if event == "approved":
            body.append(" It is queued to run.")
        body.append(f"\nReason: {_clip(data['reason'])}" if data.get("reason") else "")
        return Planned(
            Kind.APPROVAL_DECIDED,
            f"{e.reference}: {what} {event}",
            tuple(body),
            (e.requested_by_id,),
            details={**details, "decision": event, "by": e.actor_name},
        )
    if event == "failed":
        attempts = data.get("attempt")
        tried = (
            f" after {attempts} attempt{'s' if attempts != 1 else ''}" if isinstance(attempts, int) else ""
        )
        body = [f"{what} on {e.case} failed{tried}."]
        if data.get("error"):
            body.append(f"\nError: {_clip(data['error'])}")
        body.append(
            "\nIt will not be retried by itself; retry or withdraw it on the case's containment panel."
            if data.get("permanent")
            else "\nRetry or withdraw it on the case's containment panel."
        )
        audiences = tuple(dict.fromkeys(a for a in (e.requested_by_id, e.assignee_id) if a))
        return Planned(
            Kind.ACTION_FAILED,
            f"{e.reference}: {what} failed",
            tuple(body),
            audiences,
            details={**details, "error": _clip(data.get("error")), "permanent": bool(data.get("permanent"))},
        )
    return None


def _sla(e: Occurrence) -> Planned:
    data, breached = e.data, e.verb == "sla_breached"
    stage = str(data.get("stage") or "")
    stage_label = STAGE_LABELS.get(stage, stage.replace("_", " ") or "Unnamed")
    due = _when(data.get("due"))
    target = data.get("target")
    target_text = duration(target) if isinstance(target, int | float) else "its target"
    elapsed = data.get("elapsed")
    body: list = [f"{e.case}: the stage “{stage_label}” "]
    if breached:
        body += ["passed its target of ", target_text, *([": it was due ", due] if due else []), "."]
    else:
        body += ["will pass its target of ", target_text, *([" at ", due] if due else []), "."]
    if isinstance(elapsed, int | float):
        body.append(f" {duration(elapsed)} elapsed when Vigil checked.")
    body.append(" Nobody holds the case." if e.assignee_id is None else "")
    kind = Kind.SLA_BREACHED if breached else Kind.SLA_WARNING
    words = "SLA breached" if breached else "SLA about to breach"
    return Planned(
        kind,
        f"{e.reference}: {stage_label} {words}: {e.title}",
        tuple(body),
        (e.assignee_id,) if e.assignee_id else ("managers",),
        details={
            "stage": stage,
            "stage_label": stage_label,
            "target_minutes": target,
            "due_at": due.isoformat() if due else None,
            "elapsed_minutes": elapsed,
        },
    )


def plan(event: Occurrence) -> Planned | None:
    """The notification one event makes, or None."""
    if not isinstance(event.data, dict):
        event = replace(event, data={})
    if event.verb == "escalated":
        return _escalated(event)
    if event.verb == "containment":
        return _containment(event)
    if event.verb in ("sla_warning", "sla_breached"):
        return _sla(event)
    return None
