"""kombu's Redis transport, with one command client per connection pool.

Outside the consumer's event loop, kombu's Redis channel builds a new redis.Redis client
for every command it sends (`Channel.conn_or_acquire`), and so for every task published;
building one fills a table of ~80 response callbacks. Measured with callgrind, that was
7% of the instructions of a single-alert ingest request (which publishes its enrichment).
The client here is built once per connection pool and reused: redis.Redis takes a pooled
connection per command, so one client serves every thread, and it is rebuilt when kombu
replaces the pool (after a fork or a connection error).

Selected by settings.CELERY_BROKER_TRANSPORT when the broker URL is redis:// or rediss://.
"""

from contextlib import contextmanager

from kombu.transport import redis as kombu_redis


class RedisChannel(kombu_redis.Channel):
    _command_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client:
            yield client
            return
        pool = self.pool
        command_client = self._command_client
        if command_client is None or command_client.connection_pool is not pool:
            command_client = self._command_client = self._create_client()
        yield command_client


class RedisTransport(kombu_redis.Transport):
    Channel = RedisChannel
