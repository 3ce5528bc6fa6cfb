"""/healthz: public, JSON, 200 only when the database, the broker and a live worker for
every queue answer; otherwise 503 with a reason that names no host or secret."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.utils import timezone

from soc.models import WorkerHeartbeat
from tests.conftest import broker_reachable, require_service

UNREACHABLE_BROKER = "redis://:hunter2-broker-secret@127.0.0.1:1/0"


def worker_seen(hostname: str, queues: list[str], *, ago: timedelta = timedelta(0)) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(hostname=hostname, queues=queues, pid=1, started_at=now, seen_at=now - ago)


@pytest.mark.services
@pytest.mark.django_db
def test_healthy_when_database_broker_and_workers_answer(client):
    require_service(*broker_reachable())
    worker_seen("default@host", ["celery"])
    worker_seen("containment@host", ["containment"], ago=timedelta(seconds=5))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "workers": "ok"}}


@pytest.mark.services
@pytest.mark.django_db
def test_one_worker_consuming_both_queues_is_enough(client):
    require_service(*broker_reachable())
    worker_seen("all@host", ["celery", "containment"])

    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_no_worker_for_the_containment_queue_answers_503_with_the_reason(client):
    worker_seen("default@host", ["celery"])

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["workers"] == "unavailable"
    assert body["reasons"]["workers"] == "no worker is consuming queue 'containment'"


@pytest.mark.django_db
def test_a_worker_gone_silent_answers_503_saying_since_when(client, settings):
    settings.VIGIL_WORKER_STALE_SECONDS = 60
    worker_seen("default@host", ["celery", "containment"], ago=timedelta(seconds=300))

    body = client.get("/healthz").json()

    assert body["status"] == "degraded"
    assert "the worker for queue 'celery' last reported 300s ago (limit 60s)" in body["reasons"]["workers"]
    assert "host" not in body["reasons"]["workers"]


@pytest.mark.django_db
def test_unreachable_broker_answers_503_without_leaking_the_url(client, monkeypatch):
    # Celery prefers this variable over the configured URL for every producer connection.
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", UNREACHABLE_BROKER)
    worker_seen("all@host", ["celery", "containment"])

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "broker": "unavailable", "workers": "ok"}
    assert body["reasons"] == {"broker": "the Celery broker refuses connections or does not answer"}
    text = response.content.decode()
    assert "hunter2" not in text
    assert "127.0.0.1" not in text


@pytest.mark.django_db
def test_unreachable_database_answers_503(client, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", UNREACHABLE_BROKER)

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "unavailable"
    assert body["checks"]["workers"] == "unknown"
    assert body["reasons"]["database"] == "the database does not answer"


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
