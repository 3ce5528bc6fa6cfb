"""Splunk webhook alert action bodies.

    {"sid": "...", "search_name": "...", "app": "...", "owner": "...",
     "results_link": "...", "result": {"_time": "...", "src_ip": "...", ...}}

`result` is the first result row, every value a string; a multivalue field arrives as a
list (or newline-separated), and wherever one value is expected the first is taken.
`search_name` may be null. Splunk's webhook cannot set headers, so this endpoint also
takes the token as `?token=`.

- source_ref: sid, plus a digest of the result row (a per-result alert action posts one
  body per row under the same sid; a retried body gives the same digest)
- title: search_name, else result.rule_name / signature / search_name, else "Splunk alert"
- description: result.description / rule_description, else the event's `_raw` (what a
  plain search's alert carries)
- severity: result.severity or result.urgency (informational counts as low)
- techniques: result.mitre_technique_id / mitre_attack_id / technique_id /
  annotations.mitre_attack (also nested, and .mitre_technique_id under it; comma, space or
  newline separated)
- observed_at: result._time (epoch seconds or ISO 8601), else first_seen / firstTime;
  unreadable: flagged observed_at_unparsed, receive time used
- observables: CIM fields src/src_ip, dest/dest_ip, user/src_user/dest_user, dest_host,
  url, domain/query, sender/recipient, file_hash, and the default `host` field (the host
  the event came from)
- tags: "splunk:<app>", "sourcetype:<sourcetype>", "source:<source>"
"""

import hashlib
import json
import re

from .common import (
    Adapter,
    ObservableList,
    R,
    Reading,
    T,
    as_list,
    event_time,
    first,
    flatten,
    read_severity,
    read_str,
    read_techniques,
    single,
)

SEPARATORS = re.compile(r"[\s,;|]+")
URGENCY = {"informational": "low", "info": "low", "unknown": None}

OBSERVABLE_FIELDS = [
    ("src_ip", T.IP, R.SOURCE),
    ("src", T.IP, R.SOURCE),
    ("src", T.HOSTNAME, R.SOURCE),
    ("source_ip", T.IP, R.SOURCE),
    ("client_ip", T.IP, R.SOURCE),
    ("dest_ip", T.IP, R.DESTINATION),
    ("dest", T.IP, R.DESTINATION),
    ("dest", T.HOSTNAME, R.DESTINATION),
    ("user", T.USER, R.USER),
    ("src_user", T.USER, R.USER),
    ("dest_user", T.USER, R.USER),
    ("dest_host", T.HOSTNAME, R.DESTINATION),
    ("dest_nt_host", T.HOSTNAME, R.DESTINATION),
    ("src_host", T.HOSTNAME, R.SOURCE),
    ("url", T.URL, R.DECLARED),
    ("domain", T.DOMAIN, R.DECLARED),
    ("query", T.DOMAIN, R.DECLARED),
    ("sender", T.EMAIL, R.SENDER),
    ("src_user_email", T.EMAIL, R.SENDER),
    ("recipient", T.EMAIL, R.DESTINATION),
    ("file_hash", T.HASH, R.DECLARED),
    # Splunk's default field: the host the event was read on (a name or an address).
    ("host", T.IP, R.DESTINATION),
    ("host", T.HOSTNAME, R.DESTINATION),
]
# Where the result row may carry each native field, the first that has a value winning.
TITLE_FIELDS = ("rule_name", "signature", "search_name")
DESCRIPTION_FIELDS = ("description", "rule_description", "_raw")
SEVERITY_FIELDS = ("severity", "urgency")
TIME_FIELDS = ("_time", "first_seen", "firstTime")
TECHNIQUE_FIELDS = (
    "mitre_technique_id",
    "mitre_attack_id",
    "technique_id",
    "annotations.mitre_attack",
    "annotations.mitre_attack.mitre_technique_id",
)
MAX_TAG = 100


def multivalue(value) -> list:
    """Splunk multivalue fields arrive as lists or newline-separated strings."""
    values = []
    for item in as_list(value):
        if isinstance(item, str):
            values.extend(v for v in item.splitlines() if v.strip())
        else:
            values.append(item)
    return values


def first_field(row: dict, names: tuple[str, ...], read=single):
    """The first value among the row's `names` fields, each read with `read` (a multivalue
    field's first value, by default)."""
    return first(*(read(row.get(name)) for name in names))


def row_digest(result) -> str:
    try:
        canonical = json.dumps(result, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        canonical = repr(result)
    return hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()[:16]


class SplunkAdapter(Adapter):
    name = "splunk"
    field_names = {"source_ref": "sid", "title": "search_name"}

    def read(self, alert: Reading, item: dict) -> None:
        sid = read_str(alert, "sid", item.get("sid"), required=True, allow_numbers=True)
        result = item.get("result")
        if result is None:
            result = {}
        elif not isinstance(result, dict):
            alert.add("result", "Must be an object (the first result row).")
            result = {}
        # Annotations may arrive nested ({"annotations": {"mitre_attack": [...]}}).
        fields = flatten(result)
        alert.title = read_str(
            alert, "search_name", first(single(item.get("search_name")), first_field(result, TITLE_FIELDS))
        ) or ("Splunk alert" + (f" ({item['app']})" if isinstance(item.get("app"), str) else ""))
        alert.description = read_str(
            alert, "result.description", first_field(result, DESCRIPTION_FIELDS, joined)
        )
        severity_value = first_field(result, SEVERITY_FIELDS)
        if isinstance(severity_value, str):
            severity_value = URGENCY.get(severity_value.strip().lower(), severity_value)
        alert.severity = read_severity(alert, "result.severity", severity_value)
        technique_values = []
        for name in TECHNIQUE_FIELDS:
            for value in multivalue(fields.get(name)):
                technique_values.extend(
                    SEPARATORS.split(value.strip()) if isinstance(value, str) else [value]
                )
        alert.technique_ids = read_techniques(
            alert, "result.mitre_technique_id", [t for t in technique_values if t != ""]
        )
        alert.observed_at = event_time(alert, "result._time", first_field(result, TIME_FIELDS))
        alert.observables = ObservableList.of_fields(result, OBSERVABLE_FIELDS, multivalue).items
        alert.source_ref = f"{sid}#{row_digest(result)}" if sid else ""
        alert.tags = tags_of(item, result)


def joined(value):
    """A text field that may be multivalue: its values one per line."""
    if isinstance(value, list):
        return "\n".join(v for v in value if isinstance(v, str)) or None
    return value


def tags_of(item: dict, result: dict) -> list[str]:
    tags = []
    for prefix, value in (
        ("splunk", item.get("app")),
        ("sourcetype", result.get("sourcetype")),
        ("source", result.get("source")),
    ):
        value = single(value)
        if isinstance(value, str) and value.strip():
            tags.append(f"{prefix}:{value.strip()}"[:MAX_TAG])
    return tags
