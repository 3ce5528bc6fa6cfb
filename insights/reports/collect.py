"""What a case report says, as plain data: sections of fields, paragraphs and tables.

Read in a fixed number of queries (the case page's selectors plus the containment
ledger); nothing here formats or escapes: the renderers do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils import timezone

from cases import selectors
from cases.models import Case, CaseStep
from cases.services.steps import suggestion_as_value
from playbooks.registry import Section as StepSection


@dataclass
class Block:
    kind: str  # "fields" | "paragraph" | "table"
    title: str = ""
    text: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    generated_at: str
    sections: list[Section]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z") if value else "—"


def _who(user) -> str:
    return user.get_username() if user is not None else "—"


def _label(step: CaseStep, value: str) -> str:
    return CaseStep.Value(value).label if value in CaseStep.Value.values and value else "—"


def _evidence(step: CaseStep) -> str:
    items = (step.suggestion or {}).get("evidence") or []
    return "; ".join(
        " / ".join(str(item.get(key, "")) for key in ("observable", "source", "detail") if item.get(key))
        for item in items
        if isinstance(item, dict)
    )


def _enrichment(observable) -> str:
    parts = []
    for key, value in sorted((observable.enrichment or {}).items()):
        if isinstance(value, dict):
            text = value.get("summary") or value.get("verdict") or json.dumps(value, sort_keys=True)
        else:
            text = json.dumps(value)
        parts.append(f"{key}: {str(text)[:300]}")
    return "; ".join(parts) or "—"


def _step_rows(steps: list[CaseStep]) -> list[list[str]]:
    rows = []
    for step in steps:
        suggestion = step.suggestion or {}
        suggested = suggestion_as_value(step)
        rows.append(
            [
                step.item.text,
                _label(step, step.value),
                _who(step.updated_by),
                _label(step, suggested) if suggested else "—",
                str(suggestion.get("reason", "")) or "—",
                _evidence(step) or "—",
                step.note or "—",
            ]
        )
    return rows


STEP_HEADER = [
    "Item",
    "Answer",
    "Answered by",
    "Assistant suggested",
    "Assistant's reason",
    "Evidence",
    "Note",
]
# The steps' tables: the decision's always (an empty one says the playbook had none), a
# checklist's only when the case has its steps.
DECISION_TABLES = (
    (StepSection.QUESTION, "Analysis questions"),
    (StepSection.KEY_INDICATOR, "Key indicators"),
    (StepSection.ESCALATION_CRITERION, "Escalation criteria"),
)
CHECKLIST_TABLES = (
    (StepSection.LOG_SOURCE, "Log sources"),
    (StepSection.L1_STEP, "L1 steps"),
    (StepSection.T2_ACTION, "T2 actions"),
    (StepSection.CONTAINMENT_STEP, "Containment steps"),
)


def _step_table(title: str, steps: list[CaseStep]) -> Block:
    return Block("table", title=title, header=STEP_HEADER, rows=_step_rows(steps))


def collect(case: Case) -> Report:
    steps = selectors.case_steps(case)
    by_section: dict[str, list[CaseStep]] = {}
    for step in steps:
        by_section.setdefault(step.section, []).append(step)
    recommendation = case.recommendation or {}

    summary = Section(
        "Summary",
        [
            Block(
                "fields",
                fields=[
                    ("Case", case.reference),
                    ("Title", case.title),
                    ("Severity", case.get_severity_display()),
                    ("Status", case.get_status_display()),
                    ("Tier", case.get_tier_display()),
                    ("Assignee", _who(case.assignee)),
                    ("Technique", case.technique_id or "—"),
                    ("Alerts", str(case.alert_count)),
                    ("Opened", _when(case.opened_at)),
                    ("Acknowledged", _when(case.acknowledged_at)),
                    ("Escalated", _when(case.escalated_at)),
                    ("T2 picked up", _when(case.t2_picked_up_at)),
                    ("Containment started", _when(case.containment_started_at)),
                    ("Contained", _when(case.contained_at)),
                    ("Resolved", _when(case.resolved_at)),
                    ("Closed", _when(case.closed_at)),
                ],
            ),
            Block("paragraph", title="Hand-off note (L1 to T2)", text=case.handoff_note or "—"),
        ],
    )
    decision = Section(
        "Questions, criteria and recommendation",
        [
            *(_step_table(title, by_section.get(section, [])) for section, title in DECISION_TABLES),
            Block(
                "fields",
                title="Recommendation",
                fields=[
                    ("Vigil recommended", str(recommendation.get("decision", "—"))),
                    ("Because", str(recommendation.get("reason", "—"))),
                    ("Override reason", case.override_reason or "—"),
                ],
            ),
        ],
    )
    checklists = Section(
        "Checklists",
        [
            _step_table(title, by_section[section])
            for section, title in CHECKLIST_TABLES
            if by_section.get(section)
        ],
    )
    observables = Section(
        "Observables",
        [
            Block(
                "table",
                header=["Type", "Value", "Internal", "Other cases", "Enrichment"],
                rows=[
                    [
                        link.observable.get_type_display(),
                        link.observable.value,
                        "yes" if link.observable.is_internal else "no",
                        str(link.other_cases),
                        _enrichment(link.observable),
                    ]
                    for link in selectors.case_observables(case)
                ],
            )
        ],
    )
    actions = case.actions.select_related("requested_by", "approved_by", "overridden_by").order_by(
        "created_at", "pk"
    )
    containment = Section(
        "Containment ledger",
        [
            Block(
                "table",
                header=[
                    "Action",
                    "Target",
                    "Status",
                    "Requested by",
                    "Reason",
                    "Approval",
                    "Executed",
                    "Reverted",
                    "Error",
                ],
                rows=[
                    [
                        action.get_kind_display(),
                        action.target,
                        action.get_status_display(),
                        f"{_who(action.requested_by)} at {_when(action.created_at)}",
                        action.reason or "—",
                        (
                            f"{_who(action.approved_by)} at {_when(action.approved_at)}"
                            if action.approved_by_id
                            else ("needed: " + "; ".join(map(str, action.sensitive_reasons)))
                            if action.sensitive_reasons
                            else "not needed"
                        )
                        + (
                            f" (guardrail override: {action.override_reason})"
                            if action.override_reason
                            else ""
                        ),
                        f"{_when(action.started_at)} to {_when(action.finished_at)}, {action.attempts} attempt(s)",
                        _when(action.reverted_at),
                        action.last_error or "—",
                    ]
                    for action in actions
                ],
            )
        ],
    )
    timeline = Section(
        "Timeline",
        [
            Block(
                "table",
                header=["When", "Who", "What", "Details"],
                rows=[
                    [_when(event.created_at), event.actor_label, event.verb_label, _event_details(event.data)]
                    for event in selectors.case_events(case)
                ],
            ),
            Block(
                "table",
                title="Comments",
                header=["When", "Who", "Comment"],
                rows=[
                    [_when(comment.created_at), _who(comment.author), comment.body]
                    for comment in selectors.case_comments(case)
                ],
            ),
        ],
    )
    resolution = Section(
        "Resolution",
        [
            Block(
                "fields",
                fields=[
                    ("Resolution", case.get_resolution_display() or "—"),
                    ("Duplicate of", case.duplicate_of.reference if case.duplicate_of_id else "—"),
                ],
            ),
            Block("paragraph", title="Summary", text=case.resolution_note or "—"),
        ],
    )
    return Report(
        title=f"{case.reference}: {case.title}",
        generated_at=_when(timezone.now()),
        sections=[summary, decision, checklists, observables, containment, timeline, resolution],
    )


def _event_details(data: dict) -> str:
    return "; ".join(
        f"{key}: {value}" for key, value in sorted((data or {}).items()) if value not in ("", None, [])
    )
