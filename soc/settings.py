"""Vigil settings: one module, every value from the environment with a safe local default.

The embedded defaults (SQLite under var/, kombu's filesystem broker under var/) let a
fresh clone run without any service; production sets DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY and DEBUG=0. Every variable read here is listed in README.md.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer's .env (written by bin/vigil on first run) holds DEBUG and a generated key.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "soc",
    "playbooks",
    "intel",
    "cases",
    "enrichment",
    "containment",
    # Identity and hardening (accounts/): CSP, lockout, second factor, single sign-on.
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "accounts",
    "notifications",
    # The manager's view: SLA policies and clocks, metrics, reports, exports.
    "sla",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: one size limit for all, chunked bodies read.
    "soc.middleware.RequestBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "soc.middleware.LoginRequiredMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    # Last: it turns the lockout flag set during authentication into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "soc.urls"
WSGI_APPLICATION = "soc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "soc.context_processors.roles",
                "csp.context_processors.nonce",
                "accounts.context_processors.sign_in_options",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vigil.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Intake prepares its statements once per PostgreSQL connection (cases/ingest/store/
# prepared.py). Turn off behind a pooler in transaction mode, which does not keep a
# session's prepared statements.
VIGIL_DB_PREPARED_STATEMENTS = env.bool("VIGIL_DB_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and VIGIL_DB_PREPARED_STATEMENTS:
    # Their plans are made once, not per execution: PostgreSQL's automatic choice keeps
    # re-planning statements whose array parameters it sizes exactly when planning them
    # as a one-off. Only prepared statements (ours and foreign-key checks) are affected.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the Celery worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (check --deploy clean with DEBUG=0 and the variables below) ---
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

# --- Identity and hardening (accounts/; README "Sign-in and security") ---
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
# Local password sign-in; off when every user signs in through single sign-on.
VIGIL_PASSWORD_LOGIN = env.bool("VIGIL_PASSWORD_LOGIN", default=True)
# Second factor (TOTP, django-otp) for local accounts: roles that must use one ("admin" =
# superusers). Users signed in through single sign-on rely on the provider's own MFA.
VIGIL_SECOND_FACTOR_ROLES = env.list("VIGIL_SECOND_FACTOR_ROLES", default=["manager", "admin"])
VIGIL_RECOVERY_CODES = env.int("VIGIL_RECOVERY_CODES", default=10)
OTP_TOTP_ISSUER = env.str("VIGIL_TOTP_ISSUER", default="Vigil")
# Login throttling and lockout (django-axes): per account and, separately, per address.
AXES_FAILURE_LIMIT = env.int("VIGIL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("VIGIL_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = "accounts.lockout.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Lockouts are seen and released at /accounts/lockouts/ (which writes the release to the
# sign-in log), not by deleting django-axes rows in the admin.
AXES_ENABLE_ADMIN = False
# Behind the TLS proxy the client address is the first of X-Forwarded-For (set the count
# of proxies in front of Vigil; 0 = use REMOTE_ADDR).
AXES_IPWARE_PROXY_COUNT = env.int("VIGIL_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
# Single sign-on with OpenID Connect (mozilla-django-oidc); on when VIGIL_OIDC_ISSUER is set
# with the client id and secret. Endpoints come from the issuer's discovery document unless given.
VIGIL_OIDC_ISSUER = env.str("VIGIL_OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("VIGIL_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("VIGIL_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("VIGIL_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("VIGIL_OIDC_SCOPES", default="openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("VIGIL_OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("VIGIL_OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("VIGIL_OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("VIGIL_OIDC_JWKS_ENDPOINT", default="")
OIDC_VERIFY_SSL = env.bool("VIGIL_OIDC_VERIFY_SSL", default=True)
OIDC_TIMEOUT = env.float("VIGIL_OIDC_TIMEOUT", default=10.0)
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/sso/refused/"  # a path: the library does not resolve names
# The claim holding the user's groups, and the group (in that claim) for each role.
VIGIL_OIDC_GROUPS_CLAIM = env.str("VIGIL_OIDC_GROUPS_CLAIM", default="groups")
VIGIL_OIDC_ROLE_GROUPS = {
    "l1": env.list("VIGIL_OIDC_GROUP_L1", default=["vigil-l1"]),
    "t2": env.list("VIGIL_OIDC_GROUP_T2", default=["vigil-t2"]),
    "manager": env.list("VIGIL_OIDC_GROUP_MANAGER", default=["vigil-manager"]),
    "admin": env.list("VIGIL_OIDC_GROUP_ADMIN", default=["vigil-admin"]),
}
AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out accounts and addresses before any password is checked.
    "accounts.backends.LockoutBackend",
    "accounts.backends.PasswordBackend",
    "accounts.oidc.VigilOIDCBackend",
]
# Personal API tokens expire (days; 0 = never) unless created with another expiry.
VIGIL_API_TOKEN_DAYS = env.int("VIGIL_API_TOKEN_DAYS", default=90)

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://vigil"),
}

# --- Django REST framework ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cases.authentication.UserTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["soc.permissions.IsUserNotIngestToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # soc.parsers.JSONParser enforces VIGIL_MAX_BODY_BYTES (413); DRF's own does not.
    "DEFAULT_PARSER_CLASSES": ["soc.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "soc.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "soc.api.exception_handler",
    # OPTIONS without DRF's field introspection, which answered 500 on some views.
    "DEFAULT_METADATA_CLASS": "soc.metadata.VigilMetadata",
    "DEFAULT_THROTTLE_RATES": {
        "ingest": env.str("VIGIL_INGEST_RATE", default="6000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vigil API",
    "DESCRIPTION": (
        "Alert ingestion for SIEMs (ingest tokens) and case, playbook and containment "
        "APIs for analysts (session or personal tokens)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and Swagger UI are for signed-in users (drf-spectacular serves them to anyone
    # by default); anonymous schema requests get the usual 401 JSON.
    "SERVE_PERMISSIONS": ["soc.permissions.IsUserNotIngestToken"],
    # Several models have a `status`; name each enum after its model instead of a hash.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Case.Status",
        "ContainmentActionStatusEnum": "containment.models.ContainmentAction.Status",
        "PlaybookVersionStatusEnum": "playbooks.models.PlaybookVersion.Status",
        "ActionKeyEnum": "playbooks.registry.ActionKey",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # OpenAPI 3.1: a nullable reference is `oneOf: [$ref, {type: null}]`, which validators and
    # generated clients read as "may be null" (3.0's `allOf` + `nullable` is read either way).
    "OAS_VERSION": "3.1.0",
}

# --- Celery ---
# The host part is only there to spare kombu's "No hostname was supplied" warning.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
_BROKER_DIR = Path(env.str("VIGIL_BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_BROKER_DIR),
        "data_folder_out": str(_BROKER_DIR),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # kombu keeps fanout bindings here; its default is relative to the working directory.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
# Publishing (web requests, beat, tasks that send tasks) makes one connection attempt and
# gives up: kombu reads max_retries for producers from the transport options, so a broker
# that is down costs a publish no retry sleeps (soc/tasks.py then opens its circuit).
CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] = 0
if CELERY_BROKER_URL.startswith("filesystem"):
    # kombu does not create its folders; a missing one would make every send fail.
    (_BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu's Redis transport, reusing its command client (soc/internals.py).
    CELERY_BROKER_TRANSPORT = "soc.internals:RedisTransport"
# A broker outage: each connection attempt (a publish, or one reconnect of a worker) waits
# at most this long; after a failed publish, soc.tasks skips publishing for
# VIGIL_BROKER_CIRCUIT_SECONDS (the work waits in the database for the beat sweepers).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("VIGIL_BROKER_PUBLISH_TIMEOUT", default=1.0)
VIGIL_BROKER_CIRCUIT_SECONDS = env.float("VIGIL_BROKER_CIRCUIT_SECONDS", default=15.0)
# Workers reconnect forever, at startup too, and resume by themselves when the broker is back.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Each worker records that it is alive (soc.heartbeat) this often; /healthz answers 503
# when no worker has reported for a queue within VIGIL_WORKER_STALE_SECONDS.
VIGIL_WORKER_HEARTBEAT_SECONDS = env.float("VIGIL_WORKER_HEARTBEAT_SECONDS", default=10.0)
VIGIL_WORKER_STALE_SECONDS = env.float("VIGIL_WORKER_STALE_SECONDS", default=60.0)
# A reference-data change refreshes every open case: in tasks of this many cases, sent this
# long after the change so that a burst of changes shares one fan-out (enrichment.tasks).
VIGIL_REFRESH_BATCH_SIZE = env.int("VIGIL_REFRESH_BATCH_SIZE", default=200)
VIGIL_REFRESH_COALESCE_SECONDS = env.float("VIGIL_REFRESH_COALESCE_SECONDS", default=2.0)
# The beat sweepers (outbox: work a broker outage kept from being sent) run this often, for
# work older than VIGIL_SWEEP_GRACE_SECONDS (younger work may still have its own dispatch).
VIGIL_SWEEP_GRACE_SECONDS = env.float("VIGIL_SWEEP_GRACE_SECONDS", default=60.0)
VIGIL_SWEEP_INTERVAL_SECONDS = env.float("VIGIL_SWEEP_INTERVAL_SECONDS", default=60.0)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_ALWAYS_EAGER = False
# Containment tasks go to CONTAINMENT_QUEUE ("containment"), which has its own worker
# (Procfile, docker-compose.yml); everything else to the default queue ("celery").
CELERY_TASK_ROUTES = ("soc.celery.route_task",)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Re-dispatch enrichment for alerts whose task never reached the broker (outage).
    "sweep-undispatched-work": {
        "task": "cases.tasks.sweep_undispatched",
        "schedule": timedelta(seconds=VIGIL_SWEEP_INTERVAL_SECONDS),
    },
    # Re-send the open cases' refresh after a reference change the broker missed.
    "sweep-reference-refresh": {
        "task": "enrichment.tasks.sweep_reference_refresh",
        "schedule": timedelta(seconds=VIGIL_SWEEP_INTERVAL_SECONDS),
    },
    # Re-queue containment actions stuck in "queued" and revert expired blocks.
    "containment-housekeeping": {
        "task": "containment.tasks.housekeeping",
        "schedule": timedelta(seconds=VIGIL_SWEEP_INTERVAL_SECONDS),
    },
    # Timeline events become notifications; deliveries the broker missed are sent again.
    "notifications-derive": {
        "task": "notifications.tasks.derive",
        "schedule": timedelta(seconds=env.int("VIGIL_NOTIFY_INTERVAL_SECONDS", default=10)),
    },
    # Recompute the SLA clocks of recently changed cases; record due warnings and breaches.
    "sla-tick": {
        "task": "sla.tasks.sla_tick",
        "schedule": timedelta(minutes=1),
    },
}

# --- Vigil domain settings ---
VIGIL_CORRELATION_WINDOW = timedelta(hours=env.float("VIGIL_CORRELATION_WINDOW_HOURS", default=24))
VIGIL_MAX_BATCH = env.int("VIGIL_MAX_BATCH", default=1000)
VIGIL_SLA_MINUTES = {
    # Time to acknowledge (claim) a case, by severity.
    4: env.int("VIGIL_SLA_CRITICAL_MINUTES", default=15),
    3: env.int("VIGIL_SLA_HIGH_MINUTES", default=60),
    2: env.int("VIGIL_SLA_MEDIUM_MINUTES", default=240),
    1: env.int("VIGIL_SLA_LOW_MINUTES", default=1440),
}
VIGIL_ORG_DOMAINS = env.list("VIGIL_ORG_DOMAINS", default=["example.com"])

# --- SLA policies (sla app) ---
# Defaults of the database policies (created on first read), per severity as
# "critical,high,medium,low" minutes; the acknowledge targets are VIGIL_SLA_MINUTES above.
VIGIL_SLA_T2_PICKUP_MINUTES = env.list("VIGIL_SLA_T2_PICKUP_MINUTES", cast=int, default=[30, 120, 480, 2880])
VIGIL_SLA_CONTAINMENT_MINUTES = env.list(
    "VIGIL_SLA_CONTAINMENT_MINUTES", cast=int, default=[60, 240, 1440, 4320]
)
VIGIL_SLA_RESOLUTION_MINUTES = env.list(
    "VIGIL_SLA_RESOLUTION_MINUTES", cast=int, default=[240, 1440, 4320, 10080]
)
# Policies measured in working hours use this calendar.
VIGIL_SLA_WORKING_HOURS = env.str("VIGIL_SLA_WORKING_HOURS", default="07:00-19:00")
VIGIL_SLA_WORKING_DAYS = env.list("VIGIL_SLA_WORKING_DAYS", default=["mon", "tue", "wed", "thu", "fri"])
VIGIL_SLA_WORKING_TIME_ZONE = env.str("VIGIL_SLA_WORKING_TIME_ZONE", default="UTC")
# An imminent breach is recorded at this share of the target.
VIGIL_SLA_WARNING_RATIO = env.float("VIGIL_SLA_WARNING_RATIO", default=0.8)

# --- Insights: metrics, reports, Prometheus (insights app) ---
# A Unicode TrueType font for PDF reports (its "-Bold" sibling is used for headings when
# present); without one, the PDF core fonts replace non-Latin-1 characters by "?".
VIGIL_REPORT_FONT = env.str("VIGIL_REPORT_FONT", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Networks that may read /metrics without a token (a manager's personal token also works).
VIGIL_METRICS_ALLOWED_NETWORKS = env.list(
    "VIGIL_METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"]
)

# --- Reference data (intel/), enrichment and the L1 assistant (enrichment/) ---
# How often a process re-reads the reference-data version stamp to rebuild its in-memory
# IP index after another process changed known networks or partners.
VIGIL_INTEL_INDEX_TTL_SECONDS = env.float("VIGIL_INTEL_INDEX_TTL_SECONDS", default=5.0)
# The L1 assistant applies the SOC's decision rules (shared/playbooks/T1591.002-decision-rules.md);
# every number of those rules is one of these settings. Evidence is computed over the case's
# own alerts, each judged at its observed_at.
# Q2 burst: at least this many alerts from one source IP within this window.
VIGIL_PROBING_MIN_ALERTS = env.int("VIGIL_PROBING_MIN_ALERTS", default=5)
VIGIL_PROBING_WINDOW = timedelta(minutes=env.float("VIGIL_PROBING_WINDOW_MINUTES", default=10))
# Q2 login patterns within this window: brute force = this many failures on one account;
# credential stuffing / password spraying = failures on this many accounts from one source.
VIGIL_LOGIN_WINDOW = timedelta(minutes=env.float("VIGIL_LOGIN_WINDOW_MINUTES", default=60))
VIGIL_BRUTE_FORCE_MIN_FAILURES = env.int("VIGIL_BRUTE_FORCE_MIN_FAILURES", default=10)
VIGIL_STUFFING_MIN_ACCOUNTS = env.int("VIGIL_STUFFING_MIN_ACCOUNTS", default=10)
# Q3 lookalikes: edit distance 1..MAX of the label before the TLD; labels shorter than
# MIN_LABEL are compared only by homoglyph folding and TLD swap (too short to tell).
VIGIL_LOOKALIKE_MAX_DISTANCE = env.int("VIGIL_LOOKALIKE_MAX_DISTANCE", default=2)
VIGIL_LOOKALIKE_MIN_LABEL = env.int("VIGIL_LOOKALIKE_MIN_LABEL", default=4)
# Q3 mass mail: one sender reaching at least this many recipients in one alert.
VIGIL_MASS_MAIL_MIN_RECIPIENTS = env.int("VIGIL_MASS_MAIL_MIN_RECIPIENTS", default=20)
# E1: a bulk transfer or export of at least this many records or megabytes.
VIGIL_EXFIL_MIN_RECORDS = env.int("VIGIL_EXFIL_MIN_RECORDS", default=1000)
VIGIL_EXFIL_MIN_MEGABYTES = env.float("VIGIL_EXFIL_MIN_MEGABYTES", default=100)
# E3 off-hours: the working day in UTC, [start, end) hours.
VIGIL_WORKDAY_START_HOUR = env.int("VIGIL_WORKDAY_START_HOUR", default=7)
VIGIL_WORKDAY_END_HOUR = env.int("VIGIL_WORKDAY_END_HOUR", default=19)
# E4: partners of these criticalities are handled by Tier 2.
VIGIL_TIER2_PARTNER_CRITICALITIES = env.list(
    "VIGIL_TIER2_PARTNER_CRITICALITIES", default=["high", "critical"]
)
# Tests that need a real service (broker, worker, slapd, browser) fail instead of
# skipping when this is set; CI sets it.
VIGIL_REQUIRE_SERVICES = env.bool("VIGIL_REQUIRE_SERVICES", default=False)

# --- Containment (containment app, DESIGN 6) ---
# Connector per action kind: edl | ldap | webhook | manual (or "module:Class" for a custom one).
CONTAINMENT_CONNECTORS = {
    "block_ip": env.str("CONTAINMENT_CONNECTOR_BLOCK_IP", default="edl"),
    "disable_account": env.str("CONTAINMENT_CONNECTOR_DISABLE_ACCOUNT", default="ldap"),
    "manual": "manual",
}
# Firewalls poll /feeds/ip-blocklist.txt with HTTP basic auth; an empty password disables the feed.
CONTAINMENT_FEED_USERNAME = env.str("CONTAINMENT_FEED_USERNAME", default="firewall")
CONTAINMENT_FEED_PASSWORD = env.str("CONTAINMENT_FEED_PASSWORD", default="")
CONTAINMENT_LDAP = {
    "URL": env.str("CONTAINMENT_LDAP_URL", default=""),  # ldap://dc1.corp:389 or ldaps://...
    "BIND_DN": env.str("CONTAINMENT_LDAP_BIND_DN", default=""),
    "PASSWORD": env.str("CONTAINMENT_LDAP_PASSWORD", default=""),
    "BASE_DN": env.str("CONTAINMENT_LDAP_BASE_DN", default=""),
    # {account} is replaced by the escaped account name; empty means the mode's default.
    "USER_FILTER": env.str("CONTAINMENT_LDAP_USER_FILTER", default=""),
    "MODE": env.str("CONTAINMENT_LDAP_MODE", default="ad"),  # ad | openldap
    "START_TLS": env.bool("CONTAINMENT_LDAP_START_TLS", default=False),
    "CA_CERT_FILE": env.str("CONTAINMENT_LDAP_CA_CERT_FILE", default=""),
    "TIMEOUT": env.int("CONTAINMENT_LDAP_TIMEOUT", default=10),
}
CONTAINMENT_WEBHOOK_URL = env.str("CONTAINMENT_WEBHOOK_URL", default="")
CONTAINMENT_WEBHOOK_SECRET = env.str("CONTAINMENT_WEBHOOK_SECRET", default="")
CONTAINMENT_WEBHOOK_TIMEOUT = env.float("CONTAINMENT_WEBHOOK_TIMEOUT", default=10.0)
# Guardrail: blocks wider than these prefixes are refused (a manager may override).
CONTAINMENT_MAX_PREFIX_V4 = env.int("CONTAINMENT_MAX_PREFIX_V4", default=16)
CONTAINMENT_MAX_PREFIX_V6 = env.int("CONTAINMENT_MAX_PREFIX_V6", default=32)
# Sensitive (needs approval): blocks wider than these, longer than this, account disables.
CONTAINMENT_APPROVAL_PREFIX_V4 = env.int("CONTAINMENT_APPROVAL_PREFIX_V4", default=24)
CONTAINMENT_APPROVAL_PREFIX_V6 = env.int("CONTAINMENT_APPROVAL_PREFIX_V6", default=64)
CONTAINMENT_APPROVAL_DURATION = timedelta(hours=env.float("CONTAINMENT_APPROVAL_DURATION_HOURS", default=168))
CONTAINMENT_APPROVE_DISABLE_ACCOUNT = env.bool("CONTAINMENT_APPROVE_DISABLE_ACCOUNT", default=True)
CONTAINMENT_DEFAULT_BLOCK_DURATION = timedelta(hours=env.float("CONTAINMENT_DEFAULT_BLOCK_HOURS", default=24))
# A second T2 (not the requester) may approve, besides SOC managers.
CONTAINMENT_SECOND_T2_APPROVAL = env.bool("CONTAINMENT_SECOND_T2_APPROVAL", default=False)
# Accounts never disabled without a manager's override (fnmatch patterns, case-insensitive).
CONTAINMENT_PROTECTED_ACCOUNTS = env.list(
    "CONTAINMENT_PROTECTED_ACCOUNTS",
    default=["administrator", "admin", "root", "krbtgt", "breakglass*", "break-glass*", "svc-*", "svc_*"],
)
# Execution: attempts per action, exponential backoff with full jitter between them.
CONTAINMENT_MAX_ATTEMPTS = env.int("CONTAINMENT_MAX_ATTEMPTS", default=5)
CONTAINMENT_RETRY_BASE_SECONDS = env.float("CONTAINMENT_RETRY_BASE_SECONDS", default=2.0)
CONTAINMENT_RETRY_MAX_SECONDS = env.float("CONTAINMENT_RETRY_MAX_SECONDS", default=300.0)
# Housekeeping re-dispatches actions queued this long without a worker picking them up,
# and takes back running actions whose worker lease expired (worker killed).
CONTAINMENT_REQUEUE_AFTER_SECONDS = env.float("CONTAINMENT_REQUEUE_AFTER_SECONDS", default=60.0)
CONTAINMENT_LEASE_SECONDS = env.float("CONTAINMENT_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30)
# Containment tasks' own queue, with its own worker (empty: Celery's default queue).
CONTAINMENT_QUEUE = env.str("CONTAINMENT_QUEUE", default="containment")

# Every handler masks query-string credentials (`?token=vgi_...`), runserver's request log
# (`django.server`, redefined here with the filter) included; see soc/log_redaction.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "soc.log_redaction.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # django-axes logs every sign-in at INFO; the sign-in log (accounts) keeps them.
        "axes": {"level": "WARNING"},
    },
}

# --- Intake: routing and correlation (cases/services/intake/) ---
# How often a process re-reads the published playbooks' coverage (playbooks/routing.py).
VIGIL_PLAYBOOK_COVERAGE_TTL_SECONDS = env.float("VIGIL_PLAYBOOK_COVERAGE_TTL_SECONDS", default=5.0)
# Hostnames with one of these suffixes (or no dot, or under VIGIL_ORG_DOMAINS) are internal,
# and an internal hostname is a correlation key.
VIGIL_INTERNAL_HOSTNAME_SUFFIXES = env.list(
    "VIGIL_INTERNAL_HOSTNAME_SUFFIXES", default=["local", "lan", "corp", "internal", "intranet", "home.arpa"]
)
# Beat folds the per-request ingest tallies into the sources' alert_count and last_seen_at
# this often (cases.services.ingest_counts; a reader of the count sees it this far behind).
VIGIL_INGEST_TALLY_FOLD_SECONDS = env.float("VIGIL_INGEST_TALLY_FOLD_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE["fold-ingest-tallies"] = {
    "task": "cases.tasks.fold_ingest_tallies",
    "schedule": timedelta(seconds=VIGIL_INGEST_TALLY_FOLD_SECONDS),
}
# --- Evidence files (cases.models.evidence) ---
# Files senders attach to alerts (TheHive attachments). Stored here, never served as
# static media: downloads go through cases.views.evidence (as attachments, nosniff).
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
VIGIL_ATTACHMENT_MAX_BYTES = env.int("VIGIL_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
VIGIL_ATTACHMENTS_PER_REQUEST = env.int("VIGIL_ATTACHMENTS_PER_REQUEST", default=20)

# --- TheHive compatibility (cases.api.thehive) ---
# A repeated sourceRef: TheHive answers 400 {"type": "CreateError"}; set 0 to get Vigil's
# 200 with the stored alert instead.
VIGIL_THEHIVE_DUPLICATE_IS_ERROR = env.bool("VIGIL_THEHIVE_DUPLICATE_IS_ERROR", default=True)
# --- Notifications (notifications/): in-app, e-mail and the SOC webhook ---
# E-mail goes through Django's mail settings; without EMAIL_HOST (embedded mode) it is
# printed on the console.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="vigil@localhost")
VIGIL_BASE_URL = env.str("VIGIL_BASE_URL", default="http://127.0.0.1:8000")
VIGIL_NOTIFY_WEBHOOK_URL = env.str("VIGIL_NOTIFY_WEBHOOK_URL", default="")
VIGIL_NOTIFY_WEBHOOK_SECRET = env.str("VIGIL_NOTIFY_WEBHOOK_SECRET", default="")
VIGIL_NOTIFY_WEBHOOK_TIMEOUT = env.float("VIGIL_NOTIFY_WEBHOOK_TIMEOUT", default=10.0)
VIGIL_NOTIFY_MAX_ATTEMPTS = env.int("VIGIL_NOTIFY_MAX_ATTEMPTS", default=5)
VIGIL_NOTIFY_RETRY_SECONDS = env.int("VIGIL_NOTIFY_RETRY_SECONDS", default=30)
VIGIL_NOTIFY_LEASE_SECONDS = env.int("VIGIL_NOTIFY_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30)
VIGIL_NOTIFY_SETTLE_SECONDS = env.int("VIGIL_NOTIFY_SETTLE_SECONDS", default=60)
# 24-hour times with the time zone everywhere, the admin included (cases/formats/).
FORMAT_MODULE_PATH = ["cases.formats"]
# Times in each user's own time zone (their profile), after authentication.
MIDDLEWARE = [*MIDDLEWARE, "notifications.timezones.UserTimeZoneMiddleware"]
