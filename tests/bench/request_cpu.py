"""Web-process CPU per single-alert ingest request, through the whole WSGI stack.

    DATABASE_URL=postgres://.../vigil_bench CACHE_URL=redis://... CELERY_BROKER_URL=redis://... \
        .venv/bin/python tests/bench/request_cpu.py [-n 300] [--profile] [--warmup 30]

Each request is what gunicorn hands Django: a WSGI environ with the benchmark template's
alert (tests/bench/templates/vigil_alert.json) as body, `Authorization: Token ...`, through
soc.wsgi.application (every middleware, DRF, the intake service, the Celery publish after
commit). Settings as bench_ingest.sh sets them (DEBUG off, LOG_LEVEL=WARNING, the rate
limiter's rate out of the way). Needs a migrated database with the seed playbooks (the
benchmark's, after bin/vigil bench-ingest, or any other).

Prints the median process CPU time per request: PostgreSQL's and the load generator's
time are not in it, nor the other engineers' load, so it holds on a shared machine where
the wall-clock rates do not. With --profile, cProfile's view of the timed requests
(sorted by own time) follows.

Instructions, which no load moves: the timed requests run inside functools.reduce (a C
function nothing on the request path calls), so callgrind can count them alone:

    PYTHONHASHSEED=0 valgrind --tool=callgrind --collect-atstart=no \
        --toggle-collect=functools_reduce .venv/bin/python tests/bench/request_cpu.py -n 100

and the "summary" line of its callgrind.out.<pid>, divided by -n, is per request.
"""

import argparse
import cProfile
import functools
import io
import os
import pstats
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# What bench_ingest.sh exports for the server it measures (the database and the Redis
# URLs come from the caller).
for name, value in {
    "DEBUG": "0",
    "SECRET_KEY": "request-cpu-benchmark-key-not-secret-" + "x" * 30,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "VIGIL_INGEST_RATE": "100000000/min",
    "DJANGO_SETTINGS_MODULE": "soc.settings",
}.items():
    os.environ.setdefault(name, value)

from soc.wsgi import application  # noqa: E402, I001  (after the environment above; sets Django up)

from cases.ingest.tokens import ingest_source_create  # noqa: E402

TEMPLATE = (ROOT / "tests" / "bench" / "templates" / "vigil_alert.json").read_text(encoding="utf-8")
RUN = uuid.uuid4().hex[:8]


def body(n: int) -> bytes:
    now = datetime.now(UTC).isoformat()
    text = TEMPLATE.replace("{{run}}", RUN).replace("{{n}}", str(n)).replace("{{now}}", now)
    return text.encode()


def environ_for(token: str, data: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/api/v1/alerts/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_USER_AGENT": "Python/3.11 aiohttp/3.9",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def post(token: str, n: int) -> None:
    statuses = []
    result = application(
        environ_for(token, body(n)), lambda status, headers, exc_info=None: statuses.append(status)
    )
    try:
        content = b"".join(result)
    finally:
        result.close()
    if not statuses[0].startswith(("200", "201")):
        raise SystemExit(f"request {n}: {statuses[0]} {content[:300]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="cProfile the timed requests")
    args = parser.parse_args()

    _source, token = ingest_source_create(name=f"bench-request-cpu-{RUN}")
    for n in range(args.warmup):
        post(token, n)
    profiler = cProfile.Profile() if args.profile else None
    times, walls = [], []

    def timed(_, n: int) -> None:
        started, wall = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        post(token, n)
        if profiler is not None:
            profiler.disable()
        times.append(time.process_time() - started)
        walls.append(time.perf_counter() - wall)

    functools.reduce(timed, range(args.warmup, args.warmup + args.requests), None)
    if times:
        print(
            f"{args.requests} single-alert requests: median {statistics.median(times) * 1000:.2f} ms "
            f"of web-process CPU each (mean {statistics.fmean(times) * 1000:.2f} ms); "
            f"wall-clock median {statistics.median(walls) * 1000:.2f} ms (waits for PostgreSQL and Redis included)"
        )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(45)


if __name__ == "__main__":
    main()
