"""API credentials. A token is shown once at creation; only its SHA-256 is stored.

Tokens are 32 random bytes, so a fast hash is enough (no offline guessing is possible);
the prefix says which table to look in: `vgi_` ingest sources, `vgu_` personal tokens.
"""

import hashlib
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import functions  # noqa: F401 (models.functions below)
from django.utils import timezone

INGEST_PREFIX = "vgi_"
USER_PREFIX = "vgu_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def validate_networks(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError('A list of networks, e.g. ["10.0.0.0/8", "192.0.2.7"].')
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValidationError(f"{item!r} is not an address or network.") from None


class IngestSourceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_live_counts(self):
        """`live_alert_count` and `live_last_seen_at`: the folded counters plus the tallies
        not folded yet (IngestTally), i.e. exact as of the last committed request."""
        pending = IngestTally.objects.filter(source=models.OuterRef("pk")).order_by().values("source")
        pending_count = models.Subquery(pending.annotate(n=models.Sum("alerts")).values("n"))
        pending_seen = models.Subquery(pending.annotate(at=models.Max("last_seen_at")).values("at"))
        Coalesce = models.functions.Coalesce
        return self.annotate(
            live_alert_count=models.F("alert_count") + Coalesce(pending_count, 0),
            # Greatest() of a NULL is NULL on some databases: each side falls back to the other.
            live_last_seen_at=models.functions.Greatest(
                Coalesce("last_seen_at", pending_seen), Coalesce(pending_seen, "last_seen_at")
            ),
        )


class IngestSource(models.Model):
    """A SIEM or pipeline that pushes alerts. The endpoint it posts to decides the format."""

    # What soc.permissions.is_ingest_request looks for on request.auth.
    is_ingest_source = True

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    alert_count = models.PositiveBigIntegerField(default=0)
    # Source addresses the token is accepted from (CIDRs or addresses); empty: anywhere.
    allowed_networks = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_networks],
        help_text='Addresses or networks the SIEM posts from, e.g. ["10.20.0.0/16"]; empty accepts any.',
    )

    objects = IngestSourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # DRF reads these on request.auth holders in a few places (throttles, logs).
    @property
    def is_authenticated(self) -> bool:
        return True

    def accepts_address(self, address: str | None) -> bool:
        if not self.allowed_networks:
            return True
        try:
            client = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(client in ipaddress.ip_network(net, strict=False) for net in self.allowed_networks)


class IngestTally(models.Model):
    """One committed ingest request's count, folded into its IngestSource later.

    Every request of a source used to UPDATE the source's row (alert count, last seen) in its
    transaction, so one SIEM's requests queued on that row lock. Each request now inserts
    one of these rows instead (an insert locks nothing another request needs); beat's
    `cases.tasks.fold_ingest_tallies` adds them to the source every minute and deletes them.
    No foreign-key constraint: its check would lock the source row again (KEY SHARE, which
    the fold's UPDATE does not conflict with, but it is a check per request for nothing:
    a source with alerts is never deleted, alerts PROTECT it).
    """

    source = models.ForeignKey(
        IngestSource, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    alerts = models.PositiveIntegerField()
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"source {self.source_id}: +{self.alerts} at {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class ApiToken(models.Model):
    """A personal API token: acts as its user, with that user's permissions (only reads
    when `read_only`), until it expires or is revoked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    read_only = models.BooleanField(default=False, help_text="Only GET, HEAD and OPTIONS requests.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
