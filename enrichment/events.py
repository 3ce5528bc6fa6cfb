"""Reading what an alert says about its events, whatever the SIEM: how many events it
summarises and whether it reports failed logins. Raw payloads are attacker-influenced
and vendor-shaped, so every read is defensive."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Where vendors put "how many events this alert stands for".
COUNT_PATHS = (
    "kibana.alert.suppression.docs_count",  # Elastic suppression (the burst size)
    "kibana.alert.threshold_result.count",  # Elastic threshold rules
    "result.count",  # Splunk webhook (first result row, a string)
    "count",  # OCSF, native alerts
    "event.count",
    "rule.frequency",  # Wazuh frequency rules: at least this many matching events
)
COUNT_TEXT = re.compile(r"\b(\d{2,7})\s+(?:requests|attempts|events|failures|failed|hits|queries)\b", re.I)

FAILED_LOGIN_TAGS = {
    "failed-login",
    "failed_login",
    "login-failure",
    "login_failure",
    "authentication-failure",
    "authentication_failure",
    "authentication_failed",
    "auth-failure",
    "auth_failure",
    "brute-force",
    "brute_force",
    "credential-stuffing",
    "credential_stuffing",
    "password-spraying",
    "password_spraying",
}
WAZUH_FAILED_GROUPS = {"authentication_failed", "authentication_failures", "win_authentication_failed"}
FAILED_LOGIN_TEXT = re.compile(
    r"\b(failed|failure|unsuccessful|invalid|bad|wrong)\b[\w\s/-]{0,20}?\b(log\s?-?in|logon|sign-?in|auth\w*|password|credential)s?\b"
    # The account between the words may carry dots or an @ ("authentication of j.doe FAILURE").
    r"|\b(log\s?-?in|logon|sign-?in|authentication)s?\b[\w\s./@-]{0,30}?\b(fail\w*|denied|rejected)\b"
    r"|brute[\s-]?forc\w*|credential[\s-]stuffing|password[\s-]spray\w*",
    re.IGNORECASE,
)


def get_path(raw, path: str):
    """A value by dotted path, also through flat dotted keys (Elastic's `kibana.alert.*`)."""
    if not isinstance(raw, dict):
        return None
    if path in raw:
        return raw[path]
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        key = ".".join(parts[:cut])
        if key in raw:
            found = get_path(raw[key], ".".join(parts[cut:]))
            if found is not None:
                return found
    return None


def payloads(raw) -> list[dict]:
    """The vendor document, and for native alerts (stored whole) the sender's `raw` object."""
    if not isinstance(raw, dict):
        return []
    inner = raw.get("raw")
    return [raw, inner] if isinstance(inner, dict) else [raw]


def event_count(raw, description: str = "") -> int:
    """How many underlying events the alert summarises (1 when it does not say)."""
    for doc, path in ((doc, path) for doc in payloads(raw) for path in COUNT_PATHS):
        value = get_path(doc, path)
        if isinstance(value, bool):
            continue
        try:
            number = int(float(value))
        except (TypeError, ValueError):
            continue
        if number > 0:
            return min(number, 10_000_000)
    found = COUNT_TEXT.search((description or "")[:2000])
    return int(found.group(1)) if found else 1


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _lower_strings(values: Iterable) -> set[str]:
    return {v.strip().lower() for v in values if isinstance(v, str)}


DENIED_BEFORE = re.compile(r"\b(?:no|not|never|without|zero|0)\s+$", re.IGNORECASE)


def _states_failed_login(text: str) -> bool:
    """Failed-login wording the text does not deny ("No failed sign-ins in the prior 24 h")."""
    return any(
        not DENIED_BEFORE.search(text[max(0, m.start() - 12) : m.start()])
        for m in FAILED_LOGIN_TEXT.finditer(text)
    )


def is_failed_login(title: str = "", description: str = "", tags=None, raw=None) -> bool:
    """Whether an alert reports failed authentication: tags, wording, or the event fields
    vendors use (ECS event.outcome + authentication category, Wazuh groups, OCSF 3002)."""
    if _lower_strings(_as_list(tags)) & FAILED_LOGIN_TAGS:
        return True
    if _states_failed_login(title or "") or _states_failed_login((description or "")[:2000]):
        return True
    return any(_failed_login_fields(doc) for doc in payloads(raw))


def _failed_login_fields(raw: dict) -> bool:
    for prefix in ("event", "kibana.alert.original_event"):
        outcome = get_path(raw, f"{prefix}.outcome")
        if isinstance(outcome, str) and outcome.lower() == "failure":
            categories = _lower_strings(_as_list(get_path(raw, f"{prefix}.category")))
            action = get_path(raw, f"{prefix}.action")
            if "authentication" in categories or (
                isinstance(action, str) and re.search(r"log\s?-?[io]n|sign-?in|auth", action, re.I)
            ):
                return True
    if _lower_strings(_as_list(get_path(raw, "rule.groups"))) & WAZUH_FAILED_GROUPS:
        return True
    class_uid, status_id = raw.get("class_uid"), raw.get("status_id")
    return class_uid == 3002 and status_id == 2
