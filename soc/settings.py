"""Vigil settings: one module, every value from the environment with a safe local default.

The embedded defaults (SQLite under var/, kombu's filesystem broker under var/) let a
fresh clone run without any service; production sets DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY and DEBUG=0. Every variable read here is listed in README.md.
"""

from datetime import timedelta
from pathlib import Path

import environ
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
    "cases",
    "intel",
    "containment",
    # The manager's view: SLA policies and clocks, metrics, reports, exports.
    "sla",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "soc.middleware.LoginRequiredMiddleware",
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
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and container healthchecks probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
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
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
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
if CELERY_BROKER_URL.startswith("filesystem"):
    # kombu does not create its folders; a missing one would make every send fail.
    (_BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu's Redis transport, reusing its command client (soc/broker.py).
    CELERY_BROKER_TRANSPORT = "soc.broker:RedisTransport"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_MAX_RETRIES = 1
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
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Re-dispatch enrichment for alerts whose task never reached the broker (outage).
    "sweep-undispatched-work": {
        "task": "cases.tasks.sweep_undispatched",
        "schedule": timedelta(minutes=1),
    },
    # Re-send the open cases' refresh after a reference change the broker missed.
    "sweep-reference-refresh": {
        "task": "intel.tasks.sweep_reference_refresh",
        "schedule": timedelta(minutes=1),
    },
    # Re-queue containment actions stuck in "queued" and revert expired blocks.
    "containment-housekeeping": {
        "task": "containment.tasks.housekeeping",
        "schedule": timedelta(minutes=1),
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

# --- Intel: enrichment and the L1 assistant (intel/) ---
# How often a process re-reads the reference-data version stamp to rebuild its in-memory
# IP index after another process changed known networks or partners.
VIGIL_INTEL_INDEX_TTL_SECONDS = env.float("VIGIL_INTEL_INDEX_TTL_SECONDS", default=5.0)
# related_activity: other alerts/cases sharing an observable within this window of the alert,
# and how many alerts from one external source in the window count as a probing burst.
VIGIL_RELATED_ACTIVITY_WINDOW = timedelta(hours=env.float("VIGIL_RELATED_ACTIVITY_WINDOW_HOURS", default=72))
VIGIL_PROBING_MIN_ALERTS = env.int("VIGIL_PROBING_MIN_ALERTS", default=5)
# A burst is that many alerts (or events an alert summarises) within this window.
VIGIL_PROBING_WINDOW = timedelta(minutes=env.float("VIGIL_PROBING_WINDOW_MINUTES", default=60))
# login_pattern: failed-login alerts within this window; brute force = this many failures
# for one account; credential stuffing / password spraying = one source, this many accounts.
VIGIL_LOGIN_WINDOW = timedelta(minutes=env.float("VIGIL_LOGIN_WINDOW_MINUTES", default=60))
VIGIL_BRUTE_FORCE_MIN_FAILURES = env.int("VIGIL_BRUTE_FORCE_MIN_FAILURES", default=5)
VIGIL_STUFFING_MIN_ACCOUNTS = env.int("VIGIL_STUFFING_MIN_ACCOUNTS", default=4)
# lookalike_domain: the largest edit distance (on the registrable label) still flagged.
VIGIL_LOOKALIKE_MAX_DISTANCE = env.int("VIGIL_LOOKALIKE_MAX_DISTANCE", default=2)
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
# Route containment tasks to a dedicated queue (empty: Celery's default queue).
CONTAINMENT_QUEUE = env.str("CONTAINMENT_QUEUE", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
