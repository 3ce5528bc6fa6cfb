"""A reference-data change's refresh of open cases survives a broker outage: the request is
recorded with the change, and the beat sweeper sends the fan-out again until every open
case's refresh has reached the broker."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from enrichment import tasks
from intel import services
from intel.models import ReferenceRefresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """send_task_safely as the tasks module sees it: records sends, or refuses them all
    while `broker.down` is set (what it answers when the broker is unreachable)."""

    class Broker:
        down = False
        sent: list = []

        def send(self, task, *args):
            if self.down:
                return False
            self.sent.append((task.name, args))
            return True

    fake = Broker()
    fake.sent = []
    monkeypatch.setattr(tasks, "send_task_safely", fake.send)
    return fake


def age_request(minutes: int) -> None:
    ReferenceRefresh.objects.filter(pk=1).update(requested_at=timezone.now() - timedelta(minutes=minutes))


def test_the_request_is_recorded_with_the_change_and_rolled_back_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.network_create(by=None, cidr="203.0.113.0/24", list="malicious", source="feed")
        raise RuntimeError("the import failed")
    assert not ReferenceRefresh.objects.exists()

    services.network_create(by=None, cidr="203.0.113.0/24", list="malicious", source="feed")
    assert ReferenceRefresh.objects.get().pending


def test_a_refresh_the_broker_missed_is_sent_again_by_the_sweeper(seed_playbook, make_case, broker):
    first, second = make_case(), make_case()
    services.partner_create(by=None, name="Acme", domains=["acme.example"])
    broker.down = True
    assert tasks.refresh_open_cases.apply().get() == 0  # the fan-out met the outage
    assert ReferenceRefresh.objects.get().pending

    assert tasks.sweep_reference_refresh.apply().get() is False  # too young: may be in flight
    age_request(minutes=5)
    assert tasks.sweep_reference_refresh.apply().get() is False  # broker still down
    broker.down = False
    assert tasks.sweep_reference_refresh.apply().get() is True
    assert broker.sent == [("enrichment.tasks.refresh_open_cases", ())]

    broker.sent.clear()
    assert tasks.refresh_open_cases.apply().get() == 2
    assert broker.sent == [("enrichment.tasks.refresh_cases", ([first.pk, second.pk],))]  # one batch
    assert not ReferenceRefresh.objects.get().pending
    assert tasks.sweep_reference_refresh.apply().get() is False  # nothing left to do


def test_a_change_made_during_the_fan_out_stays_pending(seed_playbook, make_case, broker, monkeypatch):
    make_case()
    services.network_create(by=None, cidr="198.51.100.0/24", list="benign", source="ops")
    age_request(minutes=5)
    served = services.refresh_requested_at()

    real_open_case_ids = tasks.enrichment.open_case_ids

    def change_meanwhile():
        ids = real_open_case_ids()
        services.network_create(by=None, cidr="192.0.2.0/24", list="malicious", source="feed")
        return ids

    monkeypatch.setattr(tasks.enrichment, "open_case_ids", change_meanwhile)
    assert tasks.refresh_open_cases.apply().get() == 1
    state = ReferenceRefresh.objects.get()
    assert state.refreshed_at == served < state.requested_at
    assert state.pending


def test_the_sweeper_runs_every_minute_from_beat(settings):
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["enrichment.tasks.sweep_reference_refresh"]["schedule"] == timedelta(minutes=1)
