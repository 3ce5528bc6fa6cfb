"""Celery tasks of the enrichment app: thin, idempotent, retried on database errors only."""

import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction

from intel import lookup
from intel import services as reference
from soc.tasks import send_task_safely

from . import assistant
from . import services as enrichment


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def enrich_alert(self, alert_id: int) -> None:
    """Enrich the alert's observables, then refresh its case's suggestions.

    Dispatched on commit by ingestion for each new alert. Re-running it recomputes the
    same results (and writes no new timeline event), so a redelivery (acks_late) or a
    sweeper re-dispatch is harmless.
    """
    enriched = enrichment.alert_enrich(alert_id=alert_id)
    if enriched is not None and enriched.case_id is not None:
        assistant.refresh_case(case_id=enriched.case_id, alert_id=alert_id)


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def refresh_open_cases(self) -> int:
    """Fan the open cases out in batches of VIGIL_REFRESH_BATCH_SIZE, one `refresh_cases`
    task per batch; returns how many cases were sent.

    Dispatched on commit by the reference-data services (known networks, partners, feeds),
    once per change. Edits in a burst are coalesced: ReferenceRefresh holds one pending
    request, and a run that finds it already served (an earlier run read the same or a
    later request before its fan-out) sends nothing. So ten edits in a row cost one or
    two fan-outs, not ten, and a few tasks per thousand cases, not a thousand.
    """
    # The request's row stays locked during the fan-out (a few publishes), so a run that
    # starts meanwhile waits, then finds the request served. A change committed meanwhile
    # waits too, and stays pending for the next run.
    with transaction.atomic():
        state = reference.refresh_state(lock=True)
        if state is None or not state.pending:
            return 0  # coalesced: nothing was requested since the last fan-out
        requested_at = state.requested_at
        size = max(1, settings.VIGIL_REFRESH_BATCH_SIZE)
        case_ids = enrichment.open_case_ids()
        sent = 0
        for start in range(0, len(case_ids), size):
            batch = case_ids[start : start + size]
            if not send_task_safely(refresh_cases, batch):
                return sent  # broker gone: left pending, sweep_reference_refresh sends it again
            sent += len(batch)
        reference.refresh_served(requested_at)
    return sent


@shared_task
def sweep_reference_refresh() -> bool:
    """Send refresh_open_cases again when a reference change's refresh never reached every
    open case (a broker outage). Runs from beat (VIGIL_SWEEP_INTERVAL_SECONDS); returns
    whether it sent."""
    # A younger request may still have its own (delayed) dispatch in flight.
    grace = timedelta(seconds=settings.VIGIL_SWEEP_GRACE_SECONDS + settings.VIGIL_REFRESH_COALESCE_SECONDS)
    if not reference.refresh_overdue(grace):
        return False
    return send_task_safely(refresh_open_cases)


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def refresh_cases(self, case_ids: list[int]) -> int:
    """Refresh a batch of cases, one after the other (each as `refresh_case` does).

    A batch that has used half its soft time limit hands the cases it has not reached to a
    new task and stops, so a slow batch never hits the time limit. Idempotent: a retry
    or redelivery refreshes the same cases again. Returns how many it refreshed.
    """
    deadline = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    lookup.invalidate()  # this worker process may hold an index older than the change
    for done, case_id in enumerate(case_ids):
        if done and time.monotonic() > deadline:
            rest = case_ids[done:]
            if not send_task_safely(refresh_cases, rest):
                reference.refresh_request()  # pending again: the sweeper fans out later
            return done
        _refresh_one(case_id)
    return len(case_ids)


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def refresh_case(self, case_id: int) -> None:
    """Re-enrich one case's observables against the current reference data and refresh
    its suggestions (idempotent)."""
    lookup.invalidate()  # this worker process may hold an index older than the change
    _refresh_one(case_id)


def _refresh_one(case_id: int) -> None:
    enrichment.case_enrich_observables(case_id=case_id)
    assistant.refresh_case(case_id=case_id)
