"""Celery: the broker (and what a broker outage costs), the workers and beat's schedule."""

from datetime import timedelta
from pathlib import Path

from .base import VAR_DIR, env

# The host part is only there to spare kombu's "No hostname was supplied" warning.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
_BROKER_DIR = Path(env.str("VIGIL_BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_BROKER_DIR),
        "data_folder_out": str(_BROKER_DIR),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # kombu keeps fanout bindings here; its default is relative to the working directory.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
# Publishing (web requests, beat, tasks that send tasks) makes one connection attempt and
# gives up: kombu reads max_retries for producers from the transport options, so a broker
# that is down costs a publish no retry sleeps (soc/tasks.py then opens its circuit).
CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] = 0
if CELERY_BROKER_URL.startswith("filesystem"):
    # kombu does not create its folders; a missing one would make every send fail.
    (_BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu's Redis transport, reusing its command client (soc/internals.py).
    CELERY_BROKER_TRANSPORT = "soc.internals:RedisTransport"
# A broker outage: each connection attempt (a publish, or one reconnect of a worker) waits
# at most this long; after a failed publish, soc.tasks skips publishing for
# VIGIL_BROKER_CIRCUIT_SECONDS (the work waits in the database for the beat sweepers).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("VIGIL_BROKER_PUBLISH_TIMEOUT", default=1.0)
VIGIL_BROKER_CIRCUIT_SECONDS = env.float("VIGIL_BROKER_CIRCUIT_SECONDS", default=15.0)
# Workers reconnect forever, at startup too, and resume by themselves when the broker is back.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Each worker records that it is alive (soc.heartbeat) this often; /healthz answers 503
# when no worker has reported for a queue within VIGIL_WORKER_STALE_SECONDS.
VIGIL_WORKER_HEARTBEAT_SECONDS = env.float("VIGIL_WORKER_HEARTBEAT_SECONDS", default=10.0)
VIGIL_WORKER_STALE_SECONDS = env.float("VIGIL_WORKER_STALE_SECONDS", default=60.0)
# A reference-data change refreshes every open case: in tasks of this many cases, sent this
# long after the change so that a burst of changes shares one fan-out (enrichment.tasks).
VIGIL_REFRESH_BATCH_SIZE = env.int("VIGIL_REFRESH_BATCH_SIZE", default=200)
VIGIL_REFRESH_COALESCE_SECONDS = env.float("VIGIL_REFRESH_COALESCE_SECONDS", default=2.0)
# The beat sweepers (outbox: work a broker outage kept from being sent) run this often, for
# work older than VIGIL_SWEEP_GRACE_SECONDS (younger work may still have its own dispatch).
VIGIL_SWEEP_GRACE_SECONDS = env.float("VIGIL_SWEEP_GRACE_SECONDS", default=60.0)
VIGIL_SWEEP_INTERVAL_SECONDS = env.float("VIGIL_SWEEP_INTERVAL_SECONDS", default=60.0)
# New alerts' enrichment is sent by a relay thread in each process, in batches gathered for
# this long after the first alert (cases/services/intake/relay.py); 0 sends it inline.
VIGIL_ENRICHMENT_RELAY_MS = env.int("VIGIL_ENRICHMENT_RELAY_MS", default=100)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_ALWAYS_EAGER = False
# Containment tasks go to CONTAINMENT_QUEUE ("containment"), which has its own worker
# (Procfile, docker-compose.yml); everything else to the default queue ("celery").
CELERY_TASK_ROUTES = ("soc.celery.route_task",)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat folds the per-request ingest tallies into the sources' alert_count and last_seen_at
# this often (cases.services.ingest_counts; a reader of the count sees it this far behind).
VIGIL_INGEST_TALLY_FOLD_SECONDS = env.float("VIGIL_INGEST_TALLY_FOLD_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # Re-dispatch enrichment for alerts whose task never reached the broker (outage).
    "sweep-undispatched-work": {
        "task": "cases.tasks.sweep_undispatched",
        "schedule": timedelta(seconds=VIGIL_SWEEP_INTERVAL_SECONDS),
    },
    # Re-send the open cases' refresh after a reference change the broker missed.
    "sweep-reference-refresh": {
        "task": "enrichment.tasks.sweep_reference_refresh",
        "schedule": timedelta(seconds=VIGIL_SWEEP_INTERVAL_SECONDS),
    },
    # Re-queue containment actions stuck in "queued" and revert expired blocks.
    "containment-housekeeping": {
        "task": "containment.tasks.housekeeping",
        "schedule": timedelta(seconds=VIGIL_SWEEP_INTERVAL_SECONDS),
    },
    # Timeline events become notifications; deliveries the broker missed are sent again.
    "notifications-derive": {
        "task": "notifications.tasks.derive",
        "schedule": timedelta(seconds=env.int("VIGIL_NOTIFY_INTERVAL_SECONDS", default=10)),
    },
    # Recompute the SLA clocks of recently changed cases; record due warnings and breaches.
    "sla-tick": {
        "task": "sla.tasks.sla_tick",
        "schedule": timedelta(minutes=1),
    },
    # Fold the per-request ingest tallies into the sources' counters.
    "fold-ingest-tallies": {
        "task": "cases.tasks.fold_ingest_tallies",
        "schedule": timedelta(seconds=VIGIL_INGEST_TALLY_FOLD_SECONDS),
    },
}
