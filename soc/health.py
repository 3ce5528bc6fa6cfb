"""/healthz: the database, the broker and the workers, for load balancers and orchestrators.

200 only when the database answers, the broker accepts a connection, and every queue
that must be consumed (Celery's default queue and the containment queue) has a worker
that reported within VIGIL_WORKER_STALE_SECONDS (soc.heartbeat). Otherwise 503, with a
reason per failed check that names no host, URL or secret.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from soc.celery import app as celery_app
from soc.celery import worker_queues
from soc.heartbeat import queue_freshness


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except Exception:
        return False


def _workers_problems() -> list[str]:
    """Why the workers are not healthy (empty: every queue has a live worker)."""
    stale_after = settings.VIGIL_WORKER_STALE_SECONDS
    now = timezone.now()
    problems = []
    for queue, seen_at in queue_freshness(worker_queues()).items():
        if seen_at is None:
            problems.append(f"no worker is consuming queue '{queue}'")
        elif (age := (now - seen_at).total_seconds()) > stale_after:
            problems.append(
                f"the worker for queue '{queue}' last reported {age:.0f}s ago (limit {stale_after:.0f}s)"
            )
    return problems


@require_GET
@never_cache
def healthz(request):
    reasons = {}
    database = _database_ok()
    if not database:
        reasons["database"] = "the database does not answer"
    if not _broker_ok():
        reasons["broker"] = "the Celery broker refuses connections or does not answer"
    if database and (problems := _workers_problems()):
        reasons["workers"] = "; ".join(problems)
    checks = {name: "unavailable" if name in reasons else "ok" for name in ("database", "broker", "workers")}
    if not database:
        checks["workers"] = "unknown"  # their heartbeats are in the database
    body = {"status": "degraded" if reasons else "ok", "checks": checks}
    if reasons:
        body["reasons"] = reasons
    return JsonResponse(body, status=503 if reasons else 200)
