"""SQL statements per alert on the real ingestion path, for the benchmark report.

Run by tests/bench/bench_ingest.sh against the benchmark database (DJANGO_SETTINGS_MODULE
and DATABASE_URL from the environment). Measures the intake service and a whole HTTP
request through Django (authentication, throttle, view, service, post-commit dispatch),
for one alert opening a case, one joining a case, and a batch. Prints one JSON line.
"""

import json
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soc.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases.ingest.base import NativeAlert  # noqa: E402
from cases.ingest.tokens import ingest_source_create  # noqa: E402
from cases.services.intake import ingest_alert, ingest_alerts  # noqa: E402

BATCH = int(os.environ.get("BENCH_QUERY_BATCH", "500"))
RUN = uuid.uuid4().hex[:8]
# Not counted as statements (they are counted in round trips).
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET LOCAL")


def native(n: int, user: str | None = None) -> NativeAlert:
    return NativeAlert(
        source_ref=f"q-{RUN}-{n}",
        title=f"Suspicious login #{n}",
        description=f"Repeated failed logins for user{n}, reported by 203.0.113.7",
        severity=3,
        technique_ids=["T1591.002"],
        observed_at=datetime.now(UTC),
        observables=[
            ("user", user or f"q-{RUN}-user{n}", "user"),
            ("hostname", f"ws-{n}-{RUN}.corp.local", "declared"),
        ],
    )


def body(n: int) -> dict:
    return {
        "source_ref": f"h-{RUN}-{n}",
        "title": f"Suspicious login #{n}",
        "severity": "high",
        "technique": "T1591.002",
        "observables": [{"type": "user", "value": f"h-{RUN}-user{n}", "role": "user"}],
    }


def count(fn) -> dict:
    """Round trips (executes) and SQL statements: on PostgreSQL intake sends its write
    phase as several statements in one execute, separated by ";\\n". A statement text
    intake sends for the first time on a connection is prepared first, in one extra
    round trip per connection (cases/ingest/store/prepared.py); that one-time cost is
    counted apart, as `prepared_once`, not in the per-request numbers."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = [q["sql"] for q in ctx.captured_queries]
    prepares = [sql for sql in queries if sql.startswith("PREPARE ")]
    queries = [sql for sql in queries if not sql.startswith("PREPARE ")]
    parts = [part.strip() for sql in queries for part in sql.split(";\n")]
    statements = [p for p in parts if not p.upper().startswith(TRANSACTION_CONTROL)]
    result = {"round_trips": len(queries), "statements": len(statements)}
    if prepares:
        result["prepared_once"] = sum(sql.count("PREPARE ") for sql in prepares)
    return result


def main() -> None:
    source, token = ingest_source_create(name=f"bench-queries-{RUN}")
    ingest_alert(source=source, alert=native(0))  # warm caches (playbook items)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")

    def post(data):
        response = client.post("/api/v1/alerts/", json.dumps(data), content_type="application/json")
        assert response.status_code in (200, 201), response.content[:300]

    # Authentication touches the source's last_seen_at once a minute (not per request):
    # a new source's first request does, so it warms up here like the caches above.
    post(body(0))

    result = {
        "service_single_new_case": count(lambda: ingest_alert(source=source, alert=native(1))),
        "service_single_join_case": count(
            lambda: ingest_alert(source=source, alert=native(2, user=f"q-{RUN}-user1"))
        ),
        "service_duplicate": count(lambda: ingest_alert(source=source, alert=native(1))),
        "http_single_new_case": count(lambda: post(body(1))),
        "http_single_duplicate": count(lambda: post(body(1))),
    }
    service_batch = count(
        lambda: ingest_alerts(source=source, alerts=[native(1000 + i) for i in range(BATCH)])
    )
    http_batch = count(lambda: post([body(10_000 + i) for i in range(BATCH)]))
    result.update(
        {
            "batch_size": BATCH,
            "service_batch": service_batch,
            "http_batch": http_batch,
            "http_batch_statements_per_alert": round(http_batch["statements"] / BATCH, 3),
        }
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
