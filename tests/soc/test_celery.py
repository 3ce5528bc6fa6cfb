"""Celery: tasks leave on commit, a real worker runs them, and a broker outage never
fails the request that dispatched them."""

import logging
import threading

import pytest
from celery import Celery
from celery.signals import before_task_publish, task_postrun
from django.contrib.auth.models import Group
from django.db import transaction

from soc.celery import app as celery_app
from soc.tasks import dispatch_on_commit, send_task_safely


@celery_app.task(name="tests.soc.mark_group_processed")
def mark_group_processed(group_id: int) -> None:
    """Test-only task: reads a row the dispatching transaction created, writes another."""
    group = Group.objects.get(pk=group_id)
    Group.objects.get_or_create(name=f"{group.name}:processed")


class TaskRecorder:
    """Records publishes (producer side) and completions (worker side) of one task name."""

    def __init__(self, name: str):
        self.name = name
        self.published: list[dict] = []
        self.finished = threading.Event()
        self.states: list[str] = []

    def on_publish(self, sender=None, headers=None, **kwargs):
        if sender == self.name:
            self.published.append(headers or {})

    def on_postrun(self, sender=None, state=None, **kwargs):
        if sender is not None and sender.name == self.name:
            self.states.append(state)
            self.finished.set()


@pytest.fixture
def recorder():
    rec = TaskRecorder(mark_group_processed.name)
    before_task_publish.connect(rec.on_publish, weak=False)
    task_postrun.connect(rec.on_postrun, weak=False)
    yield rec
    before_task_publish.disconnect(rec.on_publish)
    task_postrun.disconnect(rec.on_postrun)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_task_dispatched_on_commit_runs_in_a_real_worker_after_commit(celery_worker, recorder):
    with transaction.atomic():
        group = Group.objects.create(name="on-commit-probe")
        dispatch_on_commit(mark_group_processed, group.pk)
        assert recorder.published == [], "the task left before the row it needs was committed"

    assert len(recorder.published) == 1
    assert recorder.finished.wait(timeout=30), "the worker never ran the task"
    assert recorder.states == ["SUCCESS"]
    assert Group.objects.filter(name="on-commit-probe:processed").exists()


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing(recorder):
    with pytest.raises(RuntimeError), transaction.atomic():
        group = Group.objects.create(name="rolled-back")
        dispatch_on_commit(mark_group_processed, group.pk)
        raise RuntimeError("the service failed")

    assert recorder.published == []


@pytest.fixture
def unreachable_app(monkeypatch):
    """A Celery app whose broker refuses connections (nothing listens on port 1)."""
    # Celery prefers these variables over any configured URL (CI sets the first).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    app = Celery("unreachable", broker="redis://:not-a-real-secret@127.0.0.1:1/0", set_as_current=False)
    app.conf.broker_connection_timeout = 1
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0

    @app.task(name="tests.soc.never_delivered")
    def never_delivered(x):  # pragma: no cover - never runs
        return x

    yield never_delivered
    app.close()


def test_send_task_safely_returns_false_when_the_broker_is_down(unreachable_app, caplog):
    caplog.set_level(logging.WARNING, logger="soc.tasks")

    assert send_task_safely(unreachable_app, 42) is False

    assert "broker unavailable" in caplog.text
    assert "tests.soc.never_delivered" in caplog.text


@pytest.mark.django_db
def test_dispatch_on_commit_survives_a_broker_outage(unreachable_app, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        Group.objects.create(name="committed-despite-outage")
        dispatch_on_commit(unreachable_app, 7)

    assert len(callbacks) == 1
    assert Group.objects.filter(name="committed-despite-outage").exists()


def test_celery_runs_with_the_safety_settings():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
