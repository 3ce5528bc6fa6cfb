"""Events of the analysis on a case: checklist steps answered, the assistant's
suggestions, playbooks attached, comments, observables added or flagged by an analyst,
and merges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases.models import Case, CaseEvent, CaseStep, Comment

from .base import Verb, builds, join, renders, row, text, value_label

# How a step's value was given (step_updated's "answer_source").
ANALYST = "analyst"
SUGGESTION_CONFIRMED = "suggestion_confirmed"  # one click on the suggestion's Confirm
SUGGESTIONS_ACCEPTED = "suggestions_accepted"  # "Accept all suggestions"
CONTAINMENT = "containment"  # ticked by its containment action (containment.checklist)

MAX_ITEM = 200  # characters of the step's item text kept in the event
MAX_EXCERPT = 200  # characters of a comment


@builds(Verb.STEP_UPDATED)
def step_updated(
    case: Case,
    *,
    by,
    step: CaseStep,
    old: str,
    new: str,
    note: str | None = None,
    suggestion: str | None = None,
    agreed_with_suggestion: bool | None = None,
    answer_source: str | None = None,
    action_id: int | None = None,
) -> CaseEvent:
    """A step's value went from `old` to `new` (`step.item` loaded). Left out (None):
    `note` when the note did not change, `suggestion` (and whether the analyst agreed
    with it) when the assistant suggested nothing, `answer_source` when only the note
    changed, `action_id` unless a containment action ticked the step."""
    data: dict = {
        "step": step.pk,
        "section": step.section,
        "item": step.item.text[:MAX_ITEM],
        "old": old,
        "new": new,
    }
    if note is not None:
        data["note"] = note
    if suggestion is not None:
        data["suggestion"] = suggestion
        data["agreed_with_suggestion"] = agreed_with_suggestion
    if answer_source is not None:
        data["answer_source"] = answer_source
    if action_id is not None:
        data["action"] = action_id
    return row(case, Verb.STEP_UPDATED, by=by, data=data)


@renders(Verb.STEP_UPDATED)
def render_step_updated(event: CaseEvent, data: dict) -> SafeString:
    parts = [
        format_html(
            "{}: {} → {}",
            text(data, "item", "Step"),
            value_label(data.get("old")),
            value_label(data.get("new")),
        )
    ]
    if data.get("note"):
        parts.append(format_html(" — note: {}", data["note"]))
    if data.get("answer_source") in (SUGGESTION_CONFIRMED, SUGGESTIONS_ACCEPTED):
        parts.append(" (the assistant's suggestion, confirmed)")
    elif data.get("answer_source") == CONTAINMENT:
        parts.append(" (its containment action)")
    if data.get("agreed_with_suggestion") is False:
        parts.append(format_html(" (assistant suggested {})", value_label(data.get("suggestion"))))
    return join(*parts)


@dataclass(frozen=True, slots=True)
class SuggestionChange:
    """One step whose suggested answer changed (answers are "" when there was none)."""

    step_id: int
    assist: str
    previous: str
    current: str


@builds(Verb.SUGGESTIONS_UPDATED)
def suggestions_updated(
    case: Case, *, changes: list[SuggestionChange], alert_id: int | None = None
) -> CaseEvent:
    """The assistant's refresh (after `alert_id` was enriched, when one was) changed
    these suggestions. Written by Vigil."""
    data: dict = {
        "changes": [
            {"step": c.step_id, "assist": c.assist, "from": c.previous, "to": c.current} for c in changes
        ]
    }
    if alert_id is not None:
        data["alert"] = alert_id
    return row(case, Verb.SUGGESTIONS_UPDATED, data=data)


@builds(Verb.PLAYBOOK_ATTACHED)
def playbook_attached(case: Case, *, version, by=None) -> CaseEvent:
    """`version` (a PlaybookVersion) was attached: by `by`, or automatically by Vigil."""
    data = {
        "technique_id": version.technique_id,
        "version": version.number,
        "playbook_version_id": version.pk,
        "automatic": by is None,
    }
    return row(case, Verb.PLAYBOOK_ATTACHED, by=by, data=data)


@builds(Verb.COMMENTED)
def commented(case: Case, *, by, comment: Comment) -> CaseEvent:
    data = {"comment": comment.pk, "excerpt": comment.body[:MAX_EXCERPT]}
    return row(case, Verb.COMMENTED, by=by, data=data)


@renders(Verb.COMMENTED)
def render_commented(event: CaseEvent, data: dict) -> SafeString:
    return format_html("Commented: {}", text(data, "excerpt"))


@builds(Verb.OBSERVABLE_ADDED)
def observable_added(case: Case, *, by, observable_id: int, type: str, value: str) -> CaseEvent:
    """An analyst added the observable `type:value` (canonical) to the case."""
    data = {"observable": observable_id, "type": type, "value": value, "summary": f"{type}:{value}"}
    return row(case, Verb.OBSERVABLE_ADDED, by=by, data=data)


@builds(Verb.OBSERVABLE_FLAGGED)
def observable_flagged(case: Case, *, by, observable_id: int, value: str, changes: dict) -> CaseEvent:
    """An analyst changed the observable's flags (`changes`: field -> new value)."""
    listed = ", ".join(f"{key.replace('_', ' ')}: {new}" for key, new in changes.items())
    data = {"observable": observable_id, "value": value, "summary": f"{value} — {listed}"}
    return row(case, Verb.OBSERVABLE_FLAGGED, by=by, data=data)


@builds(Verb.MERGED)
def merged(
    case: Case,
    *,
    by,
    role: Literal["source", "target"],
    other: Case,
    alerts: int,
    observables: int,
    answers: int,
) -> CaseEvent:
    """One side of a merge (each case gets one): `role` is this case's side, `other` the
    other case; the counts are what moved into the target."""
    if role == "target":
        source, target, other_keys = other, case, {"source_id": other.pk, "source": other.reference}
    else:
        source, target, other_keys = case, other, {"target_id": other.pk, "target": other.reference}
    data = {
        "role": role,
        **other_keys,
        "summary": f"{source.reference} merged into {target.reference}",
        "alerts": alerts,
        "observables": observables,
        "answers": answers,
    }
    return row(case, Verb.MERGED, by=by, data=data)
