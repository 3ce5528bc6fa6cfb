"""Token authentication for the API: `Authorization: Token <token>`.

The token's prefix says what it is. A personal token (`vgu_`) authenticates as its user
until it expires (read-only ones are refused writes by soc.permissions). An ingest token
(`vgi_`) authenticates as its IngestSource (request.auth), from its allowed networks only,
with an anonymous request.user, so user-facing endpoints refuse it (soc.permissions).

A wrong token counts as a failed sign-in of the client's address (django-axes): past the
limit every wrong token from that address gets 429 with Retry-After (and no longer says
whether it was right) until the lockout ends or an admin releases it. The lockout is only
looked up when a token fails, so valid tokens cost no query for it.
A token's first use is written to the sign-in log.
"""

import json
from datetime import timedelta
from functools import cache

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.audit import Kind, client_address, token_event_record
from accounts.lockout import record_token_failure, refuse_if_locked

from .models import ApiToken, IngestSource
from .models.tokens import INGEST_PREFIX, USER_PREFIX, hash_token

# last_seen/last_used are written at most this often, to keep hot paths read-only.
TOUCH_INTERVAL_SECONDS = 60


class TokenAuthenticationBase(authentication.BaseAuthentication):
    keyword = "Token"  # what a 401's WWW-Authenticate names
    keywords = (b"token",)  # the Authorization schemes read, lower case

    def get_token(self, request) -> str | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <token>'.")
        try:
            return header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header: not ASCII.") from exc

    def authenticate_header(self, request) -> str:
        return self.keyword


@cache
def _source_by_hash_sql() -> str:
    """`IngestSource.objects.filter(token_hash=...)[:1]`, compiled once per process: every
    ingest request runs it, and building it with the ORM costs ~0.3 ms of CPU each time."""
    sql, _params = IngestSource.objects.filter(token_hash="").order_by()[:1].query.sql_with_params()
    return sql


def _source_by_hash(token_hash: str) -> IngestSource | None:
    if connection.vendor != "postgresql":
        # Other backends need Django's value converters (SQLite returns naive datetimes).
        return IngestSource.objects.filter(token_hash=token_hash).first()
    # psycopg2 returns every column of the row as the field's Python value.
    with connection.cursor() as cursor:
        cursor.execute(_source_by_hash_sql(), [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    source = IngestSource.from_db(
        connection.alias, [f.attname for f in IngestSource._meta.concrete_fields], row
    )
    # Django's psycopg2 setup hands jsonb over as text; from_db applies no converter.
    if isinstance(source.allowed_networks, str):
        source.allowed_networks = json.loads(source.allowed_networks)
    return source


def _refused(request, message: str) -> exceptions.AuthenticationFailed:
    if request is not None:
        refuse_if_locked(request)
        record_token_failure(request)
    return exceptions.AuthenticationFailed(message)


def authenticate_ingest_token(token: str, request=None) -> tuple[AnonymousUser, IngestSource]:
    source = _source_by_hash(hash_token(token))
    if source is None or not source.is_active:
        raise _refused(request, "Invalid or revoked ingest token.")
    if source.allowed_networks and not source.accepts_address(client_address(_plain(request))):
        raise _refused(request, "This ingest token is not accepted from this address.")
    now = timezone.now()
    if source.last_seen_at is None or (now - source.last_seen_at).total_seconds() > TOUCH_INTERVAL_SECONDS:
        # Conditional, so of the requests that read a stale time at once only the first
        # writes (the others match no row); no intake transaction holds this row's lock
        # any more (IngestTally), so the statement never waits behind one.
        stale = now - timedelta(seconds=TOUCH_INTERVAL_SECONDS)
        touched = IngestSource.objects.filter(
            Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=stale), pk=source.pk
        ).update(last_seen_at=now)
        if touched and source.last_seen_at is None:
            token_event_record(Kind.TOKEN_FIRST_USE, token=source, request=_plain(request))
    return AnonymousUser(), source


def authenticate_user_token(token: str, request=None):
    api_token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if api_token is None or api_token.revoked_at is not None or not api_token.user.is_active:
        raise _refused(request, "Invalid or revoked token.")
    if api_token.is_expired:
        raise _refused(request, "This token has expired; create a new one on your profile.")
    now = timezone.now()
    if (
        api_token.last_used_at is None
        or (now - api_token.last_used_at).total_seconds() > TOUCH_INTERVAL_SECONDS
    ):
        # Only the request that changes "never used" records the first use, once.
        first = api_token.last_used_at is None and bool(
            ApiToken.objects.filter(pk=api_token.pk, last_used_at__isnull=True).update(last_used_at=now)
        )
        if not first:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        else:
            token_event_record(Kind.TOKEN_FIRST_USE, token=api_token, request=_plain(request))
    return api_token.user, api_token


def _plain(request):
    return getattr(request, "_request", request)


class UserTokenAuthentication(TokenAuthenticationBase):
    """Personal and ingest tokens on every API endpoint (ingest ones then get 403)."""

    def authenticate(self, request):
        token = self.get_token(request)
        if token is None:
            return None
        if token.startswith(INGEST_PREFIX):
            return authenticate_ingest_token(token, request)
        if token.startswith(USER_PREFIX):
            return authenticate_user_token(token, request)
        raise _refused(request, "Invalid token.")
