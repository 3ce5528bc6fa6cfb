"""API credentials. A token is shown once at creation; only its SHA-256 is stored.

Tokens are 32 random bytes, so a fast hash is enough (no offline guessing is possible);
the prefix says which table to look in: `vgi_` ingest sources, `vgu_` personal tokens.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

INGEST_PREFIX = "vgi_"
USER_PREFIX = "vgu_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


class IngestSourceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class IngestSource(models.Model):
    """A SIEM or pipeline that pushes alerts. The endpoint it posts to decides the format."""

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    alert_count = models.PositiveBigIntegerField(default=0)

    objects = IngestSourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # DRF reads these on request.auth holders in a few places (throttles, logs).
    @property
    def is_authenticated(self) -> bool:
        return True


class ApiToken(models.Model):
    """A personal API token: acts as its user, with that user's permissions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
