"""Counters every process adds to and any web process reads: the Prometheus endpoint's
ingest outcomes, ingest request durations and Celery task outcomes.

Prometheus' client keeps counters in the memory of one process, so a scrape answered by
one gunicorn worker would miss the others' requests and every Celery worker's tasks. These
counters live where all processes meet instead:

- a cache every process shares with an atomic increment (Redis in production, or
  memcached): one INCRBY per count, no row lock;
- otherwise the database (the embedded mode's local-memory cache is private to each
  process): one row per key in `insights.Counter`, incremented with an UPDATE in its own
  short statement.

Keys are plain strings; the Prometheus collector builds them from bounded label values.
"""

from __future__ import annotations

import logging

from django.core.cache import caches
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.db.models import F

logger = logging.getLogger(__name__)
PREFIX = "vigil:counter:"


def _shared_cache():
    """The default cache when it is one store for every process with an atomic incr,
    else None (local memory, files, dummy, or a database cache, whose incr is get + set)."""
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache | BaseMemcachedCache) else None


def increment(key: str, amount: int = 1) -> None:
    """Add `amount` to the counter; instrumentation never raises into its caller."""
    try:
        shared = _shared_cache()
        if shared is not None:
            shared.add(PREFIX + key, 0, timeout=None)
            shared.incr(PREFIX + key, amount)
        else:
            _increment_row(key, amount)
    except Exception:
        logger.warning("could not count %s", key, exc_info=True)


def _increment_row(key: str, amount: int) -> None:
    from .models import Counter

    if Counter.objects.filter(key=key).update(value=F("value") + amount):
        return
    try:
        with transaction.atomic():
            Counter.objects.create(key=key, value=amount)
    except IntegrityError:  # another process created it meanwhile
        Counter.objects.filter(key=key).update(value=F("value") + amount)


def read(keys: list[str]) -> dict[str, int]:
    """The counters that exist among `keys` (absent ones were never incremented)."""
    shared = _shared_cache()
    if shared is not None:
        found = shared.get_many([PREFIX + key for key in keys])
        return {key[len(PREFIX) :]: int(value) for key, value in found.items()}
    from .models import Counter

    return dict(Counter.objects.filter(key__in=keys).values_list("key", "value"))
