"""Celery tasks of the intel app: thin, idempotent, retried on database errors only."""

from celery import shared_task
from django.db import DatabaseError

from .enrichment import service


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def enrich_alert(self, alert_id: int) -> None:
    """Enrich the alert's observables, then refresh its case's suggestions.

    Dispatched on commit by ingestion for each new alert. Re-running it recomputes the
    same results, so a redelivery (acks_late) or a sweeper re-dispatch is harmless.
    """
    service.enrich_alert(alert_id=alert_id)
