"""Notifications: what a user is told (in the app, by e-mail, through the SOC webhook),
derived from the cases' timeline events, and the outbox of their deliveries."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    CASE_ESCALATED = "case_escalated", "Case escalated to T2"
    APPROVAL_REQUESTED = "approval_requested", "Containment approval requested"
    APPROVAL_DECIDED = "approval_decided", "Containment approval decided"
    ACTION_FAILED = "action_failed", "Containment action failed"
    SLA_WARNING = "sla_warning", "SLA about to breach"
    SLA_BREACHED = "sla_breached", "SLA breached"


class Channel(models.TextChoices):
    IN_APP = "in_app", "In Vigil (the bell)"
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "SOC webhook"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # The timeline event it was derived from: one notification per event and user.
    event = models.ForeignKey("cases.CaseEvent", on_delete=models.CASCADE, related_name="+", db_index=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    in_app = models.BooleanField(default=True, help_text="Shown under the bell.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="notification_event_user_unique"),
        ]
        indexes = [
            # The bell: a user's unread in-app notifications, newest first.
            models.Index(
                fields=["user", "-created_at"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True, in_app=True),
            ),
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
            models.Index(fields=["case"], name="notification_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.title[:40]}"


class Preference(models.Model):
    """Which channels one kind of notification reaches a user on (no row: the default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channels = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {','.join(self.channels) or 'none'}"


class Delivery(models.Model):
    """The outbox: one e-mail or webhook message to send. A beat sweeper re-sends what
    the broker never got (``dispatched_at`` empty) or a dead worker left behind."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="delivery_open_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} for notification {self.notification_id}: {self.status}"


class DeriveCursor(models.Model):
    """How far the timeline has been read (one row): events up to ``last_event_id`` are
    settled and done; newer ones are read again on each run (deduplicated)."""

    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"notifications read up to event {self.last_event_id}"


class PersonalSettings(models.Model):
    """A user's own settings that are not notifications-specific: the time zone times are
    shown in (empty: the server's TIME_ZONE)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    time_zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.time_zone or 'server time zone'}"
