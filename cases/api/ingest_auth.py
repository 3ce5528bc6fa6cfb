"""Authentication and rate limiting of the ingest endpoints.

Ingest endpoints take the token as `Authorization: Token <t>` or `Bearer <t>` (what
TheHive clients send), and the Splunk endpoint also as `?token=` because Splunk's
webhook action cannot set headers. A personal (user) token authenticates as its user and
is then refused by IsIngestSource (403); an unknown or revoked token is a 401.
"""

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from cases.authentication import UserTokenAuthentication, authenticate_ingest_token
from cases.models.tokens import INGEST_PREFIX
from soc.internals import redis_cache_write_client
from soc.permissions import is_ingest_request


class IngestHeaderAuthentication(UserTokenAuthentication):
    keywords = (b"token", b"bearer")


class QueryTokenAuthentication(IngestHeaderAuthentication):
    """`?token=<ingest token>` (Splunk). Only ingest tokens: a personal token in a URL
    would end up in proxy logs with its user's rights."""

    def authenticate(self, request):
        token = request.query_params.get("token")
        if not token:
            return None
        if not token.startswith(INGEST_PREFIX):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return authenticate_ingest_token(token, request)


class IngestRateThrottle(SimpleRateThrottle):
    """Requests per ingest source (not per IP: a SIEM cluster posts from many nodes).
    The rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["ingest"] (VIGIL_INGEST_RATE).

    A sliding-window counter rather than DRF's sliding log: one counter per window of
    `duration` seconds, and the rate is the current window's count plus the previous
    one's weighted by how much of it still overlaps the last `duration` seconds. DRF's
    log keeps one timestamp per request of the last period (up to 6,000 by default) and
    reads, unpickles, pickles and writes that whole list on every request, through Redis
    in production. On Django's Redis cache this is one round trip (INCR, EXPIRE and GET in
    a pipeline; atomic, so concurrent requests cannot pass over the limit) plus a DECR
    when the request is refused (refused requests are not counted); on other caches a
    get_many and a set.
    """

    scope = "ingest"

    def get_rate(self):
        # Read at request time, so a settings change (and override_settings) applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if not is_ingest_request(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, elapsed = divmod(self.now, self.duration)
        now_key, previous_key = f"{self.key}:{int(window)}", f"{self.key}:{int(window) - 1}"
        timeout = 2 * self.duration
        # DRF's `cache` is Django's default-cache proxy; the backend behind it decides.
        backend = caches[DEFAULT_CACHE_ALIAS] if self.cache is default_cache else self.cache
        client = redis_cache_write_client(backend)
        redis = client is not None
        if redis:
            now_key, previous_key = (backend.make_and_validate_key(k) for k in (now_key, previous_key))
            pipeline = client.pipeline(transaction=False)
            pipeline.incr(now_key)
            pipeline.expire(now_key, timeout)
            pipeline.get(previous_key)
            counted, _expiry_set, previous = pipeline.execute()
            current, previous = counted - 1, int(previous or 0)
        else:
            counts = backend.get_many([now_key, previous_key])
            current, previous = counts.get(now_key, 0), counts.get(previous_key, 0)
        self.counts = (current, previous, elapsed)
        if previous * (self.duration - elapsed) / self.duration + current + 1 > self.num_requests:
            if redis:
                client.decr(now_key)
            return self.throttle_failure()
        if not redis:
            backend.set(now_key, current + 1, timeout)
        return True

    def wait(self):
        """Seconds until one more request fits, for Retry-After."""
        current, previous, elapsed = self.counts
        room = self.num_requests - 1 - current  # requests the previous window may still weigh
        if room >= 0 and previous:
            # previous * (duration - t) / duration <= room  <=>  t >= duration * (1 - room / previous)
            return max(self.duration * (1 - room / previous) - elapsed, 1)
        # This window alone is full: the next one starts with it as `previous`.
        after = self.duration * (1 - (self.num_requests - 1) / current) if current else 0
        return max(self.duration - elapsed + after, 1)


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
