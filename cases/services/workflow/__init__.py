"""Every case transition (DESIGN 4), one function each.

Each function takes keyword-only arguments with the acting user as `by=`, runs in one
transaction, re-reads the case with ``select_for_update()`` (so two analysts racing for
the same case serialise on the row lock: the second one sees the first one's write and
loses with a clear message), checks role then state, sets the milestone timestamp, bumps
``Case.version`` and writes exactly one CaseEvent.

Errors (soc.errors): NotAllowed (403) when the actor's role or ownership forbids it,
Conflict (409, with ``current_status`` and ``allowed`` actions) when the case's state does
not allow it now, DomainError (400, with ``errors`` per field) for missing input.

``expected_version`` (optional everywhere) is the optimistic lock for clients that show a
case and act on it later: a write based on a stale read is refused with a Conflict.

The checks live in ``_check_*`` functions used both by the services and by
``available_actions()``, so pages and the API only offer what the service would accept.
"""

from .dispatch import perform
from .rules import L1_RESOLUTIONS, T2_RESOLUTIONS, Action, assignable_users, available_actions
from .transitions import (
    case_assign,
    case_claim,
    case_close,
    case_enter_containment,
    case_escalate,
    case_mark_contained,
    case_reopen,
    case_resolve,
    case_return_to_l1,
    case_unassign,
)

__all__ = [
    "L1_RESOLUTIONS",
    "T2_RESOLUTIONS",
    "Action",
    "assignable_users",
    "available_actions",
    "case_assign",
    "case_claim",
    "case_close",
    "case_enter_containment",
    "case_escalate",
    "case_mark_contained",
    "case_reopen",
    "case_resolve",
    "case_return_to_l1",
    "case_unassign",
    "perform",
]
