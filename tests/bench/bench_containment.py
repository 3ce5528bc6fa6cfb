"""Benchmark: from T2's click ("Block <ip>" on the case's containment panel) to the IP
appearing in /feeds/ip-blocklist.txt, through a real Celery worker and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigil_containment \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \
    .venv/bin/python -m tests.bench.bench_containment [--actions 100] [--poll-ms 5]

It creates a throwaway test database next to DATABASE_URL's (test_<name>, dropped at the
end), imports the seed playbook, opens the T1591.002 case by ingesting an alert and walks
it to "investigating" through the workflow services, then starts `celery -A soc worker
--pool=solo` on a private queue against that database. For each action it POSTs the
panel's request form as T2 (Django test client: the full view, service, commit and
on-commit dispatch), then polls the feed with the firewall's basic-auth credential until
the IP is listed. It reports median, p95, min and max of that latency, and of the
request alone. A command, not a timed test: numbers depend on the machine. Target:
median under 1 s.
"""

from __future__ import annotations

import argparse
import base64
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FEED_USER, FEED_PASSWORD = "bench-firewall", "bench-feed-password"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=100)
    parser.add_argument("--poll-ms", type=float, default=5.0)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "Set DATABASE_URL to a PostgreSQL database (the worker process must share it).", file=sys.stderr
        )
        return 2
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        print("Set CELERY_BROKER_URL to Redis (e.g. redis://127.0.0.1:6379/4).", file=sys.stderr)
        return 2
    queue = f"vigil-containment-bench-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "soc.settings",
            "CONTAINMENT_FEED_USERNAME": FEED_USER,
            "CONTAINMENT_FEED_PASSWORD": FEED_PASSWORD,
            "CONTAINMENT_QUEUE": queue,
            "CONTAINMENT_CONNECTOR_BLOCK_IP": "edl",
        }
    )
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    original_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    worker = None
    try:
        case, t2 = _prepare()
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{test_name}",
        }
        log = Path(tempfile.mkdtemp(prefix="vigil-bench-")) / "worker.log"
        worker = _start_worker(queue, env, log)
        latencies, requests = _measure(case, t2, args.actions, args.poll_ms / 1000)
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        connection.creation.destroy_test_db(original_name, verbosity=0)

    print(f"containment: T2 click -> IP in /feeds/ip-blocklist.txt, {len(latencies)} actions")
    for label, values in (("click to feed", latencies), ("request alone", requests)):
        ms = [v * 1000 for v in values]
        print(
            f"  {label:14s} median {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms   "
            f"min {min(ms):7.1f} ms   max {max(ms):7.1f} ms"
        )
    return 0


def _prepare():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cases.ingest.tokens import ingest_source_create
    from cases.services.intake import ingest_alert
    from playbooks.services import import_playbook_text
    from soc.roles import Role, sync_role_groups
    from tests.conftest import SEED_PLAYBOOK, _native_alert
    from tests.containment.conftest import walk_to_investigating

    sync_role_groups()
    import_playbook_text(SEED_PLAYBOOK.read_text(), filename=SEED_PLAYBOOK.name, publish=True, by=None)
    users = {}
    for name, role in (("bench_l1", Role.L1), ("bench_t2", Role.T2)):
        users[name] = get_user_model().objects.create_user(username=name, password=uuid.uuid4().hex)
        users[name].groups.add(Group.objects.get(name=role.value))
    source, _ = ingest_source_create(name="bench-siem")
    case = ingest_alert(source=source, alert=_native_alert(1)).case
    return walk_to_investigating(case, l1=users["bench_l1"], t2=users["bench_t2"]), users["bench_t2"]


def _start_worker(queue: str, env: dict, log: Path) -> subprocess.Popen:
    handle = open(log, "w")  # noqa: SIM115 (the worker writes to it until it stops)
    worker = subprocess.Popen(
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
            queue,
            "-n",
            f"bench-{queue}@%h",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from soc.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(destination=[f"bench-{queue}@{os.uname().nodename}"], timeout=0.5):
            return worker
        if worker.poll() is not None:
            break
    raise SystemExit(f"the worker did not start; see {log}")


def _measure(case, t2, count: int, poll: float):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(t2)
    feed = Client()
    auth = {
        "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{FEED_USER}:{FEED_PASSWORD}".encode()).decode()
    }
    url = reverse("containment:request", args=[case.pk])
    latencies, requests = [], []
    for i in range(count):
        ip = f"203.0.113.{i + 1}" if i < 254 else f"198.51.100.{i - 253}"
        started = time.perf_counter()
        response = client.post(
            url, {"kind": "block_ip", "target": ip, "reason": "bench"}, HTTP_HX_REQUEST="true"
        )
        requests.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:500]
        needle = f"\n{ip} ".encode()
        while True:
            body = feed.get("/feeds/ip-blocklist.txt", **auth).content
            if needle in b"\n" + body:
                break
            if time.perf_counter() - started > 30:
                raise SystemExit(f"{ip} did not reach the feed within 30 s")
            time.sleep(poll)
        latencies.append(time.perf_counter() - started)
    return latencies, requests


if __name__ == "__main__":
    sys.exit(main())
