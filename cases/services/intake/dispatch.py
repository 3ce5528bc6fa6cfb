"""After commit: hand each new alert's enrichment to the broker and stamp it."""

from collections.abc import Sequence

from django.utils import timezone

from cases.extensions import ENRICH_ALERT
from cases.ingest.store import stamp_dispatched
from soc.tasks import send_task_safely

FAN_OUT_CHUNK = 1000


def dispatch_enrichment(alert_ids: Sequence[int]) -> int:
    """Send enrichment for these alerts and stamp `dispatched_at` on the ones handed over.

    One alert: the enrichment task (cases.extensions.ENRICH_ALERT) directly. Several: one cases.tasks.fan_out_enrichment
    message per chunk, which the worker splits into one enrich_alert per alert; a batch of
    500 is then one broker round trip in the request, not 500. Stops at the first broker
    failure (the rest would wait for the same timeout); the sweeper re-sends what is left.
    Returns how many alerts were handed over.
    """
    if not alert_ids:
        return 0
    from cases.tasks import fan_out_enrichment

    sent: list[int] = []
    if len(alert_ids) == 1:
        if send_task_safely(ENRICH_ALERT.task, alert_ids[0]):
            sent = list(alert_ids)
    else:
        for start in range(0, len(alert_ids), FAN_OUT_CHUNK):
            chunk = list(alert_ids[start : start + FAN_OUT_CHUNK])
            if not send_task_safely(fan_out_enrichment, chunk):
                break
            sent += chunk
    if sent:
        stamp_dispatched(sent, timezone.now())
    return len(sent)
