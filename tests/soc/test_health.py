"""/healthz: public, JSON, 200 only when both the database and the broker answer."""

import pytest
from django.db import connection
from django.db.utils import OperationalError

from tests.conftest import broker_reachable, require_service

UNREACHABLE_BROKER = "redis://:hunter2-broker-secret@127.0.0.1:1/0"


@pytest.mark.services
@pytest.mark.django_db
def test_healthy_when_database_and_broker_answer(client):
    require_service(*broker_reachable())

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_unreachable_broker_answers_503_without_leaking_the_url(client, monkeypatch):
    # Celery prefers this variable over the configured URL for every producer connection.
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", UNREACHABLE_BROKER)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "checks": {"database": "ok", "broker": "unavailable"}}
    body = response.content.decode()
    assert "hunter2" not in body
    assert "127.0.0.1" not in body


@pytest.mark.django_db
def test_unreachable_database_answers_503(client, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", UNREACHABLE_BROKER)

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
