"""A broker outage costs nothing, on the real stack: PostgreSQL, a private redis-server that
the test stops and starts again, and `celery worker` and `celery beat` subprocesses as the
Procfile runs them (never restarted by the test).

While alerts keep arriving (threads posting to the ingest API), Redis is stopped: ingest
latency stays within 2x of the latency before the outage, containment requests and a
reference-data change still succeed, /healthz says the broker is down, and the worker
does not exit. When Redis is back, every alert is enriched, every block reaches the feed
and the open cases are refreshed, without restarting anything.

With `-s` the first test prints its figures (README.md, "A broker outage costs nothing"):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigil .venv/bin/pytest -s -p no:cacheprovider \
        tests/soc/test_broker_outage.py -k costs_nothing

Locally these skip unless DATABASE_URL is PostgreSQL; CI (VIGIL_REQUIRE_SERVICES=1) fails
them instead. The embedded SQLite CI pass deselects them (marker `stack`).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import threading
import time

import pytest
from django.db import connections
from django.test import Client

from cases.models import Alert, Observable
from cases.services.intake.relay import RELAY
from containment import services as containment
from containment.models import BlocklistEntry, ContainmentAction
from intel import services as intel
from intel.models import ReferenceRefresh
from tests.containment.conftest import walk_to_investigating
from tests.soc.stack import wait_for

pytestmark = [pytest.mark.services, pytest.mark.stack, pytest.mark.django_db(transaction=True)]
Status = ContainmentAction.Status

POSTERS = 3  # concurrent SIEM connections posting single alerts
PAUSE = 0.05  # between one poster's requests: enough load, a backlog the worker clears fast
PHASE_SECONDS = 5


class Load:
    """POSTERS threads posting single alerts (each with its own source IP) until stopped;
    records (start time, latency, HTTP status) per request."""

    def __init__(self, token: str):
        self.token = token
        self.samples: list[tuple[float, float, int]] = []
        self.stopped = threading.Event()
        self.counter = iter(range(1, 10**6))
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._post_until_stopped) for _ in range(POSTERS)]

    def _post_until_stopped(self):
        client = Client()
        try:
            while not self.stopped.is_set():
                with self.lock:
                    n = next(self.counter)
                body = {
                    "source_ref": f"outage-{n}",
                    "title": "Partner directory burst",
                    "technique": "T1591.002",
                    "observables": [
                        {"type": "ip", "value": f"198.18.{n // 250}.{n % 250 + 1}", "role": "source"}
                    ],
                }
                started = time.monotonic()
                response = client.post(
                    "/api/v1/alerts/",
                    json.dumps(body),
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {self.token}",
                )
                self.samples.append((started, time.monotonic() - started, response.status_code))
                self.stopped.wait(PAUSE)
        finally:
            connections.close_all()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def between(self, start: float, end: float) -> list[tuple[float, float, int]]:
        return [s for s in self.samples if start <= s[0] < end]


def test_a_broker_outage_under_load_costs_nothing_and_everything_completes_after_it(
    stack, ingest_source, seed_playbook, make_case, l1, t2, client, settings, request
):
    redis, start_worker, start_beat = stack
    settings.VIGIL_BROKER_CIRCUIT_SECONDS = 2  # probe often: recovery is seen within seconds
    settings.VIGIL_ENRICHMENT_RELAY_MS = 100  # as deployed: the relay thread sends enrichment
    request.addfinalizer(RELAY.flush)
    case = walk_to_investigating(make_case(), l1=l1, t2=t2)
    worker = start_worker()
    worker_pid = worker.process.pid
    start_beat()

    with Load(ingest_source[1]) as load:
        time.sleep(PHASE_SECONDS)
        normal = load.between(0, time.monotonic())
        redis.stop()
        outage_started = time.monotonic()
        # What analysts and managers do meanwhile: blocks, and a reference-data change.
        blocks = [
            containment.action_request(case=case, kind="block_ip", target=target, by=t2)
            for target in ("203.0.113.10", "203.0.113.11", "198.51.100.12")
        ]
        intel.network_create(by=None, cidr="198.18.0.0/15", list="malicious", source="outage-test")
        health_during = client.get("/healthz")
        time.sleep(PHASE_SECONDS)
        outage = load.between(outage_started, time.monotonic())
        assert worker.running, f"the worker exited during the outage:\n{worker.log()[-3000:]}"
        kept_from_broker = Alert.objects.filter(dispatched_at=None).count()
        redis.start()
        broker_back = time.monotonic()
        time.sleep(2)
    posted = len(load.samples)

    # During the outage: nothing failed, and nothing waited for the broker.
    assert {status for _, _, status in load.samples} == {201}
    assert len(normal) >= 10 and len(outage) >= 10, (len(normal), len(outage))
    normal_p50 = statistics.median(latency for _, latency, _ in normal)
    outage_p50 = statistics.median(latency for _, latency, _ in outage)
    assert outage_p50 <= 2 * normal_p50, (normal_p50, outage_p50)
    assert max(latency for _, latency, _ in outage) < 2 * settings.CELERY_BROKER_CONNECTION_TIMEOUT + 1
    assert all(block.status == Status.QUEUED for block in blocks)
    assert health_during.status_code == 503
    assert "broker" in health_during.json()["reasons"]

    # After it: everything completes, with the same worker process.
    assert Alert.objects.count() == posted + 1  # + the investigated case's alert
    # Each completion timed on its own from the broker's return (printed below).
    pending = {
        "every alert posted before, during and after the outage enriched": lambda: (
            not Observable.objects.filter(type="ip", value__startswith="198.18.", enriched_at=None).exists()
        ),
        "every block requested during the outage succeeded": lambda: all(
            ContainmentAction.objects.get(pk=b.pk).status == Status.SUCCEEDED for b in blocks
        ),
        "the open cases refreshed": lambda: not ReferenceRefresh.objects.get().pending,
    }
    done_after = {}
    while pending and time.monotonic() < broker_back + 120:
        for what, done in list(pending.items()):
            if done():
                done_after[what] = time.monotonic() - broker_back
                del pending[what]
        time.sleep(0.1)
    assert not pending, f"not done 120 s after the broker came back: {sorted(pending)}"
    assert sorted(BlocklistEntry.objects.values_list("network", flat=True)) == sorted(
        b.target for b in blocks
    )
    assert not Alert.objects.filter(dispatched_at=None).exists()
    assert worker.running and worker.process.pid == worker_pid  # the same worker, never restarted
    assert "Connection to broker lost" in worker.log()  # it saw the outage, and rode it out
    outage_max = max(latency for _, latency, _ in outage)
    figures = [
        f"broker outage of {PHASE_SECONDS} s under {POSTERS} posters (sweepers every 1 s):",
        f"ingest p50 {normal_p50 * 1000:.1f} ms before, {outage_p50 * 1000:.1f} ms during (max {outage_max * 1000:.0f} ms)",
        f"accepted during the outage: {len(outage)} alerts (all 201), {len(blocks)} blocks queued, 1 network added",
        f"waiting for the broker when it came back: {kept_from_broker} alerts",
        *(f"{what}: {seconds:.1f} s after the broker came back" for what, seconds in done_after.items()),
        f"lost: {posted + 1 - Alert.objects.count()} of {posted} alerts posted; undispatched: 0; the worker never restarted",
    ]
    print("\n" + "\n  ".join(figures))
    wait_for(lambda: client.get("/healthz").status_code == 200, timeout=30, what="/healthz to answer 200")


def test_healthz_reports_a_worker_that_is_gone(stack, client, settings):
    _redis, start_worker, _start_beat = stack
    settings.VIGIL_WORKER_STALE_SECONDS = 3
    default = start_worker("default", ["celery"])
    start_worker("containment", ["containment"])
    wait_for(lambda: client.get("/healthz").status_code == 200, timeout=30, what="both workers' heartbeats")

    os.killpg(default.process.pid, signal.SIGKILL)  # no clean shutdown: the heartbeat just stops
    default.process.wait(timeout=10)

    response = wait_for(
        lambda: (r := client.get("/healthz")).status_code == 503 and r, timeout=30, what="a 503"
    )
    reason = response.json()["reasons"]["workers"]
    assert reason.startswith("the worker for queue 'celery' last reported "), reason
    assert "containment" not in reason
