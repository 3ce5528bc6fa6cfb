"""Celery tasks: thin wrappers that take an action id and call the services (STYLE 6).

acks_late with reject_on_worker_lost (also the global defaults, restated here because the
services' claim-and-lease design relies on them): a message is acknowledged only after
the run, so a worker killed mid-run leaves it to be delivered again; the claim makes that
second delivery harmless, and housekeeping recovers the run if the message is not
redelivered in time (the Redis visibility timeout is long).
"""

from celery import shared_task

from containment.services import action_run, containment_housekeeping
from containment.services.common import EXECUTE, REVERT


@shared_task(
    name="containment.tasks.run_action", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def run_action(action_id: int) -> str:
    return action_run(action_id=action_id, phase=EXECUTE)


@shared_task(
    name="containment.tasks.revert_action", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def revert_action(action_id: int) -> str:
    return action_run(action_id=action_id, phase=REVERT)


@shared_task(name="containment.tasks.housekeeping", ignore_result=True)
def housekeeping() -> dict:
    """Beat, every minute (CELERY_BEAT_SCHEDULE): re-dispatch stuck actions, recover
    actions of lost workers, revert expired blocks."""
    return containment_housekeeping()
