"""Notifications derived from the timeline, chosen per user, delivered in-app, by e-mail
and through the signed webhook, and re-sent after a broker outage."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.services import events
from containment.services import action_approve, action_request
from notifications.models import Delivery, Kind, Notification
from notifications.services import (
    deliveries_sweep,
    delivery_send,
    notifications_derive,
    preferences_set,
)
from soc.webhooks import verify
from tests.cases.workflow_support import escalated
from tests.notifications.conftest import SECRET

pytestmark = pytest.mark.django_db


def derive():
    return notifications_derive(now=timezone.now() + timedelta(minutes=5))


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case()


@pytest.fixture
def investigating_case(seed_playbook, make_case, l1, t2):
    from tests.containment.conftest import walk_to_investigating

    return walk_to_investigating(make_case(), l1=l1, t2=t2)


def test_an_escalation_notifies_t2_once(case, l1, t2, manager):
    escalated(case, l1)
    assert derive() == 1
    assert derive() == 0  # the cursor moved on; nothing twice
    users = set(
        Notification.objects.filter(kind=Kind.CASE_ESCALATED).values_list("user__username", flat=True)
    )
    assert users == {t2.username, manager.username}  # T2 analysts (managers work T2 too), not L1
    note = Notification.objects.filter(user=t2).get()
    assert case.reference in note.title and "Probing" in note.body


def test_an_event_committed_late_below_the_cursor_is_still_read(case, l1, t2):
    # Events newer than the settle time are read again next run, deduplicated.
    escalated(case, l1)
    notifications_derive()
    notifications_derive()
    assert Notification.objects.filter(user=t2).count() == 1


def test_approval_requested_decided_and_failed(investigating_case, t2, manager, settings):
    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, "URL": "ldap://127.0.0.1:9", "BASE_DN": "dc=x"}
    action = action_request(case=investigating_case, kind="disable_account", target="m.keller", by=t2)
    derive()
    assert Notification.objects.filter(user=manager, kind=Kind.APPROVAL_REQUESTED).exists()
    assert not Notification.objects.filter(user=t2, kind=Kind.APPROVAL_REQUESTED).exists()
    action_approve(action=action, by=manager)
    derive()
    assert Notification.objects.filter(user=t2, kind=Kind.APPROVAL_DECIDED).exists()
    failure = events.containment_action(
        investigating_case,
        action_id=action.pk,
        kind="disable_account",
        kind_label="Disable account",
        target="m.keller",
        status="failed",
        event="failed",
        error="LDAP down",
    )
    events.record(failure)
    derive()
    failed = Notification.objects.get(user=t2, kind=Kind.ACTION_FAILED)
    assert "LDAP down" in failed.body


def test_sla_events_go_to_the_assignee_or_the_managers(case, l1, manager):
    clock = {"stage": "acknowledge", "target_minutes": 15, "due_at": timezone.now(), "elapsed_minutes": 12.0}
    events.record(events.sla_warning(case, **clock))
    derive()
    assert Notification.objects.get(kind=Kind.SLA_WARNING).user == manager
    from cases.services import workflow as wf

    wf.case_claim(case=case, by=l1)
    events.record(events.sla_breached(case, **clock))
    derive()
    assert Notification.objects.get(kind=Kind.SLA_BREACHED).user == l1


def test_preferences_choose_the_channels(client, case, l1, t2, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    preferences_set(user=t2, choices={Kind.CASE_ESCALATED: ["email"]})
    escalated(case, l1)
    derive()
    note = Notification.objects.get(user=t2)
    assert note.in_app is False
    delivery = Delivery.objects.get(notification=note)
    assert delivery.channel == "email"
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert delivery_send(delivery_id=delivery.pk) == "skipped"  # claimed once: idempotent
    assert len(mail.outbox) == 1 and case.reference in mail.outbox[0].subject
    client.force_login(t2)
    response = client.post(
        reverse("notifications:preferences"),
        {Kind.CASE_ESCALATED: ["in_app", "webhook"], Kind.SLA_BREACHED: []},
    )
    assert response.status_code == 302
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert 'value="webhook"' in html and "checked" in html


def test_the_bell_counts_and_marks_read(client, case, l1, t2, manager):
    escalated(case, l1)
    derive()
    client.force_login(t2)
    html = client.get(reverse("cases:dashboard")).content.decode()
    assert 'aria-label="1 unread"' in html
    mine = Notification.objects.get(user=t2)
    theirs = Notification.objects.get(user=manager)
    client.post(reverse("notifications:read"), {"id": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.read_at is None  # another user's notification is not found
    response = client.post(reverse("notifications:read"), {"id": [mine.pk]}, HTTP_HX_REQUEST="true")
    assert 'aria-label="0 unread"' in response.content.decode()
    assert case.reference in client.get(reverse("notifications:list")).content.decode()


def test_the_webhook_is_signed_and_retried_on_5xx(case, l1, t2, receiver, settings):
    settings.VIGIL_NOTIFY_MAX_ATTEMPTS = 2
    preferences_set(user=t2, choices={Kind.CASE_ESCALATED: ["webhook"]})
    escalated(case, l1)
    derive()
    delivery = Delivery.objects.get()
    receiver.answer = 503
    from notifications.services import TransientError

    with pytest.raises(TransientError):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    receiver.answer = 200
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    headers, body = receiver.received[-1]
    assert verify(SECRET, headers["X-Vigil-Timestamp"], body, headers["X-Vigil-Signature"])
    payload = json.loads(body)
    assert (
        payload["event"] == "notification.case_escalated" and payload["case"]["reference"] == case.reference
    )


def test_a_broker_outage_leaves_deliveries_for_the_sweeper(
    case, l1, t2, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    preferences_set(user=t2, choices={Kind.CASE_ESCALATED: ["email"]})
    sent = []
    escalated(case, l1)
    # The broker is down: the hand-off fails, the delivery stays in the outbox.
    monkeypatch.setattr("notifications.services.send_task_safely", lambda task, *args, **kw: False)
    with django_capture_on_commit_callbacks(execute=True):
        derive()
    delivery = Delivery.objects.get()
    assert delivery.dispatched_at is None
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    monkeypatch.setattr(
        "notifications.services.send_task_safely", lambda task, *args, **kw: sent.append(args) or True
    )
    assert deliveries_sweep() == 1
    assert sent == [(delivery.pk,)]
    delivery.refresh_from_db()
    assert delivery.dispatched_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_email(seed_playbook, make_case, l1, t2, celery_worker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    preferences_set(user=t2, choices={Kind.CASE_ESCALATED: ["email", "in_app"]})
    escalated(make_case(), l1)
    derive()
    delivery = Delivery.objects.get()
    import time

    for _ in range(100):
        delivery.refresh_from_db()
        if delivery.status == "sent":
            break
        time.sleep(0.1)
    assert delivery.status == "sent"


def test_a_user_chooses_their_time_zone(client, case, l1):
    client.force_login(l1)
    response = client.post(reverse("notifications:preferences"), {"tz-time_zone": "Europe/Zurich"})
    assert response.status_code == 302
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert " CET</time>" in html or " CEST</time>" in html
    assert (
        client.post(reverse("notifications:preferences"), {"tz-time_zone": "Mars/Olympus"}).status_code == 400
    )
