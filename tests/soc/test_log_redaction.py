"""Secrets never logged: a Splunk ingest token sent in the query string (`?token=vgi_...`)
is accepted, and neither the shipped gunicorn configuration nor `bin/vigil run`'s
development server writes it to any log. Each test starts the real server on a loopback
port over a throwaway SQLite database and reads what it logged."""

import contextlib
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from soc.log_redaction import REDACTED, redact
from tests.conftest import REPO_ROOT, SAMPLES_DIR
from tests.soc.stack import Process, free_port, http_ok, wait_for

# Variables of the developer's or CI's environment that must not leak into the server.
# The access log line of the last request send_token_three_ways makes.
LAST_LINE = re.compile(r"GET /no-such-page\?\S+ HTTP/1\.1\" 404")
# The shipped configuration, as the Dockerfile and docker-compose.yml run it.
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "soc/gunicorn.conf.py"]
_SERVER_ENV_DROP = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "VIGIL_REQUIRE_SERVICES")


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    """(environment, ingest token) for a server process on a migrated SQLite database."""
    folder = tmp_path_factory.mktemp("redaction")
    env = {k: v for k, v in os.environ.items() if k not in _SERVER_ENV_DROP}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'vigil.sqlite3'}",
        CELERY_BROKER_URL="filesystem://localhost//",
        VIGIL_BROKER_DIR=str(folder / "broker"),
        CACHE_URL="locmemcache://redaction",
        DEBUG="0",
        SECRET_KEY="redaction-test-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="INFO",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO_ROOT, env=env, check=True)
    created = subprocess.run(
        [*manage, "create_ingest_token", "splunk-redaction"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("vgi_")
    return env, token


def send_token_three_ways(port: int, token: str) -> int:
    """The Splunk webhook with the token in the query string (as Splunk sends it), a
    probe with it in a Referer, and a 404 with it; returns the webhook's status."""
    base = f"http://127.0.0.1:{port}"
    body = (SAMPLES_DIR / "splunk_webhook.json").read_bytes()
    request = urllib.request.Request(  # noqa: S310 (a loopback http URL)
        f"{base}/api/v1/alerts/splunk/?token={token}&source=splunk",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        status = response.status
    for path in (f"/healthz?api_key={token}", f"/no-such-page?TOKEN={token}"):
        probe = urllib.request.Request(base + path, headers={"Referer": f"{base}/x?token={token}"})  # noqa: S310
        # 503 (no worker) or 404: what matters is the log line.
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(probe, timeout=30).close()  # noqa: S310
    return status


def assert_redacted(log: str, token: str) -> None:
    secret = token.removeprefix("vgi_")
    assert secret not in log, f"the ingest token reached the log:\n{log[-2000:]}"
    assert "/api/v1/alerts/splunk/?token=" + REDACTED in log
    assert "api_key=" + REDACTED in log
    assert "TOKEN=" + REDACTED in log


@pytest.fixture
def server(server_env, tmp_path):
    started = []

    def start(name: str, argv: list[str], port: int) -> Process:
        process = Process(name, argv, server_env[0], tmp_path / f"{name}.log").start()
        started.append(process)
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/healthz"), timeout=60, what=f"{name} to answer")
        return process

    yield start
    for process in started:
        process.stop()


def test_the_shipped_gunicorn_configuration_never_logs_a_query_string_token(server, server_env):
    port = free_port()
    gunicorn = server(
        "gunicorn",
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1", "soc.wsgi:application"],
        port,
    )

    status = send_token_three_ways(port, server_env[1])
    wait_for(lambda: LAST_LINE.search(gunicorn.log()), timeout=10, what="the last request's log line")
    gunicorn.stop()

    assert status in (200, 201, 202), "the token in the query string must still be accepted"
    log = gunicorn.log()
    assert '"POST /api/v1/alerts/splunk/?token=[REDACTED]&source=splunk HTTP/1.1"' in log
    assert_redacted(log, server_env[1])


def test_bin_vigil_runs_a_development_server_that_never_logs_a_query_string_token(server, server_env):
    port = free_port()
    runserver = server(
        "runserver",
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        port,
    )

    status = send_token_three_ways(port, server_env[1])
    wait_for(lambda: LAST_LINE.search(runserver.log()), timeout=10, what="the last request's log line")
    runserver.stop()

    assert status in (200, 201, 202)
    log = runserver.log()
    assert '"POST /api/v1/alerts/splunk/?token=[REDACTED]&source=splunk HTTP/1.1"' in log
    assert_redacted(log, server_env[1])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "POST /api/v1/alerts/splunk/?token=vgi_abc123 HTTP/1.1",
            "POST /api/v1/alerts/splunk/?token=[REDACTED] HTTP/1.1",
        ),
        ("GET /x?a=1&Token=s3cr3t&b=2", "GET /x?a=1&Token=[REDACTED]&b=2"),
        ("GET /x?access_token=abc;password=hunter2", "GET /x?access_token=[REDACTED];password=[REDACTED]"),
        ('"GET /x?q=vgi_abcdef HTTP/1.1"', '"GET /x?q=[REDACTED] HTTP/1.1"'),
        # A personal token in a parameter of another name, or in a Referer's path.
        (
            '"GET /x?t=vgu_Ab-1_z HTTP/1.1" 200 79 "http://x/vgu_Ab-1_z"',
            '"GET /x?t=[REDACTED] HTTP/1.1" 200 79 "http://x/[REDACTED]"',
        ),
        ("GET /x?tokens=keep&monkey=keep", "GET /x?tokens=keep&monkey=keep"),
        ("GET /x?token=", "GET /x?token="),
    ],
)
def test_redact_masks_credential_parameters_and_vigil_tokens_only(line, expected):
    assert redact(line) == expected
