"""Worker heartbeats: each `celery worker` process says it is alive, /healthz reads it.

When its consumer is ready (connected to the broker, consuming its queues), a worker
starts a thread that writes its WorkerHeartbeat row every VIGIL_WORKER_HEARTBEAT_SECONDS;
a clean shutdown deletes the row. A worker that is killed, hangs or exits stops
writing, and /healthz reports its queues stale after VIGIL_WORKER_STALE_SECONDS. The
heartbeat goes to the database, so it works on every deployment (the embedded defaults use
a per-process cache that the web process could not read).

Only the `celery worker` program sends worker_ready; the in-process test worker
(celery.contrib.testing) does not, so tests never get a stray writer thread.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, hostname: str, queues: list[str]):
        self.hostname, self.queues = hostname, sorted(queues)
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vigil-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            from soc.models import WorkerHeartbeat

            WorkerHeartbeat.objects.filter(hostname=self.hostname, pid=os.getpid()).delete()
        except DatabaseError:
            logger.warning("could not remove the heartbeat of %s", self.hostname)

    def beat(self) -> None:
        from soc.models import WorkerHeartbeat

        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            hostname=self.hostname,
            defaults={
                "queues": self.queues,
                "pid": os.getpid(),
                "started_at": self.started_at,
                "seen_at": now,
            },
        )
        # Rows of workers that died long ago (killed: no clean shutdown) are forgotten.
        WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()

    def _run(self) -> None:
        interval = settings.VIGIL_WORKER_HEARTBEAT_SECONDS
        while not self._stop.is_set():
            close_old_connections()
            try:
                self.beat()
            except DatabaseError:  # the database is down: try again next time
                logger.warning("heartbeat of %s not written", self.hostname, exc_info=True)
                connection.close()
            self._stop.wait(interval)
        connection.close()


_current: Heartbeat | None = None


@worker_ready.connect(dispatch_uid="vigil-heartbeat-start")
def _start_heartbeat(sender=None, **kwargs) -> None:
    global _current
    if _current is not None or settings.VIGIL_WORKER_HEARTBEAT_SECONDS <= 0:
        return
    queues = list(sender.app.amqp.queues.consume_from)
    _current = Heartbeat(sender.hostname, queues)
    _current.start()


@worker_shutdown.connect(dispatch_uid="vigil-heartbeat-stop")
def _stop_heartbeat(**kwargs) -> None:
    global _current
    if _current is not None:
        _current.stop()
        _current = None


def queue_freshness(queues: list[str]) -> dict[str, datetime | None]:
    """For each queue, when a worker consuming it last reported (None: never)."""
    from soc.models import WorkerHeartbeat

    seen: dict[str, datetime | None] = dict.fromkeys(queues)
    for worker_queues, seen_at in WorkerHeartbeat.objects.values_list("queues", "seen_at"):
        for queue in set(worker_queues) & set(queues):
            if seen[queue] is None or seen_at > seen[queue]:
                seen[queue] = seen_at
    return seen
