"""Real processes for the runtime tests: a private redis-server the test may stop and
start again, `celery worker` / `celery beat` subprocesses, and HTTP servers (gunicorn,
runserver) on loopback ports. Every process is started in its own session and stopped
by its own pid (never by name)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.conftest import REPO_ROOT, require_service


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 60, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def subprocess_database_url() -> str:
    """The URL of the test database, for a subprocess (PostgreSQL only: a worker process
    cannot see pytest's in-memory SQLite database)."""
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL (DATABASE_URL) so that a worker process sees the test database",
    )
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Process:
    """A subprocess with its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, log
        self.process: subprocess.Popen | None = None
        self._log_file = None

    def start(self) -> Process:
        self._log_file = open(self.log_path, "a")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            self.argv,
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_in_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if not self.running:
                break
            time.sleep(0.1)
        pytest.fail(f"{self.name}: {text!r} not seen in its log:\n{self.log()[-3000:]}")

    def stop(self, sig=signal.SIGTERM, timeout: float = 20) -> None:
        if self.running:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._log_file:
            self._log_file.close()
            self._log_file = None


class RedisServer(Process):
    """A private redis-server on a free loopback port, persisting to an append-only file
    (as docker-compose.yml runs Redis), so stopping it and starting it again keeps the
    queued messages, as a real broker restart does."""

    def __init__(self, folder: Path):
        executable = shutil.which("redis-server")
        require_service(executable is not None, "redis-server is not installed")
        self.port = free_port()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        argv = [
            executable,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(folder),
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "always",
        ]  # fmt: skip
        super().__init__(f"redis:{self.port}", argv, dict(os.environ), folder / "redis.log")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> RedisServer:
        super().start()
        wait_for(self.ping, timeout=20, what=f"redis-server on port {self.port}")
        return self


def celery_worker_process(
    name: str, queues: list[str], env: dict, log: Path, concurrency: int = 1
) -> Process:
    """`celery -A soc worker` as the Procfile starts it (prefork pool), on these queues."""
    argv = [
        sys.executable, "-m", "celery", "-A", "soc", "worker",
        "-Q", ",".join(queues),
        "-n", f"{name}@%h",
        f"--concurrency={concurrency}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
    ]  # fmt: skip
    return Process(name, argv, env, log)


def celery_beat_process(env: dict, folder: Path) -> Process:
    argv = [
        sys.executable, "-m", "celery", "-A", "soc", "beat",
        "--loglevel=INFO",
        "--schedule", str(folder / "celerybeat-schedule"),
    ]  # fmt: skip
    return Process("beat", argv, env, folder / "beat.log")


def http_ok(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (loopback http only)
    except urllib.error.HTTPError:
        return True  # an answer: the server is up
    except OSError:
        return False
    return True
