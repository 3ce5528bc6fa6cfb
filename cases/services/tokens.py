"""Personal API tokens: created (shown once), listed and revoked by their owner.

Only the SHA-256 of a token is stored (cases.models.tokens); the plain token exists in
the return value of ``user_token_create`` and nowhere else.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import Kind, token_event_record
from cases.models import ApiToken
from cases.models.tokens import USER_PREFIX, hash_token, new_token
from soc.errors import DomainError, NotAllowed

MAX_ACTIVE_TOKENS = 20
MAX_EXPIRY_DAYS = 3650


@transaction.atomic
def user_token_create(
    *, user, name: str, by, read_only: bool = False, expires_in_days: int | None = None, request=None
) -> tuple[ApiToken, str]:
    """Create a personal token for `user` (by the user themself, or a superuser/command).
    It expires after `expires_in_days` (default VIGIL_API_TOKEN_DAYS; 0 = never) and, when
    `read_only`, may only read.

    Returns the row and the plain token, which is never shown again."""
    if by is not None and by.pk != user.pk and not by.is_superuser:
        raise NotAllowed("You can only create tokens for yourself.")
    if not user.is_active:
        raise DomainError("This user is not active.")
    name = (name or "").strip()
    if not name:
        raise DomainError("Name the token (what uses it).", errors={"name": ["This field is required."]})
    if len(name) > 100:
        raise DomainError("The name is too long.", errors={"name": ["At most 100 characters."]})
    days = settings.VIGIL_API_TOKEN_DAYS if expires_in_days is None else expires_in_days
    if not 0 <= days <= MAX_EXPIRY_DAYS:
        message = f"Between 0 (never) and {MAX_EXPIRY_DAYS} days."
        raise DomainError(message, errors={"expires_in_days": [message]})
    now = timezone.now()
    active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise DomainError(f"At most {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    plain = new_token(USER_PREFIX)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=hash_token(plain),
        token_hint=plain[: len(USER_PREFIX) + 4],
        read_only=read_only,
        expires_at=now + timedelta(days=days) if days else None,
    )
    token_event_record(Kind.TOKEN_CREATED, token=token, request=request, by=by)
    return token, plain


@transaction.atomic
def user_token_revoke(*, token: ApiToken, by, request=None) -> ApiToken:
    """Revoke a token (its owner or a superuser). Revoking twice changes nothing."""
    if by.pk != token.user_id and not by.is_superuser:
        raise NotAllowed("You can only revoke your own tokens.")
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        token_event_record(Kind.TOKEN_REVOKED, token=locked, request=request, by=by)
    return locked
