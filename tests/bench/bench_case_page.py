"""Benchmark: the case page of a case with 5,000 alerts (and 100 observables), as L1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigil_cockpit \
    .venv/bin/python -m tests.bench.bench_case_page [--alerts 5000] [--requests 50]

It creates a throwaway test database next to DATABASE_URL's (test_<name>, dropped at the
end; SQLite works too), imports the seed playbook, opens a T1591.002 case by ingesting an
alert, adds the other alerts and observables in bulk, claims the case, then GETs the case
page through the Django test client (middleware, view, template) and reports the median,
p95, min and max time and the number of SQL queries per page. A command, not a timed
test: numbers depend on the machine. Target: under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=5000)
    parser.add_argument("--observables", type=int, default=100)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soc.settings")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.db import connection

    # No setup_test_environment(): its instrumented template rendering (signals, context
    # copies) would be measured too; the client talks to 127.0.0.1, an allowed host.
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        case, l1 = _prepare(args.alerts, args.observables)
        times, queries, size = _measure(case, l1, args.requests)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)

    ms = [t * 1000 for t in times]
    print(
        f"case page, {args.alerts} alerts, {args.observables} observables, {args.requests} requests "
        f"on {connection.vendor}: median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
        f"min {min(ms):.1f} ms, max {max(ms):.1f} ms; {queries} queries; {size / 1024:.0f} KB of HTML"
    )
    return 0


def _prepare(alerts: int, observables: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cases.ingest.tokens import ingest_source_create
    from cases.models import Alert, AlertObservable, Case, CaseObservable, Observable
    from cases.services.intake import ingest_alert
    from cases.services.workflow import case_claim
    from enrichment.assistant import refresh_case
    from playbooks.services import import_playbook_text
    from soc.roles import Role, sync_role_groups
    from tests.conftest import SEED_PLAYBOOK, _native_alert

    sync_role_groups()
    import_playbook_text(SEED_PLAYBOOK.read_text(), filename=SEED_PLAYBOOK.name, publish=True, by=None)
    l1 = get_user_model().objects.create_user(username="bench_l1", password=uuid.uuid4().hex)
    l1.groups.add(Group.objects.get(name=Role.L1.value))
    source, _ = ingest_source_create(name="bench-siem")
    case = ingest_alert(source=source, alert=_native_alert(1)).case
    now = timezone.now()
    Alert.objects.bulk_create(
        [
            Alert(
                source=source,
                source_ref=f"bench-{n}",
                title=f"Partner directory request burst {n}",
                description="412 requests to /partners/* in 3 minutes.",
                severity=1 + n % 4,
                technique_id="T1591.002",
                technique_ids=["T1591.002"],
                observed_at=now - timedelta(seconds=n),
                raw={"n": n, "message": "x" * 200},
                case=case,
                dispatched_at=now,
            )
            for n in range(1, alerts)
        ],
        batch_size=1000,
    )
    extra = Observable.objects.bulk_create(
        [Observable(type="ip", value=f"198.51.{n // 250}.{n % 250 + 1}") for n in range(observables - 1)]
    )
    CaseObservable.objects.bulk_create(
        [CaseObservable(case=case, observable=o, first_seen_at=now, last_seen_at=now) for o in extra]
    )
    first_alerts = list(case.alerts.order_by("pk").values_list("pk", flat=True)[: len(extra)])
    AlertObservable.objects.bulk_create(
        [AlertObservable(alert_id=a, observable=o) for a, o in zip(first_alerts, extra, strict=False)]
    )
    Case.objects.filter(pk=case.pk).update(alert_count=alerts)
    refresh_case(case_id=case.pk)
    case = case_claim(case=Case.objects.get(pk=case.pk), by=l1)
    return case, l1


def _measure(case, l1, requests: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(l1)
    url = f"/cases/{case.pk}/"
    assert client.get(url).status_code == 200  # warm the template and query caches
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return times, len(captured.captured_queries), len(response.content)


if __name__ == "__main__":
    sys.exit(main())
