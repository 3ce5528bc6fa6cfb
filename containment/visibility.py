"""Connector configuration (webhook URLs, directory URLs and bind names) is for SOC
managers: action results and errors shown to anyone else have it taken out."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

REDACTED = "[connector configuration]"
# Result keys that hold configuration rather than what happened to the target.
CONFIGURATION_KEYS = frozenset({"webhook", "url", "server", "bind_dn", "endpoint"})


def sees_connector_configuration(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("cases.assign_any"))


def _configured_values() -> list[str]:
    ldap = settings.CONTAINMENT_LDAP
    urls = [settings.CONTAINMENT_WEBHOOK_URL, ldap.get("URL", "")]
    values = [*urls, ldap.get("BIND_DN", ""), *(part for url in urls for part in _url_parts(url))]
    # Longest first, so a URL is replaced whole before any shorter value inside it.
    return sorted({v for v in values if v}, key=len, reverse=True)


def _url_parts(url: str) -> list[str]:
    """A URL's host and its path with query, which an HTTP library's error spells apart
    ("HTTPConnectionPool(host='h', port=8080): ... with url: /hooks/T0K3N?x=1")."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return [parts.hostname or "", path if len(path) > 1 else ""]


def redact_text(text: str, user) -> str:
    if not text or sees_connector_configuration(user):
        return text
    for value in _configured_values():
        text = text.replace(value, REDACTED)
    return text


def redact_result(result, user):
    if not result or sees_connector_configuration(user):
        return result
    if isinstance(result, dict):
        return {
            key: REDACTED if key in CONFIGURATION_KEYS else redact_result(value, user)
            for key, value in result.items()
        }
    if isinstance(result, list):
        return [redact_result(value, user) for value in result]
    if isinstance(result, str):
        return redact_text(result, user)
    return result
