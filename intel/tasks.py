"""Celery tasks of the intel app: thin, idempotent, retried on database errors only."""

from celery import shared_task
from django.db import DatabaseError

from . import assistant
from .enrichment import service


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
    """Re-enrich the observables of every open case and refresh their suggestions.

    Dispatched on commit by the reference-data services (known networks, partners,
    feeds). Returns how many cases were refreshed.
    """
    from . import lookup

    lookup.invalidate()  # this worker process may hold an index older than the change
    return service.refresh_open_cases()
