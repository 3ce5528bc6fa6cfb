"""Vigil's own alert format (DESIGN 5), POST /api/v1/alerts/.

    {"source_ref": "...", "title": "...", "description": "...", "severity": "high" | 1-4,
     "technique": "T1591.002", "techniques": [...], "observed_at": "2026-03-04T13:41:07Z",
     "observables": [{"type": "ip", "value": "203.0.113.7", "role": "source"}],
     "tags": [...], "raw": {...}}

Only source_ref and title are required. observed_at defaults to the arrival time; a time
without an offset is UTC; one that cannot be read is flagged observed_at_unparsed and the
arrival time is used. Unknown fields are ignored; the whole object is kept as raw.
"""

from cases.models import AlertObservable

from .base import OBSERVABLE_TYPES, ROLES
from .common import (
    Adapter,
    Errors,
    Reading,
    event_time,
    read_severity,
    read_str,
    read_str_list,
    read_techniques,
)

# Common spellings senders use for our observable types.
TYPE_ALIASES = {
    "ipv4": "ip",
    "ipv6": "ip",
    "ip_address": "ip",
    "ip-address": "ip",
    "network": "cidr",
    "subnet": "cidr",
    "fqdn": "domain",
    "host": "hostname",
    "username": "user",
    "account": "user",
    "mail": "email",
    "email_address": "email",
    "uri": "url",
    "md5": "hash",
    "sha1": "hash",
    "sha256": "hash",
    "sha512": "hash",
}


def read_declared_observables(errors: Errors, name: str, value) -> list[tuple[str, str, str]]:
    """[{"type", "value", "role"?}] -> (type, value, role); the value is normalised later,
    by NativeAlert, which reports a bad one as `observables[i].value`."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(name, 'Must be a list of {"type": ..., "value": ...} objects.')
        return []
    result = []
    for i, item in enumerate(value):
        field = f"{name}[{i}]"
        if not isinstance(item, dict):
            errors.add(field, 'Must be an object {"type": ..., "value": ...}.')
            continue
        raw_type = item.get("type")
        type_ = TYPE_ALIASES.get(raw_type.lower(), raw_type.lower()) if isinstance(raw_type, str) else None
        if type_ not in OBSERVABLE_TYPES:
            errors.add(f"{field}.type", f"Must be one of {', '.join(OBSERVABLE_TYPES)}.")
            continue
        value_ = item.get("value")
        if not isinstance(value_, str) or not value_.strip():
            errors.add(f"{field}.value", "Must be a non-empty string.")
            continue
        role = item.get("role", AlertObservable.Role.DECLARED)
        if role not in ROLES:
            errors.add(f"{field}.role", f"Must be one of {', '.join(ROLES)}.")
            continue
        result.append((type_, value_, role))
    return result


class NativeAdapter(Adapter):
    name = "native"
    field_names = {"technique_ids": "techniques"}

    def read(self, alert: Reading, item: dict) -> None:
        alert.source_ref = read_str(
            alert, "source_ref", item.get("source_ref"), required=True, allow_numbers=True
        )
        alert.title = read_str(alert, "title", item.get("title"), required=True)
        alert.description = read_str(alert, "description", item.get("description"))
        alert.severity = read_severity(alert, "severity", item.get("severity"))
        techniques = read_techniques(alert, "technique", item.get("technique"))
        many = item.get("techniques")
        if many is not None and not isinstance(many, list):
            alert.add("techniques", "Must be a list of ATT&CK technique ids.")
        else:
            techniques += read_techniques(alert, "techniques", many)
        alert.technique_ids = techniques
        alert.observed_at = event_time(alert, "observed_at", item.get("observed_at"))
        alert.observables = read_declared_observables(alert, "observables", item.get("observables"))
        alert.tags = read_str_list(alert, "tags", item.get("tags"))
        if "raw" in item and not isinstance(item["raw"], dict):
            alert.add("raw", "Must be an object.")
