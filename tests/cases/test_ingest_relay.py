"""The enrichment relay (cases/services/intake/relay.py): intake answers without a broker
round trip; the relay thread sends the new alerts in batches, stamps them, survives a
broker outage and a database error, and never holds the only copy of anything.

On committed rows (transaction=True): the relay's thread has its own connection."""

import os
import threading

import pytest
from django.db import DatabaseError

from cases.models import Alert
from cases.services.intake.relay import RELAY, relay_enrichment
from cases.tasks import sweep_undispatched

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def relay_on(settings):
    settings.VIGIL_ENRICHMENT_RELAY_MS = 50
    RELAY.flush()
    yield
    RELAY.flush()


@pytest.fixture
def sent(monkeypatch):
    """What reaches the broker, by message: (task name, argument), and on which thread."""
    calls = []

    def record(task, arg):
        calls.append((task.name, arg, threading.current_thread().name))
        return True

    monkeypatch.setattr("cases.services.intake.dispatch.send_task_safely", record)
    return calls


def test_intake_answers_before_the_relay_sends_and_the_relay_sends_them_all(
    relay_on, sent, ingest_alert_factory
):
    alerts = [ingest_alert_factory().alert for _ in range(5)]
    # The requests are answered; nothing was sent from their thread.
    assert all(name == "vigil-enrichment-relay" for *_, name in sent)
    RELAY.flush()
    sent_ids = [pk for _, arg, _ in sent for pk in (arg if isinstance(arg, list) else [arg])]
    assert sorted(sent_ids) == sorted(a.pk for a in alerts)
    assert not Alert.objects.filter(dispatched_at__isnull=True).exists()


def test_alerts_that_arrive_together_go_out_as_one_message(relay_on, sent, ingest_alert_factory, settings):
    settings.VIGIL_ENRICHMENT_RELAY_MS = 2000  # every alert below arrives within the window
    alerts = [ingest_alert_factory().alert for _ in range(4)]
    RELAY.flush()
    assert [(name, arg) for name, arg, _ in sent] == [
        ("cases.tasks.fan_out_enrichment", [a.pk for a in alerts])
    ]


def test_a_broker_outage_leaves_the_alerts_for_the_sweeper(
    relay_on, monkeypatch, ingest_alert_factory, settings
):
    monkeypatch.setattr("cases.services.intake.dispatch.send_task_safely", lambda task, arg: False)
    alerts = [ingest_alert_factory().alert for _ in range(2)]
    RELAY.flush()
    assert Alert.objects.filter(dispatched_at__isnull=True).count() == 2

    swept = []
    monkeypatch.setattr(
        "cases.services.intake.dispatch.send_task_safely", lambda task, arg: swept.append(arg) or True
    )
    settings.VIGIL_SWEEP_GRACE_SECONDS = 0
    assert sweep_undispatched() == 2
    assert swept == [[a.pk for a in alerts]]


def test_a_database_error_costs_one_batch_not_the_relay(
    relay_on, monkeypatch, sent, ingest_alert_factory, caplog
):
    from cases.services.intake import dispatch

    real_stamp = dispatch.stamp_dispatched
    failures = iter([DatabaseError("connection lost")])

    def stamp_once_failing(ids, at):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        real_stamp(ids, at)

    monkeypatch.setattr(dispatch, "stamp_dispatched", stamp_once_failing)
    first = ingest_alert_factory().alert
    RELAY.flush()
    assert "left for the sweeper" in caplog.text
    assert Alert.objects.get(pk=first.pk).dispatched_at is None  # the sweeper's, later

    second = ingest_alert_factory().alert
    RELAY.flush()
    assert Alert.objects.get(pk=second.pk).dispatched_at is not None


def test_inline_when_the_relay_is_off(settings, sent, ingest_alert_factory):
    settings.VIGIL_ENRICHMENT_RELAY_MS = 0
    alert = ingest_alert_factory().alert
    assert sent == [("enrichment.tasks.enrich_alert", alert.pk, threading.current_thread().name)]
    relay_enrichment([])  # nothing to send: nothing sent
    assert len(sent) == 1


def test_a_forked_child_starts_its_own_relay(relay_on, sent, ingest_alert_factory):
    ingest_alert_factory()  # the parent's relay thread is running
    pid = os.fork()
    if pid == 0:  # the child: the parent's thread is not here, and the child's state says so
        os._exit(0 if RELAY._thread is None and not RELAY._lock.locked() else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
