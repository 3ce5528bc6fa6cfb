"""The core of Vigil's settings: the environment, the apps and middleware, the database,
static files, the cache, logging and formats. The other modules of this package read
`env`, `BASE_DIR`, `VAR_DIR` and `DEBUG` from here."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
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
    # Near the end: it turns the lockout flag set during authentication into the 429 page.
    "axes.middleware.AxesMiddleware",
    # Times in each user's own time zone (their profile), after authentication.
    "notifications.timezones.UserTimeZoneMiddleware",
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
    # The covering indexes' INCLUDE columns serve PostgreSQL's index-only scans; SQLite
    # keeps the key columns, which is all it needs: its warning about them says nothing.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # WAL lets the Celery worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# The metrics page runs its independent queries on this many PostgreSQL connections at
# once (insights/metrics/streams.py: a long range keeps one core busy per connection).
# 1: one connection, in order. Never more than the database's cores are worth.
VIGIL_METRICS_CONNECTIONS = env.int("VIGIL_METRICS_CONNECTIONS", default=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://vigil"),
}

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
# 24-hour times with the time zone everywhere, the admin included (cases/formats/).
FORMAT_MODULE_PATH = ["cases.formats"]
