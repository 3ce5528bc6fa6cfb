"""Vigil's own settings: correlation and intake, SLA, insights, reference data and the L1
assistant, evidence files, TheHive compatibility and notifications."""

from datetime import timedelta

from .base import VAR_DIR, env
from .workers import CELERY_TASK_TIME_LIMIT

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

# --- Intake: routing and correlation (cases/services/intake/) ---
# How often a process re-reads the published playbooks' coverage (playbooks/routing.py).
VIGIL_PLAYBOOK_COVERAGE_TTL_SECONDS = env.float("VIGIL_PLAYBOOK_COVERAGE_TTL_SECONDS", default=5.0)
# Hostnames with one of these suffixes (or no dot, or under VIGIL_ORG_DOMAINS) are internal,
# and an internal hostname is a correlation key.
VIGIL_INTERNAL_HOSTNAME_SUFFIXES = env.list(
    "VIGIL_INTERNAL_HOSTNAME_SUFFIXES", default=["local", "lan", "corp", "internal", "intranet", "home.arpa"]
)
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
