"""soc.broker: kombu's Redis transport reusing one command client per connection pool,
against a real Redis (CI runs the whole suite on Redis as broker, the worker included)."""

import os

import pytest
import redis
from kombu import Connection

from soc.broker import RedisTransport
from soc.celery import app as celery_app
from tests.conftest import require_service

REDIS_URL = os.environ.get("VIGIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def connection():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        available = True
    except redis.RedisError:
        available = False
    require_service(available, f"Redis at {REDIS_URL}")
    with Connection(REDIS_URL, transport=RedisTransport) as conn:
        yield conn


def test_commands_share_one_client_until_the_pool_is_replaced(connection):
    channel = connection.default_channel
    with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
        assert first is second
        assert first.connection_pool is channel.pool
    given = redis.Redis.from_url(REDIS_URL)
    with channel.conn_or_acquire(given) as client:
        assert client is given  # a caller's own client is used as it is
    channel._disconnect_pools()  # what kombu does after a fork
    with channel.conn_or_acquire() as renewed:
        assert renewed is not first
        assert renewed.connection_pool is channel.pool


def test_messages_round_trip_through_the_transport(connection):
    queue = connection.SimpleQueue("vigil-test-broker")
    try:
        queue.clear()
        for n in range(3):
            queue.put({"n": n})
        received = []
        for _ in range(3):
            message = queue.get(timeout=5)
            received.append(message.payload["n"])
            message.ack()
        assert received == [0, 1, 2]
    finally:
        queue.clear()
        queue.close()


def test_a_redis_broker_url_selects_it():
    if celery_app.conf.broker_url.startswith(("redis://", "rediss://")):
        assert celery_app.conf.broker_transport == "soc.broker:RedisTransport"
    else:
        assert celery_app.conf.broker_transport is None
