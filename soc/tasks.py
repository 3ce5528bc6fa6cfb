"""Dispatching Celery work from request code.

Tasks are sent only after the surrounding transaction commits, so a worker never
reads a row that is not there yet. A broker outage never fails the request: the
failure is logged and the work is left in a state the beat sweepers pick up again
(see the `*_sweep` tasks in each app).
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def send_task_safely(task, *args, **kwargs) -> bool:
    """Send now; return False (and log) instead of raising when the broker is down."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # kombu raises many types for an unreachable broker
        logger.warning("broker unavailable; %s(%s) left for the sweeper", task.name, args)
        return False
    return True


def dispatch_on_commit(task, *args, **kwargs) -> None:
    """Send `task` with these arguments once the current transaction commits."""
    transaction.on_commit(lambda: send_task_safely(task, *args, **kwargs))
