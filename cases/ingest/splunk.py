"""Splunk webhook alert action bodies.

    {"sid": "...", "search_name": "...", "app": "...", "owner": "...",
     "results_link": "...", "result": {"_time": "...", "src_ip": "...", ...}}

`result` is the first result row, every value a string (multivalue fields as lists or
newline-separated). `search_name` may be null. Splunk's webhook cannot set headers, so
this endpoint also takes the token as `?token=`.

- source_ref: sid, plus a digest of the result row (a per-result alert action posts one
  body per row under the same sid; a retried body gives the same digest)
- title: search_name, else result.rule_name / signature / search_name, else "Splunk alert"
- severity: result.severity or result.urgency (informational counts as low)
- techniques: result.mitre_technique_id / mitre_attack_id / technique_id /
  annotations.mitre_attack (comma, space or newline separated)
- observed_at: result._time (epoch seconds), else first_seen / firstTime
- observables: CIM fields src/src_ip, dest/dest_ip, user/src_user/dest_user, dest_host,
  url, domain/query, sender/recipient, file_hash
"""

import hashlib
import json
import re

from cases.models import AlertObservable, Observable

from .base import NativeAlert
from .common import (
    Adapter,
    Errors,
    ObservableList,
    as_list,
    first,
    parse_time,
    read_severity,
    read_str,
    read_techniques,
)

R = AlertObservable.Role
T = Observable.Type

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
]


def multivalue(value) -> list:
    """Splunk multivalue fields arrive as lists or newline-separated strings."""
    values = []
    for item in as_list(value):
        if isinstance(item, str):
            values.extend(v for v in item.splitlines() if v.strip())
        else:
            values.append(item)
    return values


def row_digest(result) -> str:
    try:
        canonical = json.dumps(result, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        canonical = repr(result)
    return hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()[:16]


class SplunkAdapter(Adapter):
    name = "splunk"
    field_names = {"source_ref": "sid", "title": "search_name"}

    def to_native(self, item: dict) -> NativeAlert:
        e = Errors()
        sid = read_str(e, "sid", item.get("sid"), required=True, allow_numbers=True)
        result = item.get("result")
        if result is None:
            result = {}
        elif not isinstance(result, dict):
            e.add("result", "Must be an object (the first result row).")
            result = {}
        title = read_str(
            e,
            "search_name",
            first(
                item.get("search_name"),
                result.get("rule_name"),
                result.get("signature"),
                result.get("search_name"),
            ),
        ) or ("Splunk alert" + (f" ({item['app']})" if isinstance(item.get("app"), str) else ""))
        description = read_str(
            e, "result.description", first(result.get("description"), result.get("rule_description"))
        )
        severity_value = first(result.get("severity"), result.get("urgency"))
        if isinstance(severity_value, str):
            severity_value = URGENCY.get(severity_value.strip().lower(), severity_value)
        severity = read_severity(e, "result.severity", severity_value)
        technique_values = []
        for name in ("mitre_technique_id", "mitre_attack_id", "technique_id", "annotations.mitre_attack"):
            for value in multivalue(result.get(name)):
                technique_values.extend(
                    SEPARATORS.split(value.strip()) if isinstance(value, str) else [value]
                )
        techniques = read_techniques(e, "result.mitre_technique_id", [t for t in technique_values if t != ""])
        observed_at = parse_time(
            e, "result._time", first(result.get("_time"), result.get("first_seen"), result.get("firstTime"))
        )
        observables = ObservableList()
        for name, type_, role in OBSERVABLE_FIELDS:
            observables.add(type_, multivalue(result.get(name)), role)
        source_ref = f"{sid}#{row_digest(result)}" if sid else ""
        return self.build(
            e,
            source_ref=source_ref,
            title=title,
            description=description,
            severity=severity,
            technique_ids=techniques,
            observed_at=observed_at,
            observables=observables.items,
            tags=[f"splunk:{item['app']}"] if isinstance(item.get("app"), str) else [],
            raw=item,
        )
