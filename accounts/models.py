"""The sign-in audit log: one row per sign-in event, never changed or deleted by Vigil."""

from django.conf import settings
from django.db import models


class SignInEventQuerySet(models.QuerySet):
    def recent(self):
        return self.select_related("user").order_by("-created_at", "-pk")


class SignInEvent(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_OUT = "sign_out", "Signed out"
        FAILURE = "failure", "Sign-in failed"
        LOCKOUT = "lockout", "Locked out"
        UNLOCK = "unlock", "Lockout released"
        SECOND_FACTOR = "second_factor", "Second factor verified"
        SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor refused"
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Second factor set up"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        SSO_REFUSED = "sso_refused", "Single sign-on refused"
        SESSION_EXPIRED = "session_expired", "Session expired"
        TOKEN_CREATED = "token_created", "Token created"
        TOKEN_FIRST_USE = "token_first_use", "Token used for the first time"
        TOKEN_REVOKED = "token_revoked", "Token revoked"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was typed or claimed, kept even when no such user exists (failures) or it is deleted.
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = SignInEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="signin_kind_created"),
            models.Index(fields=["username", "-created_at"], name="signin_username_created"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"


class ExternalIdentity(models.Model):
    """The identity provider's subject for a Vigil user: single sign-on finds the user by
    (issuer, subject), never by e-mail, so a provider account cannot take over a local one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.issuer}"
