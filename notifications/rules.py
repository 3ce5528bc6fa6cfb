"""Which timeline events notify whom (pure: an event in, a plan out).

    escalated                                  -> case_escalated     -> T2 analysts
    containment, event requested, proposed     -> approval_requested -> approvers but the requester
    containment, event approved / rejected     -> approval_decided   -> the requester
    containment, event failed                  -> action_failed      -> the requester and the assignee
    sla_warning / sla_breached (metrics)       -> sla_*              -> the assignee, else the managers

Audiences are names (resolved to users by notifications.services): "t2", "approvers",
"managers", or a user id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Kind

VERBS = ("escalated", "containment", "sla_warning", "sla_breached")


@dataclass(frozen=True)
class Planned:
    kind: str
    title: str
    body: str = ""
    audiences: tuple = ()
    exclude: frozenset = field(default_factory=frozenset)


def plan(
    *,
    verb: str,
    data: dict,
    reference: str,
    title: str,
    assignee_id: int | None,
    actor_id: int | None,
    requested_by_id: int | None = None,
) -> Planned | None:
    """The notification one event makes, or None. `requested_by_id` is the containment
    action's requester (looked up by the caller for containment events)."""
    data = data if isinstance(data, dict) else {}
    if verb == "escalated":
        return Planned(
            Kind.CASE_ESCALATED,
            f"{reference} escalated to T2: {title}",
            str(data.get("note", ""))[:1000],
            ("t2",),
            frozenset({actor_id}) if actor_id else frozenset(),
        )
    if verb == "containment":
        event, what = (
            data.get("event"),
            f"{data.get('kind', '').replace('_', ' ')} {data.get('target', '')}".strip(),
        )
        if event == "requested" and data.get("status") == "proposed":
            return Planned(
                Kind.APPROVAL_REQUESTED,
                f"{reference}: approval needed for {what}",
                str(data.get("reason", ""))[:1000],
                ("approvers",),
                frozenset({requested_by_id or actor_id} - {None}),
            )
        if event in ("approved", "rejected") and requested_by_id:
            return Planned(
                Kind.APPROVAL_DECIDED,
                f"{reference}: {what} {event}",
                str(data.get("reason", ""))[:1000],
                (requested_by_id,),
            )
        if event == "failed":
            audiences = tuple(dict.fromkeys(a for a in (requested_by_id, assignee_id) if a))
            return Planned(
                Kind.ACTION_FAILED,
                f"{reference}: {what} failed",
                str(data.get("error", ""))[:1000],
                audiences,
            )
        return None
    if verb in ("sla_warning", "sla_breached"):
        kind = Kind.SLA_WARNING if verb == "sla_warning" else Kind.SLA_BREACHED
        words = "is about to breach its SLA" if verb == "sla_warning" else "breached its SLA"
        return Planned(
            kind,
            f"{reference} {words}: {title}",
            str(data.get("summary", ""))[:1000],
            (assignee_id,) if assignee_id else ("managers",),
        )
    return None
