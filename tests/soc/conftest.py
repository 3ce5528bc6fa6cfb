"""Fixtures of the runtime tests: the real stack in subprocesses (tests/soc/stack.py)."""

import os
from contextlib import contextmanager

import pytest
from django.db import connections

from soc.celery import app as celery_app
from tests.soc.stack import RedisServer, celery_beat_process, celery_worker_process, subprocess_database_url


@contextmanager
def broker_at(url: str):
    """Point this (web) process's Celery app at another broker; producer pools rebuilt."""
    original = celery_app.conf.broker_url

    def switch(to):
        celery_app.conf.broker_url = celery_app.conf.broker_write_url = celery_app.conf.broker_read_url = to
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(original)


@pytest.fixture
def stack(tmp_path, settings):
    """(redis, start_worker, start_beat): a private Redis this process publishes to, and
    factories for worker and beat subprocesses on it; all stopped at teardown."""
    database_url = subprocess_database_url()
    redis = RedisServer(tmp_path / "redis").start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_BROKER")},
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis.url,
        "VIGIL_REQUIRE_SERVICES": "0",
        "VIGIL_WORKER_HEARTBEAT_SECONDS": "0.5",
        # The sweepers, quickly: what the outage kept from the broker is sent within seconds.
        "VIGIL_SWEEP_INTERVAL_SECONDS": "1",
        "VIGIL_SWEEP_GRACE_SECONDS": "1",
        "CONTAINMENT_REQUEUE_AFTER_SECONDS": "1",
        "VIGIL_REFRESH_COALESCE_SECONDS": "0",
    }
    started = []

    def start_worker(name="default", queues=("celery", "containment")):
        worker = celery_worker_process(name, list(queues), env, tmp_path / f"{name}.log", concurrency=2)
        started.append(worker.start())
        worker.wait_in_log(" ready.", timeout=90)
        return worker

    def start_beat():
        beat = celery_beat_process(env, tmp_path)
        started.append(beat.start())
        return beat

    with broker_at(redis.url):
        yield redis, start_worker, start_beat
    for process in reversed(started):
        process.stop()
    redis.stop()
    connections.close_all()
