"""Celery tasks of the notifications: thin, idempotent (delivery_send claims its row)."""

from celery import shared_task
from django.conf import settings

from .services import TransientError, deliveries_sweep, delivery_send, notifications_derive


@shared_task(name="notifications.tasks.derive", ignore_result=True)
def derive() -> int:
    """Beat (CELERY_BEAT_SCHEDULE): new timeline events become notifications."""
    made = notifications_derive()
    deliveries_sweep()
    return made


@shared_task(
    bind=True,
    name="notifications.tasks.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,  # the delivery's own attempts count decides (VIGIL_NOTIFY_MAX_ATTEMPTS)
)
def deliver(self, delivery_id: int) -> str:
    try:
        return delivery_send(delivery_id=delivery_id)
    except TransientError as exc:
        countdown = settings.VIGIL_NOTIFY_RETRY_SECONDS * (2 ** min(self.request.retries, 6))
        raise self.retry(exc=exc, countdown=countdown) from exc
