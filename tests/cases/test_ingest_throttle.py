"""The ingest rate limit: a sliding-window counter per source (cases.api.ingest_auth)."""

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings

from cases.api.ingest_auth import IngestRateThrottle


class Request:
    def __init__(self, source):
        self.auth = source
        self.user = None


@pytest.fixture
def throttle(monkeypatch, ingest_source):
    cache.clear()
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "ingest", "10/min")
    clock = {"now": 6_000_000.0}  # the start of a window (a multiple of 60)

    def check(at: float) -> tuple[bool, float | None]:
        clock["now"] = 6_000_000.0 + at
        t = IngestRateThrottle()
        t.timer = lambda: clock["now"]
        allowed = t.allow_request(Request(ingest_source[0]), None)
        return allowed, None if allowed else t.wait()

    yield check
    cache.clear()


def test_the_limit_holds_across_a_window_boundary(throttle):
    assert all(throttle(50 + i * 0.1)[0] for i in range(10))  # a burst late in one window
    allowed, wait = throttle(59)
    assert not allowed and wait >= 1
    # Just after the boundary the burst still counts almost fully: no second burst.
    assert not throttle(61)[0]
    # Once the previous window has slid out enough, requests pass again.
    allowed_at = 59 + wait
    assert throttle(allowed_at + 0.01)[0]
    assert all(throttle(180 + i)[0] for i in range(10))  # a window without requests later: a fresh budget


def test_retry_after_is_when_the_next_request_fits(throttle):
    for i in range(10):
        assert throttle(i)[0]
    allowed, wait = throttle(20)
    assert not allowed
    assert not throttle(20 + wait - 2)[0]
    assert throttle(20 + wait + 0.01)[0]


def test_the_cache_holds_one_counter_per_window_whatever_the_rate(throttle, ingest_source):
    key = f"throttle_ingest_{ingest_source[0].pk}"
    for i in range(10):
        assert throttle(i)[0]
    assert not throttle(30)[0]  # refused requests are not counted
    assert cache.get(f"{key}:100000") == 10
    assert throttle(119)[0]  # late in the next window, where this one is the previous
    assert (cache.get(f"{key}:100000"), cache.get(f"{key}:100001")) == (10, 1)


@pytest.mark.postgres_or_redis
def test_on_redis_one_atomic_counter_per_window_with_an_expiry(throttle, ingest_source):
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        pytest.skip("needs CACHE_URL=redis://... (CI sets it)")
    for i in range(10):
        assert throttle(i)[0]
    assert not throttle(30)[0]
    key = backend.make_and_validate_key(f"throttle_ingest_{ingest_source[0].pk}:100000")
    client = backend._cache.get_client(key)
    assert int(client.get(key)) == 10  # INCR'd in Redis; the refused request was taken back
    assert 0 < client.ttl(key) <= 120
