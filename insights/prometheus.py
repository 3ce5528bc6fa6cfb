"""The Prometheus endpoint's metrics, computed at scrape time (a custom collector).

Everything the workers do is read from where it is already recorded, so the numbers are
the same whichever web process answers the scrape: the database (alerts accepted per
source, outboxes, containment states, ingest delay, sign-in events) and, for what is not
a row (duplicates and rejections, ingest request durations, Celery task outcomes),
counters every process adds to in a shared store (insights.counters: Redis in
production, the database in the embedded mode).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from accounts.models import SignInEvent
from cases.models import Alert, Case, IngestSource
from containment.models import ContainmentAction
from intel.models import ReferenceRefresh
from soc.celery import app

from . import counters
from .metrics.sql import Percentiles, Seconds

logger = logging.getLogger(__name__)
TASK_OUTCOMES = ("succeeded", "failed", "retried")
DELAY_WINDOW = timedelta(minutes=15)


def _task_key(task: str, outcome: str) -> str:
    return f"celery-task:{task}:{outcome}"


def count_task_outcome(task: str, outcome: str) -> None:
    """Called from Celery's signals in the worker (insights.apps); never raises."""
    counters.increment(_task_key(task, outcome))


# --- ingest requests -------------------------------------------------------------------

# Why an alert or a whole request was refused: the error codes the ingest endpoints answer
# with (soc.api.error_body), each its own label value; any other code counts as "other",
# so the label has a fixed, small set of values whatever a client sends.
REJECTION_REASONS = (
    "invalid",  # an alert failed validation (400, or its entry in a batch)
    "parse_error",  # the body is not JSON (or too deep)
    "too_many_alerts",  # a batch over VIGIL_MAX_BATCH (413)
    "too_large",  # a body over VIGIL_MAX_BODY_BYTES (413)
    "unsupported_media_type",  # not application/json (415)
    "not_authenticated",  # no token (401)
    "authentication_failed",  # unknown, revoked token, or a network the token refuses (401)
    "permission_denied",  # not an ingest token (403)
    "throttled",  # the source's rate limit (429)
    "other",
)
UNKNOWN_SOURCE = "(unauthenticated)"
# Upper bounds (seconds) of the request duration histogram; +Inf is implied.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _ingest_key(source: str, what: str) -> str:
    return f"ingest:{source}:{what}"


def _bucket(seconds: float) -> str:
    return next((f"{bound:g}" for bound in DURATION_BUCKETS if seconds <= bound), "+Inf")


def count_ingest_request(source: str | None, response, seconds: float) -> None:
    """Record one ingest request: its duration (the whole handling in the view: auth,
    throttle, parsing, intake, response), and its duplicates and rejections (accepted
    alerts are counted from the database). A batch counts each entry; a request refused as
    a whole counts once. Called by the ingest views; never raises."""
    source = source or UNKNOWN_SOURCE
    amounts = Counter(
        {
            _ingest_key(source, f"duration-bucket:{_bucket(seconds)}"): 1,
            _ingest_key(source, "duration-microseconds"): round(seconds * 1_000_000),
        }
    )
    data = getattr(response, "data", None)
    entries = data.get("results") if isinstance(data, dict) and response.status_code == 200 else None
    statuses = [(entry.get("status"), "invalid") for entry in entries] if isinstance(entries, list) else []
    if not statuses:
        code = data.get("code") if isinstance(data, dict) else None
        statuses = [(response.status_code, code if code in REJECTION_REASONS else "other")]
    duplicates = sum(1 for status, _ in statuses if status == 200)
    if duplicates and (entries is not None or (isinstance(data, dict) and data.get("duplicate"))):
        amounts[_ingest_key(source, "duplicate")] += duplicates
    for status, reason in statuses:
        if isinstance(status, int) and status >= 400:
            amounts[_ingest_key(source, f"rejected:{reason}")] += 1
    counters.increment_many(amounts)  # one round trip for all of them


def _ingest_families(sources: dict[str, int]):
    """The ingest outcome counters and the duration histogram, for every source."""
    names = [*sources, UNKNOWN_SOURCE]
    bounds = [f"{bound:g}" for bound in DURATION_BUCKETS] + ["+Inf"]
    keys = [
        _ingest_key(source, what)
        for source in names
        for what in (
            "duplicate",
            "duration-microseconds",
            *(f"rejected:{reason}" for reason in REJECTION_REASONS),
            *(f"duration-bucket:{bound}" for bound in bounds),
        )
    ]
    found = counters.read(keys)
    ingested = CounterMetricFamily(
        "vigil_alerts_ingested",
        "Alerts per ingest source and outcome: accepted (stored), duplicate (source_ref seen "
        "before), rejected (an invalid alert, or a request refused as a whole).",
        labels=["source", "outcome"],
    )
    rejected = CounterMetricFamily(
        "vigil_ingest_rejected",
        "Ingest rejections per source and reason (the error code answered).",
        labels=["source", "reason"],
    )
    duration = HistogramMetricFamily(
        "vigil_ingest_request_duration_seconds",
        "Time to handle an ingest request in the web process, per source.",
        labels=["source"],
    )
    for source in names:
        if source in sources:
            ingested.add_metric([source, "accepted"], sources[source])
        duplicates = found.get(_ingest_key(source, "duplicate"), 0)
        refusals = {r: found.get(_ingest_key(source, f"rejected:{r}"), 0) for r in REJECTION_REASONS}
        if source in sources or duplicates:
            ingested.add_metric([source, "duplicate"], duplicates)
        if source in sources or any(refusals.values()):
            ingested.add_metric([source, "rejected"], sum(refusals.values()))
        for reason, count in refusals.items():
            if count:
                rejected.add_metric([source, reason], count)
        cumulative, buckets = 0, []
        for bound in bounds:
            cumulative += found.get(_ingest_key(source, f"duration-bucket:{bound}"), 0)
            buckets.append((bound, cumulative))
        if cumulative:
            total = found.get(_ingest_key(source, "duration-microseconds"), 0) / 1_000_000
            duration.add_metric([source], buckets, total)
    return ingested, rejected, duration


def _task_names() -> list[str]:
    app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery is lazy)
    return sorted(name for name in app.tasks if not name.startswith("celery."))


class VigilCollector:
    """Yields every Vigil metric; each scrape runs a handful of indexed queries."""

    def collect(self):
        # Accepted: live counts, the folded counter plus the tallies beat has not folded yet.
        accepted = dict(IngestSource.objects.with_live_counts().values_list("name", "live_alert_count"))
        yield from _ingest_families(accepted)

        now = timezone.now()
        delay = Seconds("received_at", "observed_at")
        recent = Alert.objects.filter(observed_at__gte=now - DELAY_WINDOW).aggregate(
            n=Count("pk"), quantiles=Percentiles(delay, (0.5, 0.9, 0.99))
        )
        latency = GaugeMetricFamily(
            "vigil_ingest_delay_seconds",
            "Delay from the event (the alert's observed time) to its arrival in Vigil, quantiles "
            "over alerts observed in the last 15 minutes; not the request's duration.",
            labels=["quantile"],
        )
        for label, value in zip(("0.5", "0.9", "0.99"), recent["quantiles"], strict=True):
            if value is not None:
                latency.add_metric([label], value)
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

        sign_ins = CounterMetricFamily(
            "vigil_sign_in_events",
            "Sign-in audit events by kind (sign_in, failure, lockout, second_factor_failed, "
            "token_first_use, ...), counted from the audit log.",
            labels=["kind"],
        )
        recorded = dict(SignInEvent.objects.values_list("kind").annotate(n=Count("pk")).order_by())
        for kind in SignInEvent.Kind.values:
            sign_ins.add_metric([kind], recorded.get(kind, 0))
        yield sign_ins

        tasks = CounterMetricFamily(
            "vigil_celery_tasks", "Celery task outcomes (all workers).", labels=["task", "outcome"]
        )
        names = _task_names()
        keys = {_task_key(task, outcome): (task, outcome) for task in names for outcome in TASK_OUTCOMES}
        for key, value in counters.read(list(keys)).items():
            tasks.add_metric(list(keys[key]), int(value))
        yield tasks
