"""Platform state: which Celery workers are alive (read by /healthz)."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running Celery worker, refreshed every VIGIL_WORKER_HEARTBEAT_SECONDS by
    the worker itself (soc.heartbeat) and deleted when it shuts down cleanly."""

    hostname = models.CharField(max_length=255, unique=True)
    queues = models.JSONField(default=list, help_text="The queues the worker consumes.")
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname} ({', '.join(self.queues)}) seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
