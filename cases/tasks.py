"""Celery tasks of the cases app: thin and idempotent."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from cases.extensions import ENRICH_ALERT
from cases.models import Alert
from cases.services.intake import dispatch_enrichment
from playbooks.models import PlaybookVersion

SWEEP_BATCH = 1000


@shared_task(bind=True, max_retries=5)
def fan_out_enrichment(self, alert_ids: list[int]) -> int:
    """Split a batch's enrichment into one enrichment task (cases.extensions.ENRICH_ALERT) per alert, in the
    worker (ingestion sends one message per batch). Enrichment is idempotent, so a retry
    after a partial send re-sends the whole list harmlessly."""
    try:
        for pk in alert_ids:
            ENRICH_ALERT.task.apply_async(args=(pk,))
    except Exception as exc:  # kombu raises many types for a broker that went away
        raise self.retry(exc=exc, countdown=10) from exc
    return len(alert_ids)


@shared_task(bind=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def attach_late_playbooks(self, version_id: int) -> int:
    """Give a newly published playbook to the open cases it covers that have none
    (cases.services.playbook_attach); idempotent. Returns how many cases got it."""
    from cases.services.playbook_attach import attach_late_playbooks as attach

    version = PlaybookVersion.objects.filter(pk=version_id, status=PlaybookVersion.Status.PUBLISHED).first()
    return len(attach(version=version)) if version is not None else 0


@shared_task
def fold_ingest_tallies() -> int:
    """Add the per-request ingest tallies to their sources' counters (beat); returns how
    many tallies were folded. Safe to run concurrently (cases.services.ingest_counts)."""
    from cases.services.ingest_counts import fold_ingest_tallies as fold

    return fold()


@shared_task
def sweep_undispatched() -> int:
    """Re-dispatch enrichment for alerts whose task never reached the broker (an outage
    during ingestion). Runs every minute from beat; oldest first, a bounded batch per run.

    Sending twice is harmless (the enrichment task recomputes the same result), so
    two overlapping sweeps need no claim; dispatch_enrichment stops at the first broker
    failure and the rest waits for the next run. Returns how many were sent.
    """
    # An alert younger than VIGIL_SWEEP_GRACE_SECONDS may still have its dispatch in flight.
    cutoff = timezone.now() - timedelta(seconds=settings.VIGIL_SWEEP_GRACE_SECONDS)
    ids = list(
        Alert.objects.filter(dispatched_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return dispatch_enrichment(ids)
