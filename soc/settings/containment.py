"""Containment (containment app, DESIGN 6): connectors, the blocklist feed, guardrails,
approvals and execution."""

from datetime import timedelta

from .base import env
from .workers import CELERY_TASK_TIME_LIMIT

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
