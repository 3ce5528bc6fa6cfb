"""Authentication and rate limiting of the ingest endpoints.

Ingest endpoints take the token as `Authorization: Token <t>` or `Bearer <t>` (what
TheHive clients send), and the Splunk endpoint also as `?token=` because Splunk's
webhook action cannot set headers. A personal (user) token authenticates as its user and
is then refused by IsIngestSource (403); an unknown or revoked token is a 401.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from cases.authentication import UserTokenAuthentication, authenticate_ingest_token
from cases.models.tokens import INGEST_PREFIX
from soc.permissions import is_ingest_request


class IngestHeaderAuthentication(UserTokenAuthentication):
    keywords = (b"token", b"bearer")

    def get_token(self, request) -> str | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <token>'.")
        try:
            return header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header: not ASCII.") from exc


class QueryTokenAuthentication(IngestHeaderAuthentication):
    """`?token=<ingest token>` (Splunk). Only ingest tokens: a personal token in a URL
    would end up in proxy logs with its user's rights."""

    def authenticate(self, request):
        token = request.query_params.get("token")
        if not token:
            return None
        if not token.startswith(INGEST_PREFIX):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return authenticate_ingest_token(token)


class IngestRateThrottle(SimpleRateThrottle):
    """Requests per ingest source (not per IP: a SIEM cluster posts from many nodes).
    The rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["ingest"] (VIGIL_INGEST_RATE)."""

    scope = "ingest"

    def get_rate(self):
        # Read at request time, so a settings change (and override_settings) applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if not is_ingest_request(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class IngestTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cases.api.ingest_auth.IngestHeaderAuthentication"
    name = "ingestToken"
    priority = 1  # over soc.schema.TokenScheme, which matches every token class

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token vgi_...` (or `Bearer vgi_...`): an ingest source's token "
            "(`manage.py create_ingest_token NAME`).",
        }


class IngestQueryTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cases.api.ingest_auth.QueryTokenAuthentication"
    name = "ingestQueryToken"
    priority = 2

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "query",
            "name": "token",
            "description": "The ingest token in the URL, for Splunk's webhook (it cannot set headers).",
        }
