"""Run the metrics queries on more than one PostgreSQL connection at once.

A long range is CPU-bound in PostgreSQL (the exact medians sort every duration), and one
backend uses one core: two connections put two cores to work on independent queries.
Each query still runs whole, as one exact SQL aggregate; only their order in time changes.

Concurrent only where it is safe and useful, else everything runs in order on the
request's connection (the same queries, the same results):
- PostgreSQL only (SQLite serialises its readers' work in one process anyway, and an
  in-memory test database is not shared between connections);
- ``VIGIL_METRICS_CONNECTIONS`` above 1 (the setting; 1 turns it off);
- the caller's connection has no open transaction: another connection would not see
  what it wrote and has not committed (a test's transaction, ``ATOMIC_REQUESTS``).

The extra streams are threads of the calling process (a gunicorn sync worker too: its
request waits for them, as it would for its own queries), each with its own Django
connection (connections are per thread), closed when the thread has no more work, so no
connection outlives the request, and the caller's time zone and language (both per
thread in Django). Tasks are taken longest first from a shared list, so
the streams finish about together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone, translation


def _stream_count() -> int:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(getattr(settings, "VIGIL_METRICS_CONNECTIONS", 1)))


def _prepare() -> None:
    """Settings for this transaction of the stream's connection (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # JIT compilation costs more than it saves on these aggregates.
            cursor.execute("SET LOCAL jit = off")
            # A percentile table sorts a year's cases by its group (about 10 MB): in
            # memory rather than merged on disk at the default 4 MB, 13% faster.
            cursor.execute("SET LOCAL work_mem = '16MB'")
            # The streams already keep the cores busy: a parallel plan's workers would only
            # compete with the other stream (and cost their start-up).
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def run_tasks(tasks: list[Callable[[], object]]) -> list:
    """Each task's result, in the order of ``tasks`` (which should be longest first). A
    task's exception is raised here once every stream has stopped."""
    results: list = [None] * len(tasks)
    errors: list[BaseException] = []
    lock = threading.Lock()
    queue = list(enumerate(tasks))

    def take():
        with lock:
            if errors or not queue:
                return None
            return queue.pop(0)

    def work():
        try:
            with transaction.atomic():
                _prepare()
                while (item := take()) is not None:
                    index, task = item
                    results[index] = task()
        except BaseException as error:  # re-raised by the caller's thread
            with lock:
                errors.append(error)

    # Per thread too: the caller's time zone (the user's, which the per-day tables truncate
    # by) and language, for the extra streams.
    zone, language = timezone.get_current_timezone(), translation.get_language()

    def extra_stream():
        try:
            with timezone.override(zone), translation.override(language):
                work()
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=extra_stream, daemon=True) for _ in range(_stream_count() - 1)]
    for thread in threads:
        thread.start()
    work()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
