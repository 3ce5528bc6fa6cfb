"""The case lifecycle (DESIGN 4): the one table of status moves, and the law.

Every change of a case's status goes through ``CASE_LIFECYCLE`` (``move()`` on the row the
workflow service holds locked); a move missing here is refused with a Conflict. Which
action makes which move, and who may take it, is in cases.services.workflow.rules.

    new ──claim/assign──> triage ──escalate──> escalated ──claim/assign (T2)──> investigating
    triage ──unassign──> new            investigating ──unassign──> escalated
    escalated | investigating ──return──> triage
    investigating ──contain──> containment
    investigating | containment ──resolve──> resolved ──reopen──> investigating
    new | triage | resolved ──close──> closed
"""

from cases.models import Case
from soc.lifecycle import Lifecycle

Status = Case.Status

CASE_LIFECYCLE = Lifecycle(
    "case",
    {
        Status.NEW: {Status.TRIAGE, Status.CLOSED},
        Status.TRIAGE: {Status.NEW, Status.ESCALATED, Status.CLOSED},
        Status.ESCALATED: {Status.INVESTIGATING, Status.TRIAGE},
        Status.INVESTIGATING: {Status.CONTAINMENT, Status.RESOLVED, Status.TRIAGE, Status.ESCALATED},
        Status.CONTAINMENT: {Status.RESOLVED},
        Status.RESOLVED: {Status.CLOSED, Status.INVESTIGATING},
        Status.CLOSED: set(),
    },
)
