"""soc.internals: the shortcuts on private internals of Django, kombu and redis-py.

Each shortcut is compared with the public path it replaces, so a change of the internal it
rests on fails here; and the installed libraries must be the versions the shortcuts were
verified against (on any other, soc.internals takes the public paths, tested here too).
The Redis tests use a real Redis (CI runs the whole suite on Redis as broker and cache)."""

import logging
import os
from datetime import UTC, datetime

import pytest
import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models.signals import post_init
from django.test import RequestFactory
from kombu import Connection

from cases.models import Alert, Case, CaseEvent, IngestSource
from soc import internals
from soc.celery import app as celery_app
from soc.internals import (
    RedisTransport,
    check_related_for_bulk_write,
    db_values,
    new_row,
    plain_types,
    redis_cache_write_client,
    replace_request_body,
)
from tests.conftest import require_service

REDIS_URL = os.environ.get("VIGIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
NOW = datetime(2026, 3, 4, 13, 41, 7, tzinfo=UTC)


@pytest.mark.parametrize("distribution", sorted(internals.VERIFIED))
def test_the_installed_libraries_are_the_verified_versions(distribution):
    assert internals.installed(distribution) == internals.VERIFIED[distribution], (
        f"{distribution} was upgraded: run this file's behavioural tests on the new version, "
        "then add it to soc.internals.VERIFIED (or drop the shortcut); until then the "
        "shortcuts resting on it take the public path"
    )
    assert internals.DJANGO and internals.KOMBU_REDIS and internals.DJANGO_REDIS


@pytest.fixture
def unverified(monkeypatch):
    """soc.internals as on library versions it was not verified against."""
    for flag in ("DJANGO", "KOMBU_REDIS", "DJANGO_REDIS"):
        monkeypatch.setattr(internals, flag, False)


def redis_available() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        available = True
    except redis.RedisError:
        available = False
    require_service(available, f"Redis at {REDIS_URL}")


# --- new_row ----------------------------------------------------------------------------


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


ROWS = [
    (Case, {"title": "t", "severity": 3, "technique_id": "T1591.002", "opened_at": NOW}),
    (Alert, {"source_ref": "r", "title": "t", "observed_at": NOW, "raw": {"a": 1}, "case_id": 7}),
    (CaseEvent, {"case_id": 3, "verb": "created", "data": {"k": "v"}}),
]


@pytest.mark.parametrize(("model", "values"), ROWS)
def test_new_row_equals_the_constructor(model, values):
    fast, slow = new_row(model, **values), model(**values)
    assert fields(fast) == fields(slow)
    assert fast._state.adding and fast._state.db is None
    assert vars(fast).keys() == vars(slow).keys()


def test_new_row_defaults_are_fresh_and_related_objects_cached():
    source = IngestSource(pk=5, name="s")
    a, b = new_row(Alert, source=source), new_row(Alert, source=source)
    assert a.raw == {} and a.raw is not b.raw and a.tags is not b.tags
    assert a.source_id == 5 and a.source is source  # no query: cached like the descriptor does


def test_new_row_refuses_unknown_fields():
    with pytest.raises(TypeError):
        new_row(Case, nonsense=1)


def test_new_row_uses_the_constructor_when_init_signals_are_connected():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=CaseEvent)
    try:
        event = new_row(CaseEvent, case_id=1, verb="created")
    finally:
        post_init.disconnect(receiver, sender=CaseEvent)
    assert seen == [event]


@pytest.mark.parametrize(("model", "values"), ROWS)
def test_new_row_uses_the_constructor_on_an_unverified_django(model, values, unverified, monkeypatch):
    built = []
    constructor = model.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        constructor(self, *args, **kwargs)

    monkeypatch.setattr(model, "__init__", counting_init)
    row = new_row(model, **values)
    assert built == [row]
    assert fields(row) == fields(model(**values))


# --- check_related_for_bulk_write ---------------------------------------------------------


@pytest.mark.parametrize("verified", [True, False])
def test_rows_are_checked_for_related_objects_as_bulk_create_checks_them(verified, monkeypatch):
    monkeypatch.setattr(internals, "DJANGO", verified)
    source = IngestSource(name="unsaved")
    alert = new_row(Alert, source=source, case_id=1)
    with pytest.raises(ValueError, match="unsaved related object 'source'"):
        check_related_for_bulk_write(alert)
    source.pk = 9  # saved since it was assigned: its id is taken, as bulk_create takes it
    check_related_for_bulk_write(alert)
    assert alert.source_id == 9
    from_ids = new_row(Alert, source_id=9, case_id=1)
    check_related_for_bulk_write(from_ids)
    assert from_ids.source_id == 9


# --- plain values -----------------------------------------------------------------------


@pytest.mark.parametrize("model", [Case, Alert, CaseEvent])
def test_plain_values_are_sent_as_get_db_prep_save_would_send_them(model, db):
    if connection.vendor != "postgresql":
        pytest.skip("the fast path is PostgreSQL's (DATABASE_URL=postgres://...)")
    samples = {bool: [True, None], int: [3, None, 2**40], str: ["x", "", None], datetime: [NOW, None]}
    checked = 0
    for field in model._meta.concrete_fields:
        plain = plain_types(field)
        for values in [samples[t] for t in plain]:
            expected = [field.get_db_prep_save(v, connection) for v in values]
            assert db_values(field, values, plain, connection) == expected, field.name
            checked += 1
    assert checked >= 5


def test_values_that_need_conversion_take_the_field_path():
    raw = Alert._meta.get_field("raw")
    assert plain_types(raw) == ()
    observed = Alert._meta.get_field("observed_at")
    naive = datetime(2026, 3, 4, 13, 41, 7)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        sent = db_values(observed, [NOW, naive], plain_types(observed), connection)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert sent == [observed.get_db_prep_save(v, connection) for v in (NOW, naive)]


def test_every_value_takes_the_field_path_on_an_unverified_django(unverified):
    assert all(plain_types(f) == () for f in Case._meta.concrete_fields)


# --- a request body read ahead --------------------------------------------------------


def test_a_replaced_body_is_what_django_reads():
    request = RequestFactory().post("/x", data=b"stale", content_type="application/x-www-form-urlencoded")
    replace_request_body(request, b"a=1&b=two")
    assert request.POST.dict() == {"a": "1", "b": "two"}
    assert request.body == b"a=1&b=two"
    assert request.META["CONTENT_LENGTH"] == "9"


# --- Django's Redis cache ---------------------------------------------------------------


def test_the_redis_cache_write_client_is_built_once_and_writes_where_the_cache_does():
    redis_available()
    backend = RedisCache(REDIS_URL, {})
    client = redis_cache_write_client(backend)
    assert client is redis_cache_write_client(backend)
    key = backend.make_and_validate_key("vigil-test-internals")
    try:
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(key)
        pipeline.expire(key, 60)
        assert pipeline.execute() == [1, True]
        assert backend.get("vigil-test-internals") == 1  # what the cache API reads back
    finally:
        backend.delete("vigil-test-internals")
    assert redis_cache_write_client(RedisCache(REDIS_URL, {})) is not client  # one per backend


def test_no_redis_client_for_other_caches_or_unverified_libraries(monkeypatch):
    assert redis_cache_write_client(LocMemCache("vigil-test", {})) is None
    monkeypatch.setattr(internals, "DJANGO_REDIS", False)
    assert redis_cache_write_client(RedisCache(REDIS_URL, {})) is None


# --- kombu's Redis transport ------------------------------------------------------------


@pytest.fixture
def broker():
    redis_available()
    with Connection(REDIS_URL, transport=RedisTransport) as conn:
        yield conn


def test_commands_share_one_client_until_the_pool_is_replaced(broker):
    channel = broker.default_channel
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


def test_kombu_builds_its_clients_on_unverified_libraries(broker, unverified):
    channel = broker.default_channel
    with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
        assert first is not second
        assert first.connection_pool is channel.pool


@pytest.mark.parametrize("verified", [True, False])
def test_messages_round_trip_through_the_transport(broker, verified, monkeypatch):
    monkeypatch.setattr(internals, "KOMBU_REDIS", verified)
    queue = broker.SimpleQueue("vigil-test-broker")
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
        assert celery_app.conf.broker_transport == "soc.internals:RedisTransport"
    else:
        assert celery_app.conf.broker_transport is None


@pytest.mark.parametrize("verified", [True, False])
def test_an_ack_after_the_connection_is_gone_is_a_connection_error(broker, verified, monkeypatch, caplog):
    """A worker that loses the broker still acks the tasks its pool finishes, on a channel
    whose connection is gone and whose pool was dropped. kombu then rebuilt the pool from
    the missing connection and raised AttributeError, which the worker does not treat as
    a lost broker, so it exited (found by tests/soc/test_broker_outage.py). It must be a
    connection error: the worker logs "Couldn't ack", reconnects, and the message is
    delivered again once the broker is back."""
    monkeypatch.setattr(internals, "KOMBU_REDIS", verified)
    queue = broker.SimpleQueue("vigil-test-gone-ack")
    try:
        queue.clear()
        queue.put({"n": 1})
        message = queue.get(timeout=5)
        channel = message.channel
        channel._disconnect_pools()  # the state the worker's traceback showed
        monkeypatch.setattr(channel.connection, "client", None)
        message.ack_log_error(logging.getLogger("vigil.test"), broker.connection_errors)
        assert "Couldn't ack" in caplog.text
        assert message._state != "ACK"
    finally:
        monkeypatch.undo()
        queue.clear()
        queue.close()
