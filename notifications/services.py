"""Deriving notifications from the timeline, delivering them, and the users' choices.

``notifications_derive`` (beat, every few seconds) reads the timeline events after the
cursor, makes each relevant event's notifications (one per recipient, deduplicated by
(event, user)) and their deliveries, and dispatches the deliveries once committed. The
cursor only moves past events older than VIGIL_NOTIFY_SETTLE_SECONDS, so an event whose
transaction committed late (a lower id after a higher one) is still read.

``delivery_send`` claims a delivery by a conditional update (idempotent under acks_late),
sends it, and records the outcome; ``deliveries_sweep`` re-dispatches what the broker
never got and what a dead worker left claimed.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import timedelta

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent
from containment.models import ContainmentAction
from soc.tasks import send_task_safely
from soc.text import shorten
from soc.webhooks import signed_request

from .models import Channel, Delivery, DeriveCursor, Kind, Notification, PersonalSettings, Preference
from .rules import VERBS, Occurrence, Planned, plan

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS = [Channel.IN_APP]
BATCH = 500


# --- preferences ----------------------------------------------------------------------


def channels_for(user_ids, kind: str) -> dict[int, list[str]]:
    chosen = dict(
        Preference.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", "channels")
    )
    return {uid: [c for c in chosen.get(uid, DEFAULT_CHANNELS) if c in Channel.values] for uid in user_ids}


def preferences_of(user) -> dict[str, list[str]]:
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channels"))
    return {kind: chosen.get(kind, list(DEFAULT_CHANNELS)) for kind in Kind.values}


@transaction.atomic
def preferences_set(*, user, choices: dict[str, list[str]]) -> None:
    """Save the user's channels per kind (unknown kinds or channels are ignored)."""
    for kind in Kind.values:
        channels = [c for c in choices.get(kind, []) if c in Channel.values]
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"channels": channels})


# --- reading ---------------------------------------------------------------------------


UNREAD_CACHE_SECONDS = 300


def _unread_key(user_id: int) -> str:
    return f"vigil:notifications:unread:{user_id}"


def unread_count(user) -> int:
    """The bell's number, cached per user (every page shows it) and dropped from the
    cache whenever the user's notifications change."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def _forget_unread(user_ids) -> None:
    cache.delete_many([_unread_key(uid) for uid in user_ids])


def mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all when `ids` is None); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    count = unread.update(read_at=timezone.now())
    _forget_unread([user.pk])
    return count


# --- deriving --------------------------------------------------------------------------


def _users_with(*codenames: str):
    perms = Permission.objects.filter(codename__in=codenames)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=perms) | Q(user_permissions__in=perms))
        .distinct()
        .values_list("pk", flat=True)
    )


def _audience(name) -> set[int]:
    if isinstance(name, int):
        return {name}
    if name == "t2":
        return set(_users_with("work_t2"))
    if name == "managers":
        return set(_users_with("assign_any"))
    if name == "approvers":
        codenames = ["approve_action"]
        if settings.CONTAINMENT_SECOND_T2_APPROVAL:
            codenames.append("request_action")
        return set(_users_with(*codenames))
    return set()


def _requesters(events: list[CaseEvent]) -> dict[int, tuple[int, str]]:
    """The requester (id, username) of each containment action the events name."""
    ids = {e.data.get("action") for e in events if e.verb == "containment" and isinstance(e.data, dict)}
    ids.discard(None)
    if not ids:
        return {}
    actions = ContainmentAction.objects.filter(pk__in=ids).select_related("requested_by")
    return {a.pk: (a.requested_by_id, a.requested_by.get_username()) for a in actions}


def _zones(user_ids) -> dict[int, zoneinfo.ZoneInfo]:
    """Each recipient's time zone (their own, else the server's), for the times in bodies."""
    server = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    chosen = dict(
        PersonalSettings.objects.filter(user_id__in=user_ids)
        .exclude(time_zone="")
        .values_list("user_id", "time_zone")
    )
    zones = {}
    for user_id in user_ids:
        try:
            zones[user_id] = zoneinfo.ZoneInfo(chosen[user_id]) if user_id in chosen else server
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zones[user_id] = server
    return zones


def _notify(event: CaseEvent, planned: Planned) -> list[Delivery]:
    recipients: set[int] = set()
    for audience in planned.audiences:
        recipients |= _audience(audience)
    recipients -= set(planned.exclude)
    if not recipients:
        return []
    channels = channels_for(sorted(recipients), planned.kind)
    zones = _zones(sorted(recipients))
    deliveries = []
    for user_id in sorted(recipients):
        chosen = channels[user_id]
        if not chosen:
            continue
        notification = Notification.objects.create(
            user_id=user_id,
            kind=planned.kind,
            event=event,
            case_id=event.case_id,
            title=planned.title[:300],
            body=planned.text(zones[user_id]),
            in_app=Channel.IN_APP in chosen,
        )
        for channel in (Channel.EMAIL, Channel.WEBHOOK):
            if channel in chosen:
                deliveries.append(Delivery(notification=notification, channel=channel))
    return deliveries


def _event(event: CaseEvent, requesters: dict[int, tuple[int, str]]) -> Occurrence:
    data = event.data if isinstance(event.data, dict) else {}
    requester_id, requester_name = requesters.get(data.get("action"), (None, ""))
    return Occurrence(
        verb=event.verb,
        data=data,
        reference=event.case.reference,
        title=shorten(event.case.title, 120),
        assignee_id=event.case.assignee_id,
        actor_id=event.actor_id,
        actor_name=event.actor.get_username() if event.actor_id else "",
        requested_by_id=requester_id,
        requested_by_name=requester_name,
    )


def planned_for(event: CaseEvent) -> Planned | None:
    """The notification one saved event makes (what the webhook's details are read from)."""
    return plan(_event(event, _requesters([event])))


def notifications_derive(*, now=None) -> int:
    """Turn new timeline events into notifications; returns how many were made."""
    now = now or timezone.now()
    settle = timedelta(seconds=settings.VIGIL_NOTIFY_SETTLE_SECONDS)
    made = 0
    with transaction.atomic():
        cursor, _ = DeriveCursor.objects.select_for_update().get_or_create(pk=1)
        events = list(
            CaseEvent.objects.filter(pk__gt=cursor.last_event_id, verb__in=VERBS)
            .select_related("case", "actor")
            .order_by("pk")[:BATCH]
        )
        done = set(
            Notification.objects.filter(event_id__in=[e.pk for e in events]).values_list(
                "event_id", flat=True
            )
        )
        requesters = _requesters(events)
        deliveries: list[Delivery] = []
        for event in events:
            if event.pk in done:
                continue
            planned = plan(_event(event, requesters))
            if planned is None:
                continue
            deliveries += _notify(event, planned)
            made += 1
        Delivery.objects.bulk_create(deliveries)
        # Move the cursor past settled events only (a late commit below it is still read).
        settled = CaseEvent.objects.filter(pk__gt=cursor.last_event_id, created_at__lte=now - settle)
        if len(events) == BATCH:
            settled = settled.filter(pk__lte=events[-1].pk)
        top = settled.aggregate(top=Max("pk"))["top"]
        if top:
            cursor.last_event_id = top
            cursor.save(update_fields=["last_event_id"])
        ids = [d.pk for d in deliveries]
        notified = set(
            Notification.objects.filter(event_id__in=[e.pk for e in events]).values_list("user_id", flat=True)
        )
        if notified:
            transaction.on_commit(lambda: _forget_unread(notified))
        if ids:
            transaction.on_commit(lambda: dispatch_deliveries(ids))
    return made


def dispatch_deliveries(ids: list[int]) -> None:
    """Hand deliveries to the broker; what it does not take stays for the sweeper."""
    from .tasks import deliver

    for pk in ids:
        if send_task_safely(deliver, pk):
            Delivery.objects.filter(pk=pk, dispatched_at__isnull=True).update(dispatched_at=timezone.now())


# --- delivering ------------------------------------------------------------------------


class TransientError(Exception):
    """A delivery that may work later (the task retries it)."""


def _payload(notification: Notification) -> dict:
    case_url = reverse("cases:detail", args=[notification.case_id])
    planned = planned_for(notification.event)
    return {
        "event": f"notification.{notification.kind}",
        "notification": {
            "id": notification.pk,
            "kind": notification.kind,
            "kind_label": notification.get_kind_display(),
            "title": notification.title,
            "body": notification.body,
            "details": planned.details if planned else {},
            "created_at": notification.created_at.isoformat(),
        },
        "user": notification.user.get_username(),
        "case": {
            "id": notification.case_id,
            "reference": notification.case.reference,
            "title": notification.case.title,
            "path": case_url,
            "url": f"{settings.VIGIL_BASE_URL.rstrip('/')}{case_url}",
        },
    }


def _send_email(notification: Notification) -> None:
    address = notification.user.email
    if not address:
        raise ValueError("The user has no e-mail address.")
    path = reverse("cases:detail", args=[notification.case_id])
    body = f"{notification.body}\n\nOpen the case: {settings.VIGIL_BASE_URL.rstrip('/')}{path}".strip()
    # A case title is alert content: a line break in it must not break the header.
    subject = " ".join(f"[Vigil] {notification.title}".split())
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError as exc:  # SMTP down: try again later
        raise TransientError(f"E-mail failed: {exc}") from exc


def _send_webhook(notification: Notification) -> None:
    url, secret = settings.VIGIL_NOTIFY_WEBHOOK_URL, settings.VIGIL_NOTIFY_WEBHOOK_SECRET
    if not url or not secret:
        raise ValueError("The notification webhook is not configured (VIGIL_NOTIFY_WEBHOOK_URL and _SECRET).")
    body, headers = signed_request(
        _payload(notification),
        secret=secret,
        user_agent="Vigil-Notifications/1",
        idempotency_key=f"vigil-notification-{notification.pk}",
    )
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=settings.VIGIL_NOTIFY_WEBHOOK_TIMEOUT
        )
    except requests.RequestException as exc:
        raise TransientError(f"Webhook failed: {exc.__class__.__name__}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"Webhook answered HTTP {response.status_code}")
    if not 200 <= response.status_code < 300:
        raise ValueError(f"Webhook answered HTTP {response.status_code}: {response.text[:200]}")


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery; returns its new status. Raises TransientError when a retry may
    help and attempts remain (the delivery is pending again)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related(
        "notification__user", "notification__case", "notification__event__case", "notification__event__actor"
    ).get(pk=delivery_id)
    try:
        (_send_email if delivery.channel == Channel.EMAIL else _send_webhook)(delivery.notification)
    except TransientError as exc:
        final = delivery.attempts >= settings.VIGIL_NOTIFY_MAX_ATTEMPTS
        status = Delivery.Status.FAILED if final else Delivery.Status.PENDING
        Delivery.objects.filter(pk=delivery_id).update(status=status, last_error=str(exc)[:1000])
        if final:
            return status
        raise
    except ValueError as exc:  # permanent: configuration or address
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, last_error=str(exc)[:1000]
        )
        return Delivery.Status.FAILED
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return Delivery.Status.SENT


def deliveries_sweep(*, now=None) -> int:
    """Re-dispatch deliveries the broker never got, and free those a dead worker left
    claimed; returns how many were sent to the broker again."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.VIGIL_NOTIFY_LEASE_SECONDS)
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - lease).update(
        status=Delivery.Status.PENDING, dispatched_at=None
    )
    stale = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - lease)
    ids = list(
        Delivery.objects.filter(
            stale, status=Delivery.Status.PENDING, created_at__lt=now - timedelta(seconds=5)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    Delivery.objects.filter(pk__in=ids).update(dispatched_at=None)
    dispatch_deliveries(ids)
    return len(ids)
