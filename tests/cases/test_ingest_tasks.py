"""Enrichment dispatch: one message per batch, and the sweeper re-dispatches what a
broker outage left undispatched."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Alert
from cases.services.intake import dispatch_enrichment
from cases.tasks import fan_out_enrichment, sweep_undispatched

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "cases.services.intake.dispatch.send_task_safely",
        lambda task, arg: calls.append((task.name, arg)) or True,
    )
    return calls


def test_one_alert_is_sent_directly_and_a_batch_as_one_fan_out(ingest_alert_factory, sent):
    alerts = [ingest_alert_factory().alert for _ in range(3)]
    assert dispatch_enrichment([alerts[0].pk]) == 1
    assert dispatch_enrichment([a.pk for a in alerts[1:]]) == 2
    assert sent == [
        ("enrichment.tasks.enrich_alert", alerts[0].pk),
        ("cases.tasks.fan_out_enrichment", [alerts[1].pk, alerts[2].pk]),
    ]
    assert not Alert.objects.filter(dispatched_at__isnull=True).exists()


def test_fan_out_sends_one_enrichment_per_alert(monkeypatch):
    from enrichment.tasks import enrich_alert

    calls = []
    monkeypatch.setattr(enrich_alert, "apply_async", lambda args: calls.append(args))
    assert fan_out_enrichment.run([3, 1, 2]) == 3
    assert calls == [(3,), (1,), (2,)]


def test_sweeper_sends_old_undispatched_alerts_once_the_broker_is_back(ingest_alert_factory, monkeypatch):
    a = ingest_alert_factory().alert
    b = ingest_alert_factory().alert
    young = ingest_alert_factory().alert
    Alert.objects.filter(pk__in=[a.pk, b.pk]).update(received_at=timezone.now() - timedelta(minutes=5))

    monkeypatch.setattr("cases.services.intake.dispatch.send_task_safely", lambda task, arg: False)
    assert sweep_undispatched() == 0
    assert not Alert.objects.filter(dispatched_at__isnull=False).exists()

    calls = []
    monkeypatch.setattr(
        "cases.services.intake.dispatch.send_task_safely", lambda task, arg: calls.append(arg) or True
    )
    assert sweep_undispatched() == 2
    assert calls == [[a.pk, b.pk]]
    assert set(Alert.objects.filter(dispatched_at__isnull=False).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert Alert.objects.get(pk=young.pk).dispatched_at is None

    calls.clear()
    assert sweep_undispatched() == 0 and calls == []


def test_dispatch_stops_at_the_first_broker_failure(ingest_alert_factory, monkeypatch):
    monkeypatch.setattr("cases.services.intake.dispatch.FAN_OUT_CHUNK", 1)
    alerts = [ingest_alert_factory().alert for _ in range(3)]
    calls = []

    def flaky(task, arg):
        calls.append(arg)
        return len(calls) == 1

    monkeypatch.setattr("cases.services.intake.dispatch.send_task_safely", flaky)
    assert dispatch_enrichment([a.pk for a in alerts]) == 1
    assert calls == [[alerts[0].pk], [alerts[1].pk]]  # the third is not tried against a dead broker
    assert list(Alert.objects.filter(dispatched_at__isnull=False).values_list("pk", flat=True)) == [
        alerts[0].pk
    ]
