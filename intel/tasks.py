"""Celery tasks of the intel app: thin, idempotent, retried on database errors only."""

from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError

from soc.tasks import send_task_safely

from . import assistant, lookup, services
from .enrichment import service

# A refresh requested less than this long ago may still have its own dispatch in flight.
REFRESH_SWEEP_GRACE = timedelta(minutes=1)


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def enrich_alert(self, alert_id: int) -> None:
    """Enrich the alert's observables, then refresh its case's suggestions.

    Dispatched on commit by ingestion for each new alert. Re-running it recomputes the
    same results (and writes no new timeline event), so a redelivery (acks_late) or a
    sweeper re-dispatch is harmless.
    """
    enriched = service.enrich_alert(alert_id=alert_id)
    if enriched is not None and enriched.case_id is not None:
        assistant.refresh_case(case_id=enriched.case_id, alert_id=alert_id)


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def refresh_open_cases(self) -> int:
    """Fan out one `refresh_case` per open case; returns how many were sent.

    Dispatched on commit by the reference-data services (known networks, partners,
    feeds). One task per case keeps each within the time limit however many cases are open.
    """
    requested_at = services.refresh_requested_at()
    sent = 0
    for case_id in service.open_case_ids():
        if not send_task_safely(refresh_case, case_id):
            return sent  # broker gone: left pending, sweep_reference_refresh sends it again
        sent += 1
    services.refresh_served(requested_at)
    return sent


@shared_task
def sweep_reference_refresh() -> bool:
    """Send refresh_open_cases again when a reference change's refresh never reached every
    open case (a broker outage). Runs every minute from beat; returns whether it sent."""
    if not services.refresh_overdue(REFRESH_SWEEP_GRACE):
        return False
    return send_task_safely(refresh_open_cases)


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def refresh_case(self, case_id: int) -> None:
    """Re-enrich one case's observables against the current reference data and refresh
    its suggestions (idempotent)."""
    lookup.invalidate()  # this worker process may hold an index older than the change
    service.enrich_case_observables(case_id=case_id)
    assistant.refresh_case(case_id=case_id)
