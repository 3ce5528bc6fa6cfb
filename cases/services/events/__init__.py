"""The case timeline (CaseEvent, append-only): one builder per verb, with typed keyword
arguments (a verb's optional details typed by its TypedDict, e.g. CloseDetails), returning an
unsaved row (bulk writers insert many at once; `record` saves one), and one renderer per
verb for the case page. Each verb is declared in the module of its area: its builders
decorated `@builds(verb)`, its renderer `@renders(verb)`; a verb without a renderer
renders generically.

    from cases.services import events
    events.record(events.claimed(case, by=user, from_status="new", to_status="triage"))

No writer builds `CaseEvent.data` itself (tests/cases/test_events_registry.py checks)."""

from .analysis import (
    ANALYST,
    CONTAINMENT,
    SUGGESTION_CONFIRMED,
    SUGGESTIONS_ACCEPTED,
    SuggestionChange,
    commented,
    merged,
    observable_added,
    observable_flagged,
    playbook_attached,
    step_updated,
    suggestions_updated,
)
from .base import REGISTRY, EventType, builds, record, render_event, renders
from .intake import alert_joined, created, evidence_added, observables_added, severity_raised
from .operations import case_contained, containment_action, sla_breached, sla_warning
from .workflow import assigned, claimed, closed, escalated, resolved, returned, status_changed, unassigned

__all__ = [
    "ANALYST",
    "CONTAINMENT",
    "REGISTRY",
    "SUGGESTIONS_ACCEPTED",
    "SUGGESTION_CONFIRMED",
    "EventType",
    "SuggestionChange",
    "alert_joined",
    "assigned",
    "builds",
    "case_contained",
    "claimed",
    "closed",
    "commented",
    "containment_action",
    "created",
    "escalated",
    "evidence_added",
    "merged",
    "observable_added",
    "observable_flagged",
    "observables_added",
    "playbook_attached",
    "record",
    "render_event",
    "renders",
    "resolved",
    "returned",
    "severity_raised",
    "sla_breached",
    "sla_warning",
    "status_changed",
    "step_updated",
    "suggestions_updated",
    "unassigned",
]
