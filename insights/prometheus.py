"""The Prometheus endpoint's metrics, computed at scrape time (a custom collector).

Everything the workers do is read from where it is already recorded, so the numbers are
the same whichever web process answers the scrape: the database (alerts per source,
outboxes, containment states, ingest delay) and, for Celery task outcomes, counters the
workers increment in the shared cache (Redis in production; with the embedded
local-memory cache each process only sees its own).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from cases.models import Alert, Case, IngestSource
from containment.models import ContainmentAction
from intel.models import ReferenceRefresh
from soc.celery import app

from .metrics.sql import Percentile, Seconds

logger = logging.getLogger(__name__)
TASK_OUTCOMES = ("succeeded", "failed", "retried")
DELAY_WINDOW = timedelta(minutes=15)


def _task_key(task: str, outcome: str) -> str:
    return f"vigil:celery-task:{task}:{outcome}"


def count_task_outcome(task: str, outcome: str) -> None:
    """Called from Celery's signals in the worker (insights.apps); never raises."""
    key = _task_key(task, outcome)
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key)
    except Exception:  # instrumentation must never fail a task
        logger.warning("could not count %s %s in the cache", task, outcome, exc_info=True)


def _task_names() -> list[str]:
    app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery is lazy)
    return sorted(name for name in app.tasks if not name.startswith("celery."))


class VigilCollector:
    """Yields every Vigil metric; each scrape runs a handful of indexed queries."""

    def collect(self):
        ingested = CounterMetricFamily(
            "vigil_alerts_ingested",
            "Alerts accepted per ingest source (duplicates excluded).",
            labels=["source", "outcome"],
        )
        # Live counts: the folded counter plus the tallies beat has not folded yet.
        for name, count in IngestSource.objects.with_live_counts().values_list("name", "live_alert_count"):
            ingested.add_metric([name, "accepted"], count)
        yield ingested

        now = timezone.now()
        delay = Seconds("received_at", "observed_at")
        recent = Alert.objects.filter(observed_at__gte=now - DELAY_WINDOW).aggregate(
            n=Count("pk"), p50=Percentile(delay, 0.5), p90=Percentile(delay, 0.9), p99=Percentile(delay, 0.99)
        )
        latency = GaugeMetricFamily(
            "vigil_ingest_delay_seconds",
            "Event time to arrival in Vigil, quantiles over alerts observed in the last 15 minutes.",
            labels=["quantile"],
        )
        for quantile, label in (("p50", "0.5"), ("p90", "0.9"), ("p99", "0.99")):
            if recent[quantile] is not None:
                latency.add_metric([label], recent[quantile])
        yield latency
        yield GaugeMetricFamily(
            "vigil_ingest_recent_alerts", "Alerts observed in the last 15 minutes.", value=recent["n"]
        )

        outbox = GaugeMetricFamily(
            "vigil_outbox_backlog", "Work waiting to reach the broker.", labels=["outbox"]
        )
        outbox.add_metric(["undispatched_alerts"], Alert.objects.filter(dispatched_at__isnull=True).count())
        refresh = ReferenceRefresh.objects.first()
        outbox.add_metric(["reference_refresh"], 1 if refresh is not None and refresh.pending else 0)
        outbox.add_metric(
            ["queued_actions"],
            ContainmentAction.objects.filter(status=ContainmentAction.Status.QUEUED).count(),
        )
        yield outbox

        actions = GaugeMetricFamily(
            "vigil_containment_actions", "Containment actions by kind and state.", labels=["kind", "state"]
        )
        for row in ContainmentAction.objects.values("kind", "status").annotate(n=Count("pk")).order_by():
            actions.add_metric([row["kind"], row["status"]], row["n"])
        yield actions

        cases = GaugeMetricFamily("vigil_cases_open", "Open cases by status.", labels=["status"])
        for row in Case.objects.open().values("status").annotate(n=Count("pk")).order_by():
            cases.add_metric([row["status"]], row["n"])
        yield cases
        yield GaugeMetricFamily(
            "vigil_cases_sla_breached",
            "Open cases whose running SLA stage is past due.",
            value=Case.objects.filter(sla_stage_due_at__lt=now).count(),
        )

        tasks = CounterMetricFamily(
            "vigil_celery_tasks", "Celery task outcomes (all workers).", labels=["task", "outcome"]
        )
        names = _task_names()
        keys = {_task_key(task, outcome): (task, outcome) for task in names for outcome in TASK_OUTCOMES}
        for key, value in cache.get_many(list(keys)).items():
            tasks.add_metric(list(keys[key]), int(value))
        yield tasks
