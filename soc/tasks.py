"""Dispatching Celery work from request code.

Tasks are sent only after the surrounding transaction commits, so a worker never
reads a row that is not there yet. A broker outage never fails the request, and costs
it almost nothing:

- a publish makes one connection attempt, bounded by VIGIL_BROKER_PUBLISH_TIMEOUT
  (settings: CELERY_BROKER_CONNECTION_TIMEOUT and the transport's max_retries=0);
- after a failed publish this process's circuit for that broker opens: for
  VIGIL_BROKER_CIRCUIT_SECONDS every publish is skipped at once (no connection attempt);
  then one caller probes the broker while the others keep skipping, and its success
  closes the circuit.

Skipped work is never lost: each caller leaves it in a state the beat sweepers pick up
(cases.tasks.sweep_undispatched, enrichment.tasks.sweep_reference_refresh, containment
housekeeping), as it would after any failed publish.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import transaction
from kombu.utils.url import maybe_sanitize_url

logger = logging.getLogger(__name__)


class BrokerCircuit:
    """A circuit breaker for publishing to one broker, shared by this process's threads.

    closed: publish. open (until `open_until`): skip. Half-open (the time is up): the first
    caller probes, the others skip until its publish succeeds (closed) or fails (open again).
    """

    def __init__(self, where: str, clock=time.monotonic):
        self.where = where
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._open_until > 0.0

    def allow(self) -> bool:
        """Whether this caller may publish now."""
        with self._lock:
            if not self._open_until:
                return True
            if self._probing or self._clock() < self._open_until:
                return False
            self._probing = True
            return True

    def succeeded(self) -> None:
        with self._lock:
            was_open, self._open_until, self._probing = self.is_open, 0.0, False
        if was_open:
            logger.warning("broker %s reachable again; publishing resumed", self.where)

    def failed(self) -> None:
        seconds = settings.VIGIL_BROKER_CIRCUIT_SECONDS
        with self._lock:
            was_open = self.is_open
            self._open_until, self._probing = self._clock() + seconds, False
        if not was_open:
            logger.warning(
                "broker %s unreachable; publishing paused for %ss, the sweepers send the work later",
                self.where,
                seconds,
            )


_circuits: dict[str, BrokerCircuit] = {}
_circuits_lock = threading.Lock()


def broker_circuit(app) -> BrokerCircuit:
    """The circuit of the broker `app` publishes to (one per URL: a test, or a deployment,
    may point the app at another broker)."""
    url = app.conf.broker_write_url or app.conf.broker_url or ""
    with _circuits_lock:
        circuit = _circuits.get(url)
        if circuit is None:
            circuit = _circuits[url] = BrokerCircuit(maybe_sanitize_url(url))  # no password
        return circuit


def reset_broker_circuits() -> None:
    """Close every circuit (tests start each case from a reachable broker)."""
    with _circuits_lock:
        _circuits.clear()


def send_task_safely(task, *args, **kwargs) -> bool:
    """Send now; return False instead of raising when the broker is down or its circuit
    is open (the caller's work then waits for its sweeper). `task` is a task or a
    signature (whose own options, e.g. a queue, are kept)."""
    circuit = broker_circuit(task.app)
    if not circuit.allow():
        logger.debug("broker circuit open; %s(%s) left for the sweeper", task.name, args)
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # kombu raises many types for an unreachable broker
        circuit.failed()
        logger.warning("broker unavailable; %s(%s) left for the sweeper", task.name, args)
        return False
    circuit.succeeded()
    return True


def dispatch_on_commit(task, *args, **kwargs) -> None:
    """Send `task` with these arguments once the current transaction commits."""
    transaction.on_commit(lambda: send_task_safely(task, *args, **kwargs))
