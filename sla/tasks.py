"""Celery tasks of the SLA app: thin, idempotent, calling services."""

from celery import shared_task
from django.utils import timezone

from . import services
from .models import SyncWatermark


@shared_task
def sla_tick() -> dict:
    """Every minute from beat: sync the cases changed since the last tick, then record the
    warnings and breaches that are due. Safe to run twice (the scan locks its rows and
    records each alarm once; the sync is a recomputation)."""
    started = timezone.now()
    mark, first_run = SyncWatermark.objects.get_or_create(name="cases", defaults={"synced_until": started})
    if first_run:
        services.sla_sync_open()  # the cases that existed before the SLA app
    synced, until = services.sla_sync_changed(mark.synced_until)
    recorded = services.sla_scan(started)
    # Caught up: the next tick looks back SYNC_OVERLAP, for changes whose transaction
    # committed after this tick read (updated_at is set before the commit).
    SyncWatermark.objects.filter(pk=mark.pk).update(synced_until=until or started - services.SYNC_OVERLAP)
    return {"synced": synced, "recorded": recorded}


@shared_task
def sla_resync_open() -> int:
    """After a policy change: recompute every open case's clocks."""
    return services.sla_sync_open()
