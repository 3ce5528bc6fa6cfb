#!/usr/bin/env bash
# Ingestion benchmark: Vigil's whole pipeline against the bare Django + DRF "floor",
# measured side by side in one run (the machines are noisy; only ratios hold).
#
#   bin/vigil bench-ingest          (or: bash tests/bench/bench_ingest.sh)
#
# Needs PostgreSQL on 127.0.0.1:5432 reachable as a superuser without a password
# (BENCH_PG_URL to change), Python 3.11 and network access for the floor's own venv.
# Uses Redis as the broker and as Django's cache (rate limiter), as docker-compose.yml does
# in production, when BENCH_REDIS_URL answers (default redis://127.0.0.1:6379/2); else
# kombu's filesystem broker in a temp dir and the local-memory cache. Databases: BENCH_DB
# (vigil_bench) and BENCH_FLOOR_DB (floor), both recreated; give two runs sharing a server
# their own names and BENCH_REDIS_URL. Results: printed, and saved under var/bench/<timestamp>/.
#
# Knobs (environment): BENCH_C1_REQUESTS (300), BENCH_C8_REQUESTS (1500),
# BENCH_BATCH_REQUESTS (24), BENCH_BATCH_SIZE (500), BENCH_BATCH_CONCURRENCY (4),
# BENCH_WORKERS (3 sync gunicorn workers, as the floor was measured), BENCH_MAX_SECONDS (90),
# BENCH_ROUNDS (2: Vigil and the floor alternate run by run; the report takes medians),
# BENCH_C32_REQUESTS (3000), BENCH_TOKENS (8: the several-sources runs below),
# BENCH_PARTS ("single tokens batch": which runs; e.g. BENCH_PARTS=tokens for those alone),
# BENCH_TOKEN_SLICES (4: each one-token/several-token comparison is run as this many
# alternating pairs of short runs, so that load from elsewhere hits both sides alike).
#
# One source against several: single alerts at c=8 and c=32 from one ingest token, and the
# same load spread over BENCH_TOKENS tokens, both through tests/bench/multi_token.py (one
# client process; only the tokens differ), in alternating slices. Nothing
# every request of one source must lock (issue 15): the one-token rate should be within 10%
# of the several-token rate.
#
# Every alert of the template opens a new case (the heaviest path): its users and hosts
# are unique, and the one address every alert names (the reporting collector,
# 203.0.113.7) is registered as shared infrastructure, which never joins cases.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
SHARED="${VIGIL_SHARED_DIR:-$ROOT/../shared}"
LOADGEN="$SHARED/bench/loadgen.py"
FLOOR_SRC="$SHARED/bench/floor"
FLOOR_TEMPLATE="$SHARED/bench/templates/floor_alert.json"
VIGIL_TEMPLATE="$ROOT/tests/bench/templates/vigil_alert.json"

PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
REDIS_URL="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/2}"
C1_REQUESTS="${BENCH_C1_REQUESTS:-300}"
C8_REQUESTS="${BENCH_C8_REQUESTS:-1500}"
BATCH_REQUESTS="${BENCH_BATCH_REQUESTS:-24}"
BATCH_SIZE="${BENCH_BATCH_SIZE:-500}"
BATCH_CONCURRENCY="${BENCH_BATCH_CONCURRENCY:-4}"
WORKERS="${BENCH_WORKERS:-3}"
MAX_SECONDS="${BENCH_MAX_SECONDS:-90}"
ROUNDS="${BENCH_ROUNDS:-2}"
C32_REQUESTS="${BENCH_C32_REQUESTS:-3000}"
TOKENS="${BENCH_TOKENS:-8}"
PARTS=" ${BENCH_PARTS:-single tokens batch} "
SLICES="${BENCH_TOKEN_SLICES:-4}"
DB="${BENCH_DB:-vigil_bench}"
FLOOR_DB="${BENCH_FLOOR_DB:-floor}"

OUT="$ROOT/var/bench/$(date -u +%Y%m%dT%H%M%SZ)"
FLOOR_VENV="$ROOT/var/bench/floor-venv"
WORK="$(mktemp -d)"
mkdir -p "$OUT"

say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$PY" ] || { say "no .venv: run bin/vigil once (or bin/vigil bench-ingest)"; exit 2; }
[ -f "$LOADGEN" ] || { say "loadgen not found at $LOADGEN (set VIGIL_SHARED_DIR)"; exit 2; }

part() { [[ "$PARTS" == *" $1 "* ]]; }  # is this part of the benchmark asked for?

pg_on() {  # run SQL statements (one per argument) on database $1, autocommit
    local db="$1"
    shift
    "$PY" - "$PG_URL/$db" "$@" <<'PYEOF'
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1]); conn.autocommit = True
with conn.cursor() as cur:
    for sql in sys.argv[2:]:
        cur.execute(sql)
PYEOF
}
pg() { pg_on postgres "$@"; }  # on the maintenance database

# PostgreSQL's autovacuum keeps planner statistics current in production (it is on by
# default, as in docker-compose's postgres image); a development server may run with it
# off, and tables that grew from empty without statistics get guessed plans. So both
# databases are analyzed before each pair of runs, outside the timed part: what
# autovacuum would have done. This server's `autovacuum` setting is printed and saved.
analyze_both() {
    pg_on "$DB" "ANALYZE"
    pg_on "$FLOOR_DB" "ANALYZE"
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

wait_http() {  # wait until something answers HTTP on the port
    "$PY" - "$1" <<'PYEOF'
import sys, time, urllib.request, urllib.error
url = f"http://127.0.0.1:{sys.argv[1]}/healthz"
for _ in range(150):
    try:
        urllib.request.urlopen(url, timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # an answer (e.g. 404/503) is enough: the server is up
    except Exception:
        time.sleep(0.2)
sys.exit("server did not start")
PYEOF
}

loadgen() {  # loadgen.py with aiohttp from .venv; appends its JSON line to results
    local label="$1"
    shift
    "$PY" "$LOADGEN" --label "$label" --max-seconds "$MAX_SECONDS" "$@" | tail -n 1 | tee -a "$OUT/loadgen.jsonl" >/dev/null
}

tokens() {  # tokens LABEL FILE ARGS: single alerts over the tokens of FILE (tests/bench/multi_token.py)
    local label="$1" file="$2"
    shift 2
    "$PY" "$ROOT/tests/bench/multi_token.py" "$LOADGEN" --tokens-file "$file" --label "$label" \
        --url "$URL" --template "$VIGIL_TEMPLATE" --max-seconds "$MAX_SECONDS" "$@" \
        | tail -n 1 | tee -a "$OUT/loadgen.jsonl" >/dev/null
}

one_and_several() {  # one_and_several C REQUESTS WARMUP: SLICES pairs, one token and all, order alternating
    local c="$1" n=$(($2 / SLICES)) warmup="$3" slice
    for slice in $(seq 1 "$SLICES"); do
        if [ $(((round + slice) % 2)) -eq 0 ]; then
            tokens "tokens1-c$c" "$TOKEN_FILE" -c "$c" -n "$n" --warmup "$warmup"
            tokens "tokens$TOKENS-c$c" "$TOKENS_FILE" -c "$c" -n "$n" --warmup "$warmup"
        else
            tokens "tokens$TOKENS-c$c" "$TOKENS_FILE" -c "$c" -n "$n" --warmup "$warmup"
            tokens "tokens1-c$c" "$TOKEN_FILE" -c "$c" -n "$n" --warmup "$warmup"
        fi
    done
}

# --- Vigil ---------------------------------------------------------------------------------
say "PostgreSQL: recreating database $DB"
pg "DROP DATABASE IF EXISTS $DB WITH (FORCE)" "CREATE DATABASE $DB"

export DATABASE_URL="$PG_URL/$DB"
export DEBUG=0
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 CONN_MAX_AGE=60 LOG_LEVEL=WARNING
export VIGIL_INGEST_RATE="100000000/min"   # the benchmark measures throughput, not the limiter
if "$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_timeout=1).ping()" "$REDIS_URL" 2>/dev/null; then
    export CELERY_BROKER_URL="$REDIS_URL" CACHE_URL="$REDIS_URL"
    "$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL"
    BROKER="redis ($REDIS_URL, flushed; broker and cache; no worker consumes during the run)"
else
    export CELERY_BROKER_URL="filesystem://" VIGIL_BROKER_DIR="$WORK/broker"
    unset CACHE_URL
    mkdir -p "$VIGIL_BROKER_DIR/processed"
    BROKER="filesystem ($VIGIL_BROKER_DIR)"
fi
say "broker: $BROKER"
AUTOVACUUM="$("$PY" -c 'import psycopg2, sys
cur = psycopg2.connect(sys.argv[1]).cursor(); cur.execute("SHOW autovacuum"); print(cur.fetchone()[0])' "$PG_URL/postgres")"
say "PostgreSQL autovacuum: $AUTOVACUUM (both databases are analyzed before each pair of runs)"
printf 'broker: %s\nautovacuum: %s\n' "$BROKER" "$AUTOVACUUM" > "$OUT/environment.txt"

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py import_playbooks --publish "$ROOT"/playbooks/seeds/*.md >/dev/null
say "SQL statements per alert (CaptureQueriesContext on the service and on whole requests)"
"$PY" tests/bench/query_counts.py | tee "$OUT/queries.json"
TOKEN="$("$PY" manage.py create_ingest_token "bench-$(date +%s)" 2>/dev/null | tail -n 1)"
TOKEN_FILE="$WORK/token.txt"
echo "$TOKEN" >"$TOKEN_FILE"
TOKENS_FILE="$WORK/tokens.txt"
for i in $(seq 1 "$TOKENS"); do
    "$PY" manage.py create_ingest_token "bench-$(date +%s)-$i" 2>/dev/null | tail -n 1 >> "$TOKENS_FILE"
done
"$PY" - <<'PYEOF'
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soc.settings")
django.setup()
from intel.models import KnownNetwork
KnownNetwork.objects.create(cidr="203.0.113.7", list="benign", label="SIEM collector", shared=True)
PYEOF

PORT="$(free_port)"
say "starting Vigil: gunicorn soc.wsgi, $WORKERS sync workers, 127.0.0.1:$PORT, DEBUG off"
"$ROOT/.venv/bin/gunicorn" soc.wsgi -b "127.0.0.1:$PORT" -k sync -w "$WORKERS" --log-level warning &
PIDS+=($!)
wait_http "$PORT"
URL="http://127.0.0.1:$PORT/api/v1/alerts/"
H="Authorization: Token $TOKEN"

# --- Floor ---------------------------------------------------------------------------------
FLOOR_DIR="$WORK/floor"
mkdir -p "$FLOOR_DIR"
cp -r "$FLOOR_SRC/." "$FLOOR_DIR"
if [ ! -x "$FLOOR_VENV/bin/gunicorn" ]; then
    say "creating the floor's venv in $FLOOR_VENV (its README's packages, psycopg 3)"
    python3.11 -m venv "$FLOOR_VENV" 2>/dev/null || "$PY" -m venv "$FLOOR_VENV"
    "$FLOOR_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        'Django>=5.2,<5.3' 'djangorestframework>=3.15' 'gunicorn>=23' 'psycopg[binary]>=3.2' 'aiohttp>=3.9'
fi
say "PostgreSQL: recreating role floor and database $FLOOR_DB"
pg "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'floor') THEN CREATE ROLE floor LOGIN PASSWORD 'floor'; END IF; END \$\$" \
    "DROP DATABASE IF EXISTS $FLOOR_DB WITH (FORCE)" "CREATE DATABASE $FLOOR_DB OWNER floor"
FLOOR_ENV=(env -u DATABASE_URL -u DEBUG -u SECRET_KEY FLOOR_DB_NAME="$FLOOR_DB" FLOOR_DB_USER=floor FLOOR_DB_PASSWORD=floor
    FLOOR_DB_HOST=127.0.0.1 FLOOR_DB_PORT=5432)
(cd "$FLOOR_DIR" && "${FLOOR_ENV[@]}" "$FLOOR_VENV/bin/python" manage.py migrate -v 0)
FLOOR_TOKEN="$(cd "$FLOOR_DIR" && "${FLOOR_ENV[@]}" "$FLOOR_VENV/bin/python" manage.py bench_token | tail -n 1)"
FLOOR_PORT="$(free_port)"
say "starting the floor: gunicorn floor.wsgi, $WORKERS sync workers, 127.0.0.1:$FLOOR_PORT"
(cd "$FLOOR_DIR" && exec "${FLOOR_ENV[@]}" "$FLOOR_VENV/bin/gunicorn" floor.wsgi -b "127.0.0.1:$FLOOR_PORT" \
    -k sync -w "$WORKERS" --log-level warning) &
PIDS+=($!)
wait_http "$FLOOR_PORT"
FH="Authorization: Token $FLOOR_TOKEN"
FURL="http://127.0.0.1:$FLOOR_PORT/api/alerts/"

# --- Load: Vigil and the floor alternate, slice by slice, ROUNDS times ----------------------
# Both servers stay up (an idle one costs nothing); alternating short runs means a burst
# of load from elsewhere on the machine hits both sides alike. The report takes medians.
for round in $(seq 1 "$ROUNDS"); do
    say "round $round/$ROUNDS"
    if part single; then
        analyze_both
        loadgen vigil-single-c1 --url "$URL" --template "$VIGIL_TEMPLATE" -H "$H" -n "$C1_REQUESTS" -c 1 --warmup 20
        loadgen floor-single-c1 --url "$FURL" --template "$FLOOR_TEMPLATE" -H "$FH" -n "$C1_REQUESTS" -c 1 --warmup 20
        analyze_both
        loadgen vigil-single-c8 --url "$URL" --template "$VIGIL_TEMPLATE" -H "$H" -n "$C8_REQUESTS" -c 8 --warmup 20
        loadgen floor-single-c8 --url "$FURL" --template "$FLOOR_TEMPLATE" -H "$FH" -n "$C8_REQUESTS" -c 8 --warmup 20
    fi
    if part tokens; then
        analyze_both
        one_and_several 8 "$C8_REQUESTS" 20
        analyze_both
        one_and_several 32 "$C32_REQUESTS" 32
    fi
    if part batch; then
        analyze_both
        loadgen "vigil-batch$BATCH_SIZE-c$BATCH_CONCURRENCY" --url "$URL" --template "$VIGIL_TEMPLATE" -H "$H" \
            --batch "$BATCH_SIZE" -n "$BATCH_REQUESTS" -c "$BATCH_CONCURRENCY" --warmup 2
        loadgen "floor-batch$BATCH_SIZE-c$BATCH_CONCURRENCY" --url "${FURL}bulk/" --template "$FLOOR_TEMPLATE" -H "$FH" \
            --batch "$BATCH_SIZE" -n "$BATCH_REQUESTS" -c "$BATCH_CONCURRENCY" --warmup 2
    fi
done
"$PY" - <<'PYEOF' | tee "$OUT/vigil_db.json"
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soc.settings")
django.setup()
from cases.models import Alert, Case, CaseStep
print(json.dumps({"alerts": Alert.objects.count(), "cases": Case.objects.count(), "case_steps": CaseStep.objects.count()}))
PYEOF

# --- Report --------------------------------------------------------------------------------
"$PY" tests/bench/report.py "$OUT" | tee "$OUT/report.txt"
say "results in $OUT"
