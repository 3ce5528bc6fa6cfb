"""The sweeper re-dispatches what a broker outage left undispatched."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Alert
from cases.tasks import sweep_undispatched

pytestmark = pytest.mark.django_db


def test_sweeper_sends_old_undispatched_alerts_once_the_broker_is_back(ingest_alert_factory, monkeypatch):
    a = ingest_alert_factory().alert
    b = ingest_alert_factory().alert
    young = ingest_alert_factory().alert
    Alert.objects.filter(pk__in=[a.pk, b.pk]).update(received_at=timezone.now() - timedelta(minutes=5))

    monkeypatch.setattr("cases.services.intake.send_task_safely", lambda task, pk: False)
    assert sweep_undispatched() == 0
    assert not Alert.objects.filter(dispatched_at__isnull=False).exists()

    sent = []
    monkeypatch.setattr("cases.services.intake.send_task_safely", lambda task, pk: sent.append(pk) or True)
    assert sweep_undispatched() == 2
    assert sent == [a.pk, b.pk]
    assert set(Alert.objects.filter(dispatched_at__isnull=False).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert Alert.objects.get(pk=young.pk).dispatched_at is None

    sent.clear()
    assert sweep_undispatched() == 0 and sent == []


def test_sweeper_stops_at_the_first_broker_failure(ingest_alert_factory, monkeypatch):
    alerts = [ingest_alert_factory().alert for _ in range(3)]
    Alert.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    calls = []

    def flaky(task, pk):
        calls.append(pk)
        return len(calls) == 1

    monkeypatch.setattr("cases.services.intake.send_task_safely", flaky)
    assert sweep_undispatched() == 1
    assert calls == [alerts[0].pk, alerts[1].pk]  # the third is not tried against a dead broker
