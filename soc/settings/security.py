"""Security headers, HTTPS, cookies and the body limit (`check --deploy` is clean with
DEBUG=0 and the variables below), and the Content-Security-Policy."""

from csp import constants as csp_constants

from .base import DEBUG, env

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# One switch for a local trial over plain HTTP (docker-compose on localhost): HTTPS-only
# cookies and the HTTPS redirect default off. Never in production.
VIGIL_PLAIN_HTTP = env.bool("VIGIL_PLAIN_HTTP", default=False)
_HTTPS = not DEBUG and not VIGIL_PLAIN_HTTP
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_HTTPS)
# Load balancers and container healthchecks probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preload on by default so `check --deploy` is clean; set 0 if the domain must not be preloaded.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Body limit for every request, the ingest API's 413 included.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("VIGIL_MAX_BODY_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000
# Sessions: an absolute lifetime (the cookie's age) and an idle timeout, both in hours.
VIGIL_SESSION_MAX_HOURS = env.float("VIGIL_SESSION_MAX_HOURS", default=12)
VIGIL_SESSION_IDLE_HOURS = env.float("VIGIL_SESSION_IDLE_HOURS", default=1)
SESSION_COOKIE_AGE = int(VIGIL_SESSION_MAX_HOURS * 3600)
SESSION_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (django-csp 4): only Vigil's own scripts and styles, scripts also
# by the per-response nonce; no inline script, no eval, no framing, no plugins.
# The nonce appears in the header only on responses whose template used
# `{{ request.csp_nonce }}` (none does today: every script is a static file).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF, csp_constants.NONCE],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "frame-ancestors": [csp_constants.NONE],
    },
}
# Browser features Vigil never uses, switched off (accounts.middleware.SecurityHeadersMiddleware).
VIGIL_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
