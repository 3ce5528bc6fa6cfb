"""The transition services (DESIGN 4): one function per move, each in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.resolvers import check_assignee, resolve_criteria
from cases.services import events
from cases.services.recommendation import CLOSE, ESCALATE, recommend
from cases.services.steps import case_step_update
from playbooks.registry import Section
from soc.errors import Conflict, DomainError, NotAllowed
from soc.roles import is_t2

from .plumbing import _lock, _required, _save, _sync, _who, move
from .rules import L1_RESOLUTIONS, T2_RESOLUTIONS, Action, available_actions

Status = Case.Status
Verb = CaseEvent.Verb

# --- transitions ----------------------------------------------------------------------


@transaction.atomic
def case_claim(*, case: Case, by, expected_version: int | None = None) -> Case:
    """L1 claims a new (or unassigned triage) case -> triage; T2 claims an escalated case ->
    investigating. The loser of a race gets a Conflict naming the winner."""
    locked = _lock(case, by, Action.CLAIM, expected_version)
    before = locked.status
    now = timezone.now()
    locked.assignee = by
    if locked.status == Status.ESCALATED:
        move(locked, Status.INVESTIGATING)
        locked.t2_picked_up_at = now
    else:
        if locked.status == Status.NEW:  # an unassigned triage case stays in triage
            move(locked, Status.TRIAGE)
        locked.acknowledged_at = locked.acknowledged_at or now
    _save(locked, "assignee", "status", "acknowledged_at", "t2_picked_up_at")
    events.record(events.claimed(locked, by=by, from_status=before, to_status=locked.status))
    return _sync(case, locked)


@transaction.atomic
def case_unassign(*, case: Case, by, expected_version: int | None = None) -> Case:
    """Put a claimed case back in its queue: triage -> new, investigating -> escalated."""
    locked = _lock(case, by, Action.UNASSIGN, expected_version)
    before, previous = locked.status, _who(locked.assignee)
    move(locked, Status.NEW if locked.status == Status.TRIAGE else Status.ESCALATED)
    locked.assignee = None
    _save(locked, "assignee", "status")
    events.record(
        events.unassigned(locked, by=by, from_status=before, to_status=locked.status, previous=previous)
    )
    return _sync(case, locked)


@transaction.atomic
def case_assign(*, case: Case, to, by, expected_version: int | None = None) -> Case:
    """Reassign a case. Analysts hand a case they own (or an unassigned one) to another
    analyst of the same tier; a SOC manager reassigns anything. Assigning an unclaimed case
    moves it on as a claim would (new -> triage, escalated -> investigating)."""
    locked = _lock(case, by, Action.ASSIGN, expected_version)
    check_assignee(locked, to)
    if locked.assignee_id == to.pk:
        message = f"{locked.reference} is already assigned to {to.get_username()}."
        raise DomainError(message, errors={"assignee": [message]})
    before, previous = locked.status, _who(locked.assignee)
    locked.assignee = to
    if locked.status == Status.NEW:
        move(locked, Status.TRIAGE)
        locked.acknowledged_at = locked.acknowledged_at or timezone.now()
    elif locked.status == Status.ESCALATED:
        move(locked, Status.INVESTIGATING)
        locked.t2_picked_up_at = timezone.now()
    _save(locked, "assignee", "status", "acknowledged_at", "t2_picked_up_at")
    events.record(
        events.assigned(
            locked,
            by=by,
            from_status=before,
            to_status=locked.status,
            assignee=to.get_username(),
            previous=previous,
        )
    )
    return _sync(case, locked)


@transaction.atomic
def case_close(
    *,
    case: Case,
    by,
    resolution: str = "",
    note: str = "",
    duplicate_of: Case | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Close a case.

    From new/triage (L1): resolution false_positive, benign or duplicate (with
    `duplicate_of`) and a note; closing while Vigil recommends escalating needs `reason`
    (a duplicate is exempt: it says nothing about the activity). From resolved (T2 or
    manager): the resolution stays; the note is optional.
    """
    locked = _lock(case, by, Action.CLOSE, expected_version)
    before = locked.status
    now = timezone.now()
    closing: dict = {}  # the close's optional parts, as events.closed names them
    fields = ["status", "closed_at"]
    if before in (Status.NEW, Status.TRIAGE):
        _required(resolution=resolution, note=note)
        if resolution not in L1_RESOLUTIONS:
            choices = ", ".join(L1_RESOLUTIONS)
            raise DomainError(
                f"Resolution must be one of {choices}.", errors={"resolution": [f"Choose one of {choices}."]}
            )
        if resolution == Case.Resolution.DUPLICATE:
            if duplicate_of is None:
                raise DomainError(
                    "Say which case this duplicates.", errors={"duplicate_of": ["This field is required."]}
                )
            if duplicate_of.pk == locked.pk:
                raise DomainError(
                    "A case cannot duplicate itself.", errors={"duplicate_of": ["Choose another case."]}
                )
            locked.duplicate_of = duplicate_of
            fields.append("duplicate_of")
            closing["duplicate_of"] = duplicate_of.reference
        else:
            rec = recommend(locked)
            locked.recommendation = rec
            fields.append("recommendation")
            if rec["decision"] == ESCALATE:
                if not reason.strip():
                    message = f"Vigil recommends escalating: {rec['reason']}. Say why you close it."
                    raise DomainError(message, errors={"reason": [message]})
                locked.override_reason = reason.strip()
                fields.append("override_reason")
                closing["override_reason"] = locked.override_reason
            closing["recommendation"] = rec["decision"]
        locked.resolution = resolution
        locked.resolution_note = note.strip()
        fields += ["resolution", "resolution_note"]
        closing["note"] = locked.resolution_note
    elif note.strip():
        closing["note"] = note.strip()
    move(locked, Status.CLOSED)
    locked.closed_at = now
    _save(locked, *fields)
    events.record(events.closed(locked, by=by, from_status=before, resolution=locked.resolution, **closing))
    return _sync(case, locked)


@transaction.atomic
def case_escalate(
    *,
    case: Case,
    by,
    note: str,
    criteria: list[int] | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """L1 hands the case to T2.

    Every analysis question must be answered ("unknown" is an answer) and the hand-off
    note is required. `criteria`, when given, is the full list of escalation-criterion
    step ids that are met (the others are recorded as not met). Escalating while Vigil
    recommends closing needs `reason`. The recommendation is stored with the case.
    """
    locked = _lock(case, by, Action.ESCALATE, expected_version)
    # The case row lock serialises every step write too (steps.py locks the case first).
    steps = list(locked.steps.select_related("item"))
    errors: dict[str, list[str]] = {}
    if not (note or "").strip():
        errors["note"] = ["A hand-off note for T2 is required."]
    unanswered = [s for s in steps if s.section == Section.QUESTION and not s.value]
    if unanswered:
        errors["questions"] = [f"Not answered: {s.item.text}" for s in unanswered]
    if criteria is not None:
        try:
            resolve_criteria(locked, criteria)
        except DomainError as exc:
            errors.update(exc.data["errors"])
    if errors:
        raise DomainError("The case is not ready to escalate.", errors=errors)

    now = timezone.now()
    if criteria is not None:
        # Through the step service, as if each were ticked by hand (agreement with the
        # assistant's suggestion recorded); the steps in `steps` follow the change.
        met = set(criteria)
        for step in steps:
            if step.is_criterion:
                value = "checked" if step.pk in met else "unchecked"
                if step.value != value:
                    case_step_update(step=step, value=value, by=by)

    rec = recommend(locked, steps)
    if rec["decision"] == CLOSE and not (reason or "").strip():
        message = f"Vigil recommends closing: {rec['reason']}. Say why you escalate."
        raise DomainError(message, errors={"reason": [message]})

    move(locked, Status.ESCALATED)
    locked.tier = Case.Tier.T2
    locked.assignee = None
    locked.escalated_at = now
    locked.handoff_note = note.strip()
    locked.recommendation = rec
    locked.override_reason = reason.strip() if rec["decision"] == CLOSE else ""
    _save(
        locked,
        "status",
        "tier",
        "assignee",
        "escalated_at",
        "handoff_note",
        "recommendation",
        "override_reason",
    )
    event = events.escalated(
        locked,
        by=by,
        note=locked.handoff_note,
        criteria_met=rec["criteria_met"],
        recommendation=rec["decision"],
        override_reason=locked.override_reason,
    )
    events.record(event)
    return _sync(case, locked)


def _last_escalated_by(case: Case):
    event = (
        case.events.filter(verb=Verb.ESCALATED, actor__isnull=False)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event is not None and event.actor.is_active else None


@transaction.atomic
def case_return_to_l1(*, case: Case, by, note: str, expected_version: int | None = None) -> Case:
    """T2 sends the case back to triage, to the L1 analyst who escalated it, with a note."""
    locked = _lock(case, by, Action.RETURN, expected_version)
    _required(note=note)
    before = locked.status
    move(locked, Status.TRIAGE)
    locked.tier = Case.Tier.L1
    locked.assignee = _last_escalated_by(locked)
    _save(locked, "status", "tier", "assignee")
    events.record(
        events.returned(locked, by=by, from_status=before, note=note.strip(), assignee=_who(locked.assignee))
    )
    return _sync(case, locked)


@transaction.atomic
def case_enter_containment(*, case: Case, by) -> Case:
    """investigating -> containment. Idempotent: a case already in containment is left
    as is (the containment app calls this for every action it requests)."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.status == Status.CONTAINMENT:
        return _sync(case, current)
    locked = _lock(case, by, Action.CONTAIN, None)
    move(locked, Status.CONTAINMENT)
    # The SLA's "containment started" milestone: the first time since the latest T2 pickup.
    started = locked.containment_started_at
    if started is None or (locked.t2_picked_up_at is not None and started < locked.t2_picked_up_at):
        locked.containment_started_at = timezone.now()
    _save(locked, "status", "containment_started_at")
    events.record(
        events.status_changed(locked, by=by, from_status=Status.INVESTIGATING, to_status=Status.CONTAINMENT)
    )
    return _sync(case, locked)


@transaction.atomic
def case_mark_contained(*, case: Case, by=None) -> Case:
    """Record the containment milestone (contained_at) once; later calls change nothing.
    `by=None` is Vigil itself (a containment task that succeeded)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.contained_at is not None:
        return _sync(case, locked)
    if by is not None and not (is_t2(by) or by.has_perm("containment.request_action")):
        raise NotAllowed("Only T2 or a SOC manager can mark a case contained.")
    if locked.status in (Status.NEW, Status.TRIAGE, Status.ESCALATED):
        raise Conflict(
            f"{locked.reference} is not under investigation.",
            current_status=locked.status,
            allowed=available_actions(locked, by) if by is not None else [],
        )
    locked.contained_at = timezone.now()
    _save(locked, "contained_at")
    events.record(events.case_contained(locked, by=by))
    return _sync(case, locked)


@transaction.atomic
def case_resolve(
    *,
    case: Case,
    by,
    summary: str,
    resolution: str = Case.Resolution.TRUE_POSITIVE,
    expected_version: int | None = None,
) -> Case:
    """T2 (the assignee) or a manager resolves an investigated case with a summary."""
    locked = _lock(case, by, Action.RESOLVE, expected_version)
    _required(summary=summary)
    resolution = resolution or Case.Resolution.TRUE_POSITIVE
    if resolution not in T2_RESOLUTIONS:
        choices = ", ".join(T2_RESOLUTIONS)
        raise DomainError(
            f"Resolution must be one of {choices}.", errors={"resolution": [f"Choose one of {choices}."]}
        )
    before = locked.status
    move(locked, Status.RESOLVED)
    locked.resolved_at = timezone.now()
    locked.resolution = resolution
    locked.resolution_note = summary.strip()
    _save(locked, "status", "resolved_at", "resolution", "resolution_note")
    events.record(
        events.resolved(
            locked, by=by, from_status=before, resolution=resolution, summary=locked.resolution_note
        )
    )
    return _sync(case, locked)


@transaction.atomic
def case_reopen(*, case: Case, by, note: str, expected_version: int | None = None) -> Case:
    """A resolved case goes back to investigating (new evidence); closed cases stay closed."""
    locked = _lock(case, by, Action.REOPEN, expected_version)
    _required(note=note)
    move(locked, Status.INVESTIGATING)
    locked.resolved_at = None
    if locked.assignee_id is None:
        locked.assignee = by
    _save(locked, "status", "resolved_at", "assignee")
    events.record(
        events.status_changed(
            locked, by=by, from_status=Status.RESOLVED, to_status=Status.INVESTIGATING, note=note.strip()
        )
    )
    return _sync(case, locked)
