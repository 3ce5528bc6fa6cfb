"""Token authentication for the API: `Authorization: Token <token>`.

The token's prefix says what it is. A personal token (`vgu_`) authenticates as its user.
An ingest token (`vgi_`) authenticates as its IngestSource (request.auth), with an
anonymous request.user, so user-facing endpoints refuse it (soc.permissions).
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken, IngestSource
from .models.tokens import INGEST_PREFIX, USER_PREFIX, hash_token

# last_seen/last_used are written at most this often, to keep hot paths read-only.
TOUCH_INTERVAL_SECONDS = 60


class TokenAuthenticationBase(authentication.BaseAuthentication):
    keyword = "Token"

    def get_token(self, request) -> str | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <token>'.")
        try:
            return header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header: not ASCII.") from exc

    def authenticate_header(self, request) -> str:
        return self.keyword


def authenticate_ingest_token(token: str) -> tuple[AnonymousUser, IngestSource]:
    source = IngestSource.objects.filter(token_hash=hash_token(token)).first()
    if source is None or not source.is_active:
        raise exceptions.AuthenticationFailed("Invalid or revoked ingest token.")
    now = timezone.now()
    if source.last_seen_at is None or (now - source.last_seen_at).total_seconds() > TOUCH_INTERVAL_SECONDS:
        IngestSource.objects.filter(pk=source.pk).update(last_seen_at=now)
    return AnonymousUser(), source


def authenticate_user_token(token: str):
    api_token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if api_token is None or not api_token.is_active or not api_token.user.is_active:
        raise exceptions.AuthenticationFailed("Invalid or revoked token.")
    now = timezone.now()
    if (
        api_token.last_used_at is None
        or (now - api_token.last_used_at).total_seconds() > TOUCH_INTERVAL_SECONDS
    ):
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user, api_token


class UserTokenAuthentication(TokenAuthenticationBase):
    """Personal and ingest tokens on every API endpoint (ingest ones then get 403)."""

    def authenticate(self, request):
        token = self.get_token(request)
        if token is None:
            return None
        if token.startswith(INGEST_PREFIX):
            return authenticate_ingest_token(token)
        if token.startswith(USER_PREFIX):
            return authenticate_user_token(token)
        raise exceptions.AuthenticationFailed("Invalid token.")
