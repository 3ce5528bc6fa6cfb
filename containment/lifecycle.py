"""The containment action lifecycle (DESIGN 6): the one table of status moves, and the law.

Every change of an action's status goes through ``ACTION_LIFECYCLE``: ``move()`` on a row
held locked (containment.services.common.lock_action), or ``claim()`` for the worker's
conditional UPDATE (queued -> running). A move missing here is refused with a Conflict.

    proposed ──approve──> approved ──queue──> queued ──claim──> running ──> succeeded | failed
    proposed ──request (not sensitive) / approve──> queued, or running for a manual step
    proposed ──reject/withdraw──> rejected
    running ──transient error / lost worker──> queued      failed ──retry──> queued
    succeeded | failed ──revert──> reverting ──> reverted, or back to where it started
    manual steps: running <──done / not done──> succeeded; running | succeeded ──withdraw──> reverted
"""

from containment.models import ContainmentAction
from soc.lifecycle import Lifecycle

Status = ContainmentAction.Status

ACTION_LIFECYCLE = Lifecycle(
    "containment action",
    {
        # proposed -> queued / running: a request that needs no approval is queued at once
        # (running for a manual step, which waits for a person instead of a task).
        Status.PROPOSED: {Status.APPROVED, Status.REJECTED, Status.QUEUED, Status.RUNNING},
        # approved -> running: an approved manual step.
        Status.APPROVED: {Status.QUEUED, Status.RUNNING},
        Status.QUEUED: {Status.RUNNING},
        # running -> queued: a transient connector error, retried after a backoff, or a
        # worker lost (lease expired). running -> reverted: a manual step withdrawn.
        Status.RUNNING: {Status.SUCCEEDED, Status.FAILED, Status.QUEUED, Status.REVERTED},
        Status.FAILED: {Status.QUEUED, Status.REVERTING},
        # succeeded -> running: a manual step marked not done again; -> reverted: withdrawn.
        Status.SUCCEEDED: {Status.REVERTING, Status.RUNNING, Status.REVERTED},
        # reverting -> succeeded | failed: the revert failed for good; back where it was.
        Status.REVERTING: {Status.REVERTED, Status.SUCCEEDED, Status.FAILED},
        Status.REVERTED: set(),
        Status.REJECTED: set(),
    },
)
