"""The Celery application. Task settings (acks_late, time limits, beat) live in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soc.settings")

app = Celery("vigil")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from soc import heartbeat  # noqa: E402, F401  (connects the worker heartbeat signals)


def worker_queues() -> list[str]:
    """The queues a deployment must have a worker for: Celery's default queue and the
    containment queue (CONTAINMENT_QUEUE; empty means the default queue)."""
    from django.conf import settings

    default = app.conf.task_default_queue
    return sorted({default, settings.CONTAINMENT_QUEUE or default})


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: containment runs on its own queue, so a block never waits
    behind bulk work (enrichment, reference-data refreshes) on the default queue."""
    from django.conf import settings

    if name.startswith("containment.tasks.") and settings.CONTAINMENT_QUEUE:
        return {"queue": settings.CONTAINMENT_QUEUE}
    return None
