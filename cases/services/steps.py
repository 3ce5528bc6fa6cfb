"""Working a case's playbook items: answers, observations, done-ness and notes.

Tier rules: the L1 sections (log sources, key indicators, questions, L1 steps,
escalation criteria) are worked while the case is in triage, by its assignee; the T2
sections (T2 actions, containment steps) while it is investigating or in containment,
by its T2 assignee. A SOC manager may work any section of an open case. Every change
writes one ``step_updated`` event with the old and new value.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseStep
from cases.services import events
from cases.services.events import ANALYST
from playbooks.registry import Section
from soc.errors import Conflict, DomainError, NotAllowed

L1_SECTIONS = {
    Section.LOG_SOURCE,
    Section.KEY_INDICATOR,
    Section.QUESTION,
    Section.L1_STEP,
    Section.ESCALATION_CRITERION,
}
T2_SECTIONS = {Section.T2_ACTION, Section.CONTAINMENT_STEP}
MAX_NOTE = 10_000

# Suggestions speak yes/no/unknown; indicators are worked as observed/not observed.
SUGGESTION_AS_VALUE = {
    Section.KEY_INDICATOR: {"yes": "observed", "no": "not_observed", "unknown": "unknown"},
}


def _check_step_rights(case: Case, step: CaseStep, by) -> None:
    if not (by and by.is_authenticated and by.has_perm("cases.view_case")):
        raise NotAllowed("Your role does not give access to cases.")
    manager = by.has_perm("cases.assign_any")
    if step.section in T2_SECTIONS:
        if not by.has_perm("cases.work_t2"):
            raise NotAllowed("T2 actions are worked by T2 analysts.")
        if case.status not in (Case.Status.INVESTIGATING, Case.Status.CONTAINMENT):
            raise Conflict(
                "T2 actions are worked while the case is investigated.",
                current_status=case.status,
            )
    else:
        if not by.has_perm("cases.work_l1"):
            raise NotAllowed("Your role cannot work triage steps.")
        if manager and case.is_open:
            return
        if case.status != Case.Status.TRIAGE:
            raise Conflict(
                "Triage steps are worked while the case is in triage (claim it first).",
                current_status=case.status,
            )
    if not manager and case.assignee_id != by.pk:
        owner = case.assignee.get_username() if case.assignee_id else "nobody"
        raise NotAllowed(f"{case.reference} is assigned to {owner}; claim it to work its steps.")


def can_edit_step(case: Case, step: CaseStep, user) -> bool:
    """Whether `user` may change `step` now (for showing the controls)."""
    try:
        _check_step_rights(case, step, user)
    except (NotAllowed, Conflict):
        return False
    return True


def suggestion_as_value(step: CaseStep) -> str:
    """The assistant's suggestion expressed in the step's own values ("" if none)."""
    answer = (step.suggestion or {}).get("answer", "") if isinstance(step.suggestion, dict) else ""
    answer = SUGGESTION_AS_VALUE.get(step.section, {}).get(answer, answer)
    return answer if answer and answer in step.allowed_values() else ""


@transaction.atomic
def case_step_update(
    *, step: CaseStep, value: str | None, note: str | None = None, by, answer_source: str = ANALYST
) -> CaseStep:
    """Set a step's value and/or note. ``value=None`` or ``note=None`` keep the current one.

    Records whether the analyst agreed with the assistant's suggestion when there is one,
    and (``answer_source``, in the event) how the value was given: picked by the analyst,
    or the suggestion confirmed with one click or with "Accept all suggestions".
    An update that changes nothing writes nothing.
    """
    # Lock the case first (the same order as the transitions), so a step cannot be
    # changed while the case is being escalated or returned.
    case = Case.objects.select_for_update().get(pk=step.case_id)
    locked = CaseStep.objects.select_for_update(of=("self",)).select_related("item").get(pk=step.pk)
    _check_step_rights(case, locked, by)

    new_value = locked.value if value is None else value
    if new_value not in locked.allowed_values():
        allowed = ", ".join(v for v in locked.allowed_values() if v)
        raise DomainError(
            f"'{new_value}' is not a value for this item; use one of: {allowed}.",
            errors={"value": [f"Choose one of: {allowed}."]},
        )
    new_note = locked.note if note is None else note.strip()
    if len(new_note) > MAX_NOTE:
        raise DomainError("The note is too long.", errors={"note": [f"At most {MAX_NOTE} characters."]})
    if new_value == locked.value and new_note == locked.note:
        return locked

    old_value, old_note = locked.value, locked.note
    suggested = suggestion_as_value(locked)
    locked.value = new_value
    locked.note = new_note
    locked.updated_by = by
    locked.updated_at = timezone.now()
    locked.agreed_with_suggestion = (new_value == suggested) if suggested and new_value else None
    # Denormalised for the metrics' agreement table (counted by the case's opening time).
    locked.case_opened_at = case.opened_at if locked.agreed_with_suggestion is not None else None
    locked.save(
        update_fields=[
            "value",
            "note",
            "updated_by",
            "updated_at",
            "agreed_with_suggestion",
            "case_opened_at",
        ]
    )
    Case.objects.filter(pk=case.pk).update(updated_at=locked.updated_at)

    event = events.step_updated(
        case,
        by=by,
        step=locked,
        old=old_value,
        new=new_value,
        note=new_note[:500] if new_note != old_note else None,
        suggestion=suggested or None,
        agreed_with_suggestion=locked.agreed_with_suggestion,
        answer_source=answer_source if new_value != old_value else None,
    )
    events.record(event)
    # Keep the caller's instance current.
    step.value, step.note, step.updated_by, step.updated_at = (
        locked.value,
        locked.note,
        locked.updated_by,
        locked.updated_at,
    )
    step.agreed_with_suggestion = locked.agreed_with_suggestion
    return locked
