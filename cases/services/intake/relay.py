"""Enrichment handed to the broker by a relay thread, off the request path.

Intake commits each new alert with `dispatched_at` empty: the alert table is the outbox.
After commit, `relay_enrichment` queues the new ids for this process's relay thread,
which waits VIGIL_ENRICHMENT_RELAY_MS after the first id for more, then hands them all
to `dispatch_enrichment` at once: one broker message and one stamp for the lot instead
of one of each per request. A quiet source waits only that long; under load the batches
grow by themselves, and the request answers without a broker round trip.

What the relay holds is never the only copy. A process that dies with ids queued leaves
them undispatched in the database, and cases.tasks.sweep_undispatched sends them after
VIGIL_SWEEP_GRACE_SECONDS; at a normal exit (gunicorn's graceful stop) the queue is
flushed first. A broker outage costs the relay what it costs any publish (soc.tasks'
circuit): the batch stays undispatched for the sweeper.

VIGIL_ENRICHMENT_RELAY_MS=0 dispatches inline after commit instead. The tests run so
(their rows sit in a transaction that the relay's own connection cannot see), except
those that exercise the relay on committed rows.
"""

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Sequence

from django.conf import settings
from django.db import close_old_connections, connections

from .dispatch import dispatch_enrichment

logger = logging.getLogger(__name__)

_STOP = None  # queued by `flush`: send what is queued, then end the thread
FLUSH_SECONDS = 5.0


class EnrichmentRelay:
    """One per process: a queue of alert ids and the thread that sends them in batches.
    Started on first use, and again in a forked child (a thread does not survive a fork:
    `forget` runs in the child)."""

    def __init__(self):
        self.forget()

    def forget(self) -> None:
        self._lock = threading.Lock()
        self._pending: queue.SimpleQueue | None = None
        self._thread: threading.Thread | None = None

    def submit(self, alert_ids: Sequence[int]) -> None:
        with self._lock:  # never behind a flush's stop on the same queue
            self._running().put(list(alert_ids))

    def flush(self, timeout: float = FLUSH_SECONDS) -> None:
        """Send what is queued and stop the thread (at exit; tests). The next `submit`
        starts a new one."""
        with self._lock:
            thread, pending = self._thread, self._pending
            if thread is None or not thread.is_alive():
                return
            self._thread = None
            pending.put(_STOP)
        thread.join(timeout)

    def _running(self) -> queue.SimpleQueue:
        """This process's queue, its thread started if need be (call with the lock held)."""
        if self._thread is None or not self._thread.is_alive():
            self._pending = queue.SimpleQueue()
            self._thread = threading.Thread(
                target=self._relay, args=(self._pending,), name="vigil-enrichment-relay", daemon=True
            )
            self._thread.start()
        return self._pending

    def _relay(self, pending: queue.SimpleQueue) -> None:
        try:
            self._drain(pending)
        finally:
            connections.close_all()  # this thread's own connection

    def _drain(self, pending: queue.SimpleQueue) -> None:
        stopping = False
        while not stopping:
            batch = pending.get()
            if batch is _STOP:
                return
            deadline = time.monotonic() + settings.VIGIL_ENRICHMENT_RELAY_MS / 1000
            while (left := deadline - time.monotonic()) > 0:
                try:
                    more = pending.get(timeout=left)
                except queue.Empty:
                    break
                if more is _STOP:
                    stopping = True
                    break
                batch += more
            self._send(batch)

    @staticmethod
    def _send(alert_ids: list[int]) -> None:
        try:
            dispatch_enrichment(alert_ids)
        except Exception:  # a database error on the stamp: the sweeper sends them again
            logger.exception("enrichment relay: %d alerts left for the sweeper", len(alert_ids))
        finally:
            close_old_connections()  # as after a request: drop a broken or expired connection


RELAY = EnrichmentRelay()
atexit.register(RELAY.flush)
os.register_at_fork(after_in_child=RELAY.forget)


def relay_enrichment(alert_ids: Sequence[int]) -> None:
    """After commit: hand these new alerts' enrichment to the relay (or send it now when
    VIGIL_ENRICHMENT_RELAY_MS is 0)."""
    if not alert_ids:
        return
    if settings.VIGIL_ENRICHMENT_RELAY_MS > 0:
        RELAY.submit(alert_ids)
    else:
        dispatch_enrichment(alert_ids)
