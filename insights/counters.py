"""Counters every process adds to and any web process reads: the Prometheus endpoint's
ingest outcomes, ingest request durations and Celery task outcomes.

Prometheus' client keeps counters in the memory of one process, so a scrape answered by
one gunicorn worker would miss the others' requests and every Celery worker's tasks. These
counters live where all processes meet instead:

- a cache every process shares with an atomic increment (Redis in production, or
  memcached), no row lock: on Django's Redis cache, all the counts of one call (an ingest
  request adds two to four) go as INCRBYs in one pipeline, one round trip; INCRBY starts
  a missing counter at 0. A reader sees every count as soon as its call returns (nothing
  is buffered in the process). Elsewhere (memcached, or an unverified redis-py/Django,
  soc.internals) the cache API: an add and an incr per count;
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

from soc.internals import redis_cache_write_client

logger = logging.getLogger(__name__)
PREFIX = "vigil:counter:"


def _shared_cache():
    """The default cache when it is one store for every process with an atomic incr,
    else None (local memory, files, dummy, or a database cache, whose incr is get + set)."""
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache | BaseMemcachedCache) else None


def increment(key: str, amount: int = 1) -> None:
    """Add `amount` to the counter; instrumentation never raises into its caller."""
    increment_many({key: amount})


def increment_many(amounts: dict[str, int]) -> None:
    """Add each amount to its counter, in one round trip on Redis; never raises."""
    try:
        shared = _shared_cache()
        client = redis_cache_write_client(shared)
        if client is not None:
            pipeline = client.pipeline(transaction=False)
            for key, amount in amounts.items():
                pipeline.incrby(shared.make_and_validate_key(PREFIX + key), amount)
            pipeline.execute()
        elif shared is not None:
            for key, amount in amounts.items():
                shared.add(PREFIX + key, 0, timeout=None)
                shared.incr(PREFIX + key, amount)
        else:
            for key, amount in amounts.items():
                _increment_row(key, amount)
    except Exception:
        logger.warning("could not count %s", ", ".join(amounts), exc_info=True)


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
