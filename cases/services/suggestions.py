"""Confirming the assistant's suggestions: one step with one click, or all of them at once.

A confirmed suggestion becomes the step's value like any answer (the step service checks
the rights and writes the ``step_updated`` event); the event's ``answer_source`` says it
was a confirmation, and the step's ``agreed_with_suggestion`` is true, so the metrics can
count agreement.
"""

from __future__ import annotations

from django.db import transaction

from cases.models import Case, CaseStep
from cases.services.events import SUGGESTION_CONFIRMED, SUGGESTIONS_ACCEPTED
from cases.services.steps import can_edit_step, case_step_update, suggestion_as_value
from soc.errors import DomainError


def step_suggestion_confirm(*, step: CaseStep, by) -> CaseStep:
    """Give `step` the value the assistant suggested (refused when there is none)."""
    suggested = suggestion_as_value(step)
    if not suggested:
        raise DomainError(
            "The assistant has no suggestion for this item.", errors={"value": ["No suggestion."]}
        )
    return case_step_update(step=step, value=suggested, by=by, answer_source=SUGGESTION_CONFIRMED)


def unconfirmed_suggestions(case: Case, steps: list[CaseStep], user) -> list[CaseStep]:
    """The steps `user` may work that have a suggestion and no value yet."""
    return [s for s in steps if not s.value and suggestion_as_value(s) and can_edit_step(case, s, user)]


@transaction.atomic
def case_suggestions_accept(*, case: Case, by) -> int:
    """Confirm every unanswered step's suggestion that `by` may set; returns how many.

    Answers the analyst already gave are kept: only empty steps take the suggestion.
    """
    steps = list(case.steps.select_related("item"))
    accepted = 0
    for step in unconfirmed_suggestions(case, steps, by):
        case_step_update(
            step=step, value=suggestion_as_value(step), by=by, answer_source=SUGGESTIONS_ACCEPTED
        )
        accepted += 1
    return accepted
