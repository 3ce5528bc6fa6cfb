"""The speed-ups that rest on private internals of Django, kombu or redis-py, in one place.

Everything else on the hot paths (set-based writes, reserved ids, prepared statements)
uses public APIs. These few shortcuts read or write what the libraries do not promise to
keep, so each is guarded:

- VERIFIED names the (major, minor) versions every shortcut here was checked against.
  When an installed library is at another version, the shortcuts that rest on it take the
  public path instead (same results, slower), so an upgrade never breaks intake; and
  tests/soc/test_internals.py fails until someone re-runs its behavioural tests on the new
  version and adds it here (or drops the shortcut).
- tests/soc/test_internals.py holds a behavioural test per shortcut that compares it with
  the public path, so a change of the internal fails a test rather than a request.

What each bought is in README.md (Benchmarks).
"""

import io
from contextlib import contextmanager
from datetime import datetime
from importlib.metadata import version
from weakref import WeakKeyDictionary

import redis
from django.core.cache.backends.redis import RedisCache
from django.core.handlers.wsgi import LimitedStream
from django.db import models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from kombu.transport import redis as kombu_redis

VERIFIED = {"django": (5, 2), "kombu": (5, 7), "redis": (6, 4)}


def installed(distribution: str) -> tuple[int, int]:
    """The (major, minor) version of an installed distribution."""
    major, minor = version(distribution).split(".")[:2]
    return int(major), int(minor)


def verified(*distributions: str) -> bool:
    return all(installed(name) == VERIFIED[name] for name in distributions)


DJANGO = verified("django")
KOMBU_REDIS = verified("kombu", "redis")
DJANGO_REDIS = verified("django", "redis")


# --- Django: model instances without Model.__init__ ----------------------------------------


class _Shape:
    """What new_row needs of a model, computed once: the constant defaults (copied in one
    dict update), the callable ones (called per instance), relation names -> attnames."""

    def __init__(self, model):
        fields = model._meta.concrete_fields
        self.constants = {}
        self.factories = []
        for f in fields:
            if f.has_default() and callable(f.default):
                self.factories.append((f.attname, f.default))
            else:
                self.constants[f.attname] = f.get_default()
        self.relations = {f.name: f.attname for f in fields if f.is_relation}
        self.names = frozenset(f.attname for f in fields) | self.relations.keys()


_SHAPES: dict[type, _Shape] = {}


def new_row(model, **values):
    """`model(**values)` for the rows intake builds by the thousand (a batch of 500 new
    cases is ~5,000 instances), without Model.__init__, which costs ~6-13 us per instance
    (keyword resolution, descriptors, two signals). Same instance: every concrete field
    set, defaults included (callable ones called), a fresh ModelState; a related object
    passed by field name sets the id and is cached as the descriptor would.

    Private: Model.__new__ without __init__, ModelState, the instance __dict__ and
    ModelState.fields_cache. The constructor is used when a pre_init/post_init receiver is
    connected for the model, or on an unverified Django."""
    # `receivers` lists every connected receiver, for any sender: when both are empty (the
    # usual case) the per-sender lookup, ~25% of this function's time, is skipped.
    if (
        not DJANGO
        or (pre_init.receivers and pre_init.has_listeners(model))
        or (post_init.receivers and post_init.has_listeners(model))
    ):
        return model(**values)
    shape = _SHAPES.get(model)
    if shape is None:
        shape = _SHAPES[model] = _Shape(model)
    if not shape.names.issuperset(values):
        raise TypeError(f"{model.__name__} has no field(s) {sorted(set(values) - shape.names)}")
    obj = model.__new__(model)
    obj._state = ModelState()
    attrs = obj.__dict__
    attrs.update(shape.constants)
    for attname, factory in shape.factories:
        attrs[attname] = factory()
    relations = shape.relations
    for name, value in values.items():
        attname = relations.get(name, name)
        if attname != name:  # a related object
            attrs[attname] = None if value is None else value.pk
            obj._state.fields_cache[name] = value
        else:
            attrs[name] = value
    return obj


def check_related_for_bulk_write(obj) -> None:
    """What bulk_create checks of each row before writing it (an unsaved related object is
    refused; a related object saved since it was assigned gives its id), for rows written
    by raw SQL. Private: Model._prepare_related_fields_for_save, ModelState.fields_cache.
    On a verified Django it runs only for rows holding a related object: for the others
    (links built from ids) the check, which walks every field of the model, finds nothing."""
    if DJANGO and not obj._state.fields_cache:
        return
    obj._prepare_related_fields_for_save(operation_name="bulk_create")


# --- Django on PostgreSQL: values sent without get_db_prep_save ----------------------------


def plain_types(field) -> tuple[type, ...]:
    """The Python types whose values this field sends to PostgreSQL unchanged
    (get_db_prep_save is the identity for them there), or () when every value must go
    through it (JSON, UUIDs, decimals, anything else, or an unverified Django)."""
    if not DJANGO:
        return ()
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.BooleanField):
        return (bool,)
    if isinstance(field, models.IntegerField | models.AutoField):  # AutoField: ints too
        return (int,)
    if isinstance(field, models.CharField | models.TextField):
        return (str,)
    if isinstance(field, models.DateTimeField):
        return (datetime,)  # aware ones only, checked per value
    return ()


def db_values(field, values: list, plain: tuple[type, ...], conn) -> list:
    """`[field.get_db_prep_save(v, conn) for v in values]`, without the per-value call
    when every value is None or of a type the field sends unchanged (`plain`, from
    plain_types; an aware datetime for a DateTimeField). ~1-2 us saved per value: a batch
    of 500 new cases has ~20,000. Rests on what get_db_prep_save does, not on a promise."""
    if plain and all(
        v is None or (type(v) in plain and (type(v) is not datetime or v.tzinfo is not None)) for v in values
    ):
        return values
    return [field.get_db_prep_save(v, conn) for v in values]


# --- Django: a request body read ahead ---------------------------------------------------


def replace_request_body(request, body: bytes) -> None:
    """Make `request` read `body` (request.body, POST, FILES, DRF's parsers), for a body
    read ahead of Django (soc.middleware: a chunked one, which Django would read as empty).
    Private: WSGIRequest._stream and LimitedStream. No public path exists, whatever the
    version: tests/soc/test_internals.py is the guard."""
    request.META["CONTENT_LENGTH"] = str(len(body))
    request._stream = LimitedStream(io.BytesIO(body), len(body))


# --- Django's Redis cache: one redis-py client per backend ---------------------------------

# One redis-py client per cache backend instance (Django makes one per thread): building
# a client costs ~50 us (its response-callback table), and Django's get_client builds a
# new one per call. Writes always go to the first server's pool, whatever the key.
_WRITE_CLIENTS: "WeakKeyDictionary[RedisCache, object]" = WeakKeyDictionary()


def redis_cache_write_client(backend):
    """The redis-py client Django's Redis cache `backend` writes with, built once per
    backend instance, for commands the cache API lacks (a pipeline). None when `backend`
    is not Django's Redis cache or Django or redis-py is unverified: the caller then uses
    the cache API. Private: RedisCache._cache and its get_client."""
    if not DJANGO_REDIS or not isinstance(backend, RedisCache):
        return None
    client = _WRITE_CLIENTS.get(backend)
    if client is None:
        client = _WRITE_CLIENTS[backend] = backend._cache.get_client(write=True)
    return client


# --- kombu's Redis transport: one command client per connection pool -----------------------


class RedisChannel(kombu_redis.Channel):
    """Outside the consumer's event loop, kombu's Redis channel builds a new redis.Redis
    client for every command it sends (`Channel.conn_or_acquire`), and so for every task
    published; building one fills a table of ~80 response callbacks. Measured with
    callgrind, that was 7% of the instructions of a single-alert ingest request (which
    publishes its enrichment). The client here is built once per connection pool and
    reused: redis.Redis takes a pooled connection per command, so one client serves every
    thread, and it is rebuilt when kombu replaces the pool (after a fork or a connection
    error). Private: Channel.conn_or_acquire, Channel.pool and Channel._create_client;
    kombu's own behaviour on an unverified kombu or redis-py.

    Selected by settings.CELERY_BROKER_TRANSPORT when the broker URL is redis://."""

    _command_client = None

    def _connparams(self, asynchronous=False):
        """A channel whose connection is gone (the worker lost the broker while its pool
        was finishing tasks) cannot build a pool; kombu then fails on the missing
        connection with AttributeError, which the worker does not treat as a lost broker,
        and it exits. A connection error instead: the worker logs "Couldn't ack",
        reconnects, and the unacked message is delivered again (kombu issue #582)."""
        if self.connection is None or self.connection.client is None:
            raise redis.exceptions.ConnectionError("the broker connection of this channel is closed")
        return super()._connparams(asynchronous=asynchronous)

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client or not KOMBU_REDIS:
            with super().conn_or_acquire(client) as given:
                yield given
            return
        pool = self.pool
        command_client = self._command_client
        if command_client is None or command_client.connection_pool is not pool:
            command_client = self._command_client = self._create_client()
        yield command_client


class RedisTransport(kombu_redis.Transport):
    Channel = RedisChannel
