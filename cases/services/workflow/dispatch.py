"""One action's service called from a request's input: the path both the HTML transition
forms (cases.views.transitions) and the API's action endpoints (cases.api.cases) take,
so an input is handed to the service the same way whichever door it came in by."""

from __future__ import annotations

from collections.abc import Callable

from cases.models import Case

from . import transitions
from .rules import Action

# Each action's service and the inputs it takes, as the forms and serializers name them.
SERVICES: dict[Action, tuple[Callable[..., Case], tuple[str, ...]]] = {
    Action.CLAIM: (transitions.case_claim, ("version",)),
    Action.UNASSIGN: (transitions.case_unassign, ("version",)),
    Action.ASSIGN: (transitions.case_assign, ("assignee", "version")),
    Action.CLOSE: (transitions.case_close, ("resolution", "note", "duplicate_of", "reason", "version")),
    Action.ESCALATE: (transitions.case_escalate, ("note", "criteria", "reason", "version")),
    Action.RETURN: (transitions.case_return_to_l1, ("note", "version")),
    Action.CONTAIN: (transitions.case_enter_containment, ()),
    Action.RESOLVE: (transitions.case_resolve, ("summary", "resolution", "version")),
    Action.REOPEN: (transitions.case_reopen, ("note", "version")),
}
# Inputs whose service keyword is spelt otherwise.
KEYWORDS = {"assignee": "to", "version": "expected_version"}


def perform(action: Action, *, case: Case, by, data: dict) -> Case:
    """Run `action` on `case` as `by` with the inputs of `data` (a form's cleaned_data or
    a serializer's validated_data, already resolved and checked). An input `data` leaves
    out takes the service's default."""
    service, inputs = SERVICES[action]
    return service(
        case=case, by=by, **{KEYWORDS.get(name, name): data[name] for name in inputs if name in data}
    )
