"""What every kind of notification says, end to end: the event is made by the real service
(the workflow, containment, the SLA scan), derived, and delivered in the app, by e-mail
and through the webhook. Each one names the case, what happened, who did it and the
details its reader acts on; no raw key (disable_account, t2_pickup) and no empty body."""

from __future__ import annotations

import json
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases.models import Case
from cases.services import events
from containment.services import action_approve, action_reject, action_request
from notifications.models import Delivery, Kind, Notification
from notifications.rules import Occurrence, duration, format_time, plan
from notifications.services import delivery_send, notifications_derive, preferences_set
from notifications.timezones import user_time_zone_set
from sla.services import sla_scan, sla_sync
from tests.cases.workflow_support import escalated

pytestmark = pytest.mark.django_db

ALL_CHANNELS = ["in_app", "email", "webhook"]
RAW_KEYS = ("disable_account", "block_ip", "t2_pickup", "acknowledge@", "sla_warning", "sla_breached")


def derive():
    return notifications_derive(now=timezone.now() + timedelta(minutes=5))


def delivered(user, kind, receiver):
    """The user's notification of `kind`, and what its e-mail and webhook carried."""
    note = Notification.objects.get(user=user, kind=kind)
    for delivery in Delivery.objects.filter(notification=note):
        assert delivery_send(delivery_id=delivery.pk) == "sent", delivery.last_error
    emails = [m for m in mail.outbox if m.to == [user.email]]
    hooks = [json.loads(body) for _, body in receiver.received]
    hooks = [h for h in hooks if h["notification"]["id"] == note.pk]
    assert len(emails) == 1 and len(hooks) == 1
    return note, emails[0], hooks[0]


def assert_readable(note, email, hook, *needles):
    assert note.title and note.body, "an empty subject or body"
    for text in (note.title, note.body, email.subject, email.body, hook["notification"]["body"]):
        for raw in RAW_KEYS:
            assert raw not in text, (raw, text)
    for needle in needles:
        assert needle in note.title + "\n" + note.body, needle
        assert needle in email.subject + "\n" + email.body, needle
        assert needle in hook["notification"]["title"] + "\n" + hook["notification"]["body"], needle
    assert note.case.reference in email.subject
    assert f"/cases/{note.case_id}/" in email.body
    assert hook["case"]["reference"] == note.case.reference
    assert hook["notification"]["kind_label"] == note.get_kind_display()


@pytest.fixture(autouse=True)
def _channels(settings, receiver):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CONTAINMENT_LDAP = {**settings.CONTAINMENT_LDAP, "URL": "ldap://127.0.0.1:9", "BASE_DN": "dc=x"}


def everything(*users):
    for user in users:
        preferences_set(user=user, choices=dict.fromkeys(Kind.values, ALL_CHANNELS))


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case(title="Scraping of the partner portal")


@pytest.fixture
def investigating_case(seed_playbook, make_case, l1, t2):
    from tests.containment.conftest import walk_to_investigating

    return walk_to_investigating(make_case(title="Scraping of the partner portal"), l1=l1, t2=t2)


def test_case_escalated(case, l1, t2, receiver):
    everything(t2)
    escalated(case, l1, note="Probing from 203.0.113.77; m.keller's session looks hijacked.")
    derive()
    note, email, hook = delivered(t2, Kind.CASE_ESCALATED, receiver)
    assert_readable(note, email, hook, case.reference, "Scraping of the partner portal", l1.username)
    assert "Hand-off note: Probing from 203.0.113.77" in note.body
    assert hook["notification"]["details"]["note"].startswith("Probing")


def test_approval_requested_names_the_action_and_its_guardrails(
    investigating_case,
    t2,
    manager,
    receiver,
):
    everything(manager)
    action_request(
        case=investigating_case, kind="disable_account", target="m.keller", by=t2, reason="Session hijack"
    )
    derive()
    note, email, hook = delivered(manager, Kind.APPROVAL_REQUESTED, receiver)
    assert_readable(note, email, hook, investigating_case.reference, "Disable account m.keller", t2.username)
    assert "Reason: Session hijack" in note.body
    assert "disables an account" in note.body  # the guardrail, in words
    assert hook["notification"]["details"]["guardrails"] == ["disable_account"]


@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_approval_decided_tells_the_requester(
    decision,
    investigating_case,
    t2,
    manager,
    receiver,
):
    everything(t2)
    action = action_request(case=investigating_case, kind="disable_account", target="m.keller", by=t2)
    if decision == "approved":
        action_approve(action=action, by=manager)
    else:
        action_reject(action=action, by=manager, reason="Not his account")
    derive()
    note, email, hook = delivered(t2, Kind.APPROVAL_DECIDED, receiver)
    assert_readable(note, email, hook, "Disable account m.keller", f"{manager.username} {decision}")
    if decision == "rejected":
        assert "Reason: Not his account" in note.body
    assert hook["notification"]["details"]["decision"] == decision


def test_a_withdrawn_request_does_not_notify_its_own_requester(investigating_case, t2):
    action = action_request(case=investigating_case, kind="disable_account", target="m.keller", by=t2)
    action_reject(action=action, by=t2, reason="Wrong account")
    derive()
    assert not Notification.objects.filter(user=t2, kind=Kind.APPROVAL_DECIDED).exists()


def test_action_failed_says_what_failed_and_why(investigating_case, t2, receiver):
    everything(t2)
    action = action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    events.record(
        events.containment_action(
            investigating_case,
            action_id=action.pk,
            kind="block_ip",
            kind_label="Block IP",
            target="203.0.113.77",
            status="failed",
            event="failed",
            attempt=3,
            error="EDL push refused: HTTP 403",
            permanent=True,
        )
    )
    derive()
    note, email, hook = delivered(t2, Kind.ACTION_FAILED, receiver)
    assert_readable(note, email, hook, "Block IP 203.0.113.77 failed", "after 3 attempts")
    assert "Error: EDL push refused: HTTP 403" in note.body
    assert "will not be retried" in note.body


def _scan(case: Case, minutes: float) -> None:
    """The SLA scan as the beat task runs it, `minutes` after the case opened."""
    sla_sync([case.pk])
    sla_scan(case.opened_at + timedelta(minutes=minutes))


@pytest.mark.parametrize("kind", [Kind.SLA_WARNING, Kind.SLA_BREACHED])
def test_sla_alarms_name_the_stage_the_target_and_the_due_time(
    kind,
    seed_playbook,
    make_case,
    manager,
    receiver,
):
    case = make_case(title="Scraping of the partner portal", severity=4)  # acknowledge in 15 min
    everything(manager)
    user_time_zone_set(user=manager, name="Europe/Zurich")
    _scan(case, 13 if kind == Kind.SLA_WARNING else 16)
    derive()
    note, email, hook = delivered(manager, kind, receiver)
    due = case.opened_at + timedelta(minutes=15)
    due_text = format_time(due, zoneinfo.ZoneInfo("Europe/Zurich"))
    assert due_text.endswith((" CET", " CEST"))
    words = "SLA about to breach" if kind == Kind.SLA_WARNING else "SLA breached"
    assert_readable(
        note, email, hook, case.reference, f"Acknowledge (claim) {words}", "target of 15 min", due_text
    )
    assert "Nobody holds the case." in note.body
    details = hook["notification"]["details"]
    assert details["stage"] == "acknowledge" and details["target_minutes"] == 15
    assert details["due_at"] == due.isoformat()


def test_every_kind_has_a_rule_with_a_body():
    """A kind added to Kind without wording here fails (each kind's event, planned)."""
    sla = {"stage": "t2_pickup", "target": 120, "due": "2026-12-03T10:00:00+00:00", "elapsed": 100.0}
    containment = {"action": 1, "kind": "disable_account", "target": "m.keller"}
    samples = {
        Kind.CASE_ESCALATED: ("escalated", {"note": "see answers"}),
        Kind.APPROVAL_REQUESTED: ("containment", {**containment, "event": "requested", "status": "proposed"}),
        Kind.APPROVAL_DECIDED: ("containment", {**containment, "event": "approved", "status": "approved"}),
        Kind.ACTION_FAILED: ("containment", {**containment, "event": "failed", "error": "down"}),
        Kind.SLA_WARNING: ("sla_warning", sla),
        Kind.SLA_BREACHED: ("sla_breached", sla),
    }
    assert set(samples) == set(Kind.values)
    for kind, (verb, data) in samples.items():
        planned = plan(
            Occurrence(
                verb=verb,
                data=data,
                reference="CASE-1",
                title="T",
                actor_id=2,
                actor_name="carol",
                requested_by_id=1,
                requested_by_name="bob",
            )
        )
        assert planned is not None and planned.kind == kind
        body = planned.text()
        assert body and not any(raw in body + planned.title for raw in RAW_KEYS), (kind, planned)
    assert "T2 pickup after escalation" in plan(Occurrence("sla_breached", sla, "CASE-1", "T")).title
    assert "2026-12-03 10:00 UTC" in plan(Occurrence("sla_breached", sla, "CASE-1", "T")).text()


def test_durations_read_as_words():
    assert [duration(m) for m in (0, 15, 60, 90, 1440, 1530, 2880)] == [
        "0 min",
        "15 min",
        "1 h",
        "1 h 30 min",
        "1 d",
        "1 d 1 h",
        "2 d",
    ]


def test_a_long_case_title_is_cut_at_a_word(seed_playbook, make_case, l1, t2):
    title = "Burst " + "from an unusual source " * 10 + "x" * 50
    escalated(make_case(title=title), l1)
    derive()
    note = Notification.objects.get(user=t2)
    assert "“Burst from an unusual source" in note.body and "source …" not in note.body
    shown = note.body.split("“", 1)[1].split("”", 1)[0]
    assert shown.endswith("…") and title.startswith(shown[:-1].rstrip())
    assert shown[:-1].split()[-1] in title.split()  # the last word shown is a whole word
