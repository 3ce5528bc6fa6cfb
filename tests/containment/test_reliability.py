"""Reliability on the real stack: PostgreSQL, a Redis broker and real Celery worker
subprocesses (`celery -A soc worker --pool=solo -Q <unique queue>`) against the test
database. Locally these skip unless DATABASE_URL is PostgreSQL and CELERY_BROKER_URL is
Redis; CI (VIGIL_REQUIRE_SERVICES=1) fails them instead.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigil_containment \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 .venv/bin/pytest tests/containment/test_reliability.py
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from cases.models import CaseEvent
from containment import services
from containment.models import BlocklistEntry, ContainmentAction
from soc.celery import app as celery_app
from tests.conftest import REPO_ROOT, require_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
Status = ContainmentAction.Status
UNREACHABLE_BROKER = "redis://127.0.0.1:1/4"


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def stack(settings):
    """Gate on PostgreSQL + Redis; return the environment a worker subprocess needs."""
    broker = settings.CELERY_BROKER_URL
    require_service(
        connection.vendor == "postgresql",
        "reliability tests need PostgreSQL (DATABASE_URL) so a worker process sees the test database",
    )
    require_service(broker.startswith("redis") and _redis_reachable(broker), f"Redis broker at {broker}")
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return {
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    }


@pytest.fixture
def queue(settings):
    name = f"vigil-containment-test-{uuid.uuid4().hex[:10]}"
    settings.CONTAINMENT_QUEUE = name
    return name


@pytest.fixture
def connector_dir(tmp_path, monkeypatch):
    folder = tmp_path / "connector-state"
    folder.mkdir()
    monkeypatch.setenv("VIGIL_TEST_CONNECTOR_DIR", str(folder))
    return folder


class Worker:
    """A `celery worker` subprocess on one queue, with its own log file."""

    def __init__(self, name: str, queue: str, env: dict, log: Path):
        self.name, self.queue, self.env, self.log_path = name, queue, env, log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Worker":
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "soc",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                self.queue,
                "-n",
                f"{self.name}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"worker {self.name} did not start:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def outcomes(self) -> list[str]:
        """The return values of run_action in this worker's log ('succeeded', 'not_claimed'...)."""
        return re.findall(r"Task containment\.tasks\.\w+\[[^\]]+\] succeeded in [\d.]+s: '(\w+)'", self.log())

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if getattr(self, "log_file", None):
            self.log_file.close()


@pytest.fixture
def workers(stack, queue, connector_dir, tmp_path):
    """make(name, **env overrides) -> a started Worker; all stopped at teardown (before the
    test database is flushed)."""
    started: list[Worker] = []

    def make(name: str, **overrides) -> Worker:
        env = {
            **os.environ,
            **stack,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CONTAINMENT_QUEUE": queue,
            "CONTAINMENT_RETRY_BASE_SECONDS": "0.2",
            "CONTAINMENT_RETRY_MAX_SECONDS": "1",
            "VIGIL_TEST_CONNECTOR_DIR": str(connector_dir),
            "VIGIL_REQUIRE_SERVICES": "0",
            **{k: str(v) for k, v in overrides.items()},
        }
        worker = Worker(name, queue, env, tmp_path / f"{name}.log")
        started.append(worker)
        return worker.start()

    yield make
    for worker in started:
        worker.stop()


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app at another broker (the producer pools are rebuilt)."""
    original = celery_app.conf.broker_url

    def switch(to):
        # broker_write_url is what producers use; it was filled from broker_url at startup.
        celery_app.conf.broker_url = celery_app.conf.broker_write_url = celery_app.conf.broker_read_url = to
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(original)


def wait_for(predicate, timeout: float = 60, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def status_of(action) -> str:
    return ContainmentAction.objects.values_list("status", flat=True).get(pk=action.pk)


def event_count(action, event: str) -> int:
    return sum(
        1
        for data in CaseEvent.objects.filter(case_id=action.case_id, verb="containment").values_list(
            "data", flat=True
        )
        if data.get("action") == action.pk and data.get("event") == event
    )


def use_connector(settings, dotted: str) -> None:
    settings.CONTAINMENT_CONNECTORS = {**settings.CONTAINMENT_CONNECTORS, "block_ip": dotted}


def test_a_worker_killed_mid_run_completes_the_action_exactly_once_after_a_new_worker_starts(
    investigating_case, t2, workers, settings, connector_dir
):
    settings.CONTAINMENT_LEASE_SECONDS = 3
    use_connector(settings, "tests.containment.support:SlowOnceEdlConnector")
    first = workers("first", CONTAINMENT_LEASE_SECONDS=3)
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    wait_for(
        lambda: (connector_dir / f"started-{action.pk}").exists(), what="the first worker to start the block"
    )
    assert status_of(action) == Status.RUNNING
    first.kill()  # SIGKILL while the connector runs: no ack, no status written

    workers("second", CONTAINMENT_LEASE_SECONDS=3)
    wait_for(
        lambda: services.containment_housekeeping()["requeued_lost"], timeout=20, what="the lease to expire"
    )
    wait_for(lambda: status_of(action) == Status.SUCCEEDED, what="the action to succeed")

    action.refresh_from_db()
    assert action.attempts == 2
    assert BlocklistEntry.objects.filter(network="203.0.113.77", removed_at__isnull=True).count() == 1
    assert event_count(action, "succeeded") == 1
    assert event_count(action, "requeued") == 1


def test_broker_down_requests_still_succeed_and_every_action_completes_when_it_is_back(
    investigating_case, t2, workers, settings
):
    targets = ["203.0.113.10", "203.0.113.11", "198.51.100.12"]
    with broker_at(UNREACHABLE_BROKER):
        started = time.monotonic()
        actions = [
            services.action_request(case=investigating_case, kind="block_ip", target=t, by=t2)
            for t in targets
        ]
        elapsed = time.monotonic() - started
    assert all(status_of(a) == Status.QUEUED for a in actions)
    assert elapsed < 15, "requests must not hang on the broker"

    workers("after-outage")
    time.sleep(1)
    assert all(status_of(a) == Status.QUEUED for a in actions), "nothing reached the broker during the outage"
    settings.CONTAINMENT_REQUEUE_AFTER_SECONDS = 0
    assert services.containment_housekeeping()["redispatched"] == len(targets)
    wait_for(lambda: all(status_of(a) == Status.SUCCEEDED for a in actions), what="every action to complete")
    assert sorted(BlocklistEntry.objects.values_list("network", flat=True)) == sorted(targets)


def test_the_same_action_delivered_twice_blocks_once(
    investigating_case, t2, workers, settings, connector_dir, queue
):
    from containment.tasks import run_action

    use_connector(settings, "tests.containment.support:CountingEdlConnector")
    worker = workers("twice")
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    run_action.apply_async((action.pk,), queue=queue)  # a duplicate delivery of the same task
    wait_for(lambda: len(worker.outcomes()) >= 2, what="both deliveries to be processed")
    assert sorted(worker.outcomes()) == ["not_claimed", "succeeded"]
    assert (connector_dir / f"calls-{action.pk}").read_text() == "1"
    assert BlocklistEntry.objects.filter(network="203.0.113.77").count() == 1
    action.refresh_from_db()
    assert action.status == Status.SUCCEEDED and action.attempts == 1


def test_a_connector_failing_twice_then_succeeding_ends_succeeded_with_three_attempts(
    investigating_case, t2, workers, settings
):
    use_connector(settings, "tests.containment.support:FlakyEdlConnector")
    worker = workers("flaky")
    action = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    wait_for(lambda: status_of(action) in (Status.SUCCEEDED, Status.FAILED), what="the action to finish")
    action.refresh_from_db()
    assert action.status == Status.SUCCEEDED, worker.log()[-2000:]
    assert action.attempts == 3 and action.last_error == ""
    assert event_count(action, "retry_scheduled") == 2
    assert worker.outcomes().count("retry") == 2
