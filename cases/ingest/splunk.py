"""Splunk webhook and alert action bodies, search result rows, and search results bodies.

    {"sid": "...", "search_name": "...", "app": "...", "owner": "...",
     "results_link": "...", "result": {"_time": "...", "src_ip": "...", ...}}

`result` is the first result row, every value a string; a multivalue field arrives as a
list (or newline-separated), and wherever one value is expected the first is taken.
`search_name` may be null. Splunk's webhook cannot set headers, so this endpoint also
takes the token as `?token=`. Also accepted: a result row posted bare (no `sid`, no
`result`; known by Splunk's own row fields, ROW_FIELDS: `_time`, `_raw`, `event_id`,
`_cd`...; an Enterprise Security 8 finding by its `finding_id`), an array of rows or
bodies or Enterprise Security 8's findings list (`{"items": [...]}`), each its own alert
(a bad one refused alone), and a
body carrying all results (`results`, as search/jobs/<sid>/results and /events return in
output_mode json, `{"fields": [...], "results": [...]}`; rows given as value lists are
named by `fields`): each result is read as that body's `result`, with its other keys (a
sid, a search_name) and without the response's own (RESPONSE_KEYS). At most
VIGIL_MAX_BATCH results per body, as for arrays.

A row of Enterprise Security's `notable` index (sourcetype `stash`, as a search over
notables forwards them) carries the correlation search's fields as `key="value"` pairs in
`_raw`: they are read as fields of the row (the row's own fields win). On such a row
`host` is the search head that wrote the notable, so the affected host is `orig_host`,
the title falls back to `source` (the correlation search's name) and the time is
`orig_time` (the source event's, not the notable's). A technique id in that text that is
not one is flagged `technique_unparsed`, the alert kept.

- source_ref: sid, plus a digest of the result row (a per-result alert action posts one
  body per row under the same sid; a retried body gives the same digest); without a sid
  the row's `event_id` (a notable's id) or `finding_id` (an ES 8 finding's), else
  common.content_digest of the row
- title: result.rule_title (an ES notable's or finding's own title, its tokens expanded:
  "24 hour risk threshold exceeded for system=10.0.1.4"), else search_name (the search's
  name), else result.rule_name / signature / search_name (and a notable's source), else
  "Splunk alert"
- description: result.description / rule_description, else the event's `_raw` (what a
  plain search's alert carries)
- severity: result.urgency (ES: severity weighed by asset and identity priority, what
  analysts triage by) or severity (informational counts as low)
- techniques: result.mitre_technique_id / mitre_attack_id / technique_id /
  annotations.mitre_attack (also nested, and .mitre_technique_id under it; comma, space or
  newline separated)
- observed_at: result.orig_time, else _time (epoch seconds or ISO 8601), else first_seen /
  firstTime, else the time an ES 8 finding id ends in ("...@@notable@@time1768225865");
  unreadable: flagged observed_at_unparsed, receive time used
- observables: CIM fields src/src_ip, dest/dest_ip, user/src_user/dest_user, dest_host,
  url, domain/query, sender/recipient, file_hash, and the default `host` field (the host
  the event came from; on a notable, orig_host); the spellings of non-CIM sources and
  searches: srcip/dstip (Fortinet, OSSEC), dst_ip, username/user_name, URL; each also
  under a CIM data model's dataset name ("All_Traffic.src", "Authentication.user", as a
  tstats search names them), and as a stats/tstats column not renamed with `as`, named by
  a function giving the field's values ("values(Authentication.user)", "latest(src)";
  count, dc(), sum()... give numbers, no observable); the row's plain field wins.
  Risk-based alerting's risk_object by risk_object_type (user: a user; system: a host)
  and threat_object by threat_object_type (ip_address, domain, url, file_hash,
  email_address, user, system), parallel multivalue fields
- tags: "splunk:<app>" (the body's app, never a row's), "sourcetype:<sourcetype>",
  "source:<source>"
- raw: the body as received, without splunkd's `session_key` (an alert action's payload
  carries it: a live credential) and without credential-named keys of its
  `configuration` (the alert action's parameters: SECRET_WORDS)
"""

import hashlib
import json
import re

from .base import MAX_SOURCE_REF
from .common import (
    Adapter,
    R,
    Reading,
    T,
    as_list,
    content_digest,
    event_time,
    first,
    flatten,
    read_severity,
    read_str,
    read_techniques,
    single,
)
from .observable_list import ObservableList

# One `key="value"` pair of a stash event's text; `\"` and `\\` are escapes in the value.
STASH_PAIR = re.compile(r'(?:^|,)\s*([A-Za-z_][\w.:-]*)="((?:[^"\\]|\\.)*)"')
STASH_ESCAPE = re.compile(r"\\(.)")
URGENCY = {"informational": "low", "info": "low", "unknown": None}

OBSERVABLE_FIELDS = [
    ("src_ip", T.IP, R.SOURCE),
    ("srcip", T.IP, R.SOURCE),
    ("src", T.IP, R.SOURCE),
    ("src", T.HOSTNAME, R.SOURCE),
    ("source_ip", T.IP, R.SOURCE),
    ("client_ip", T.IP, R.SOURCE),
    ("dest_ip", T.IP, R.DESTINATION),
    ("dst_ip", T.IP, R.DESTINATION),
    ("dstip", T.IP, R.DESTINATION),
    ("dest", T.IP, R.DESTINATION),
    ("dest", T.HOSTNAME, R.DESTINATION),
    ("user", T.USER, R.USER),
    ("src_user", T.USER, R.USER),
    ("dest_user", T.USER, R.USER),
    ("username", T.USER, R.USER),
    ("user_name", T.USER, R.USER),
    ("dest_host", T.HOSTNAME, R.DESTINATION),
    ("dest_nt_host", T.HOSTNAME, R.DESTINATION),
    ("src_host", T.HOSTNAME, R.SOURCE),
    ("url", T.URL, R.DECLARED),
    ("URL", T.URL, R.DECLARED),
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
# On a notable `host` is the search head; the affected host is orig_host.
NOTABLE_OBSERVABLE_FIELDS = [
    (("orig_host" if name == "host" else name), type_, role) for name, type_, role in OBSERVABLE_FIELDS
]
# Where the result row may carry each native field, the first that has a value winning.
TITLE_FIELDS = ("rule_title", "rule_name", "signature", "search_name")
DESCRIPTION_FIELDS = ("description", "rule_description", "_raw")
SEVERITY_FIELDS = ("urgency", "severity")
TIME_FIELDS = ("orig_time", "_time", "first_seen", "firstTime")
TECHNIQUE_FIELDS = (
    "mitre_technique_id",
    "mitre_attack_id",
    "technique_id",
    "annotations.mitre_attack",
    "annotations.mitre_attack.mitre_technique_id",
)
MAX_TAG = 100
# Fields Splunk itself puts on a search result row: a body with one of them and neither
# `sid` nor `result` is a row posted bare.
ROW_FIELDS = ("_time", "_raw", "event_id", "finding_id", "_cd", "_serial", "_bkt", "_indextime", "_si")
# Enterprise Security 8's finding ids end in the finding's time: "<uuid>@@notable@@time1768225865".
FINDING_TIME = re.compile(r"@@time(\d{9,11})$")
# Risk-based alerting: the entity a risk event or finding scores (risk_object, typed by
# risk_object_type) and the threat objects it saw (threat_object by threat_object_type),
# parallel multivalue fields; the types Enterprise Security names, as Vigil's.
RISK_OBJECT_TYPES = {
    "user": [(T.USER, R.USER)],
    "system": [(T.IP, R.DESTINATION), (T.HOSTNAME, R.DESTINATION)],
}
THREAT_OBJECT_TYPES = {
    "ip_address": [(T.IP, R.SOURCE)],
    "domain": [(T.DOMAIN, R.DECLARED)],
    "url": [(T.URL, R.DECLARED)],
    "file_hash": [(T.HASH, R.DECLARED)],
    "email_address": [(T.EMAIL, R.SENDER)],
    "user": [(T.USER, R.USER)],
    "system": [(T.HOSTNAME, R.DECLARED)],
}
# The search results response's own keys (not context for its rows).
RESPONSE_KEYS = frozenset(
    {"fields", "results", "rows", "preview", "init_offset", "messages", "highlighted", "post_process_count"}
)
# Stored nowhere: splunkd's session key, and alert action parameters named like credentials.
SECRET_KEYS = frozenset({"session_key"})
SECRET_WORDS = ("password", "passwd", "secret", "token", "api_key", "apikey", "session_key", "authorization")


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
    batch_keys = ("items",)  # Enterprise Security 8's findings API: {"items": [finding, ...]}
    field_names = {"source_ref": "sid", "title": "search_name"}

    def split(self, data) -> tuple[list, bool]:
        """A body carrying all results is a batch of its rows, each as the body's `result`."""
        if isinstance(data, dict):
            names = column_names(data.get("fields"))
            rows = data.get("results")
            if not isinstance(rows, list) and names:
                rows = data.get("rows")  # output_mode json_rows
            if isinstance(rows, list):
                context = {k: v for k, v in data.items() if k not in RESPONSE_KEYS}
                return [{**context, "result": named(row, names)} for row in rows], True
        return super().split(data)

    def read(self, alert: Reading, item: dict) -> None:
        alert.raw = without_secrets(item)
        bare = "sid" not in item and "result" not in item and any(item.get(f) is not None for f in ROW_FIELDS)
        context, result = ({}, item) if bare else (item, item.get("result"))
        prefix = "" if bare else "result."
        sid = read_str(alert, "sid", context.get("sid"), allow_numbers=True)
        if result is None:
            result = {}
        elif not isinstance(result, dict):
            alert.add("result", "Must be an object (the first result row).")
            result = {}
        if not sid and not result:
            alert.add("sid", "This field is required (or post a result row: _time, _raw, event_id...).")
        notable = is_notable(result)
        stash = stash_fields(result.get("_raw")) if notable else {}
        row = {**data_model_fields(result), **stash, **result}
        # Annotations may arrive nested ({"annotations": {"mitre_attack": [...]}}).
        fields = flatten(result)
        title = first(single(row.get("rule_title")), single(context.get("search_name")))
        title = first(title, first_field(row, TITLE_FIELDS))
        if title is None and notable:
            title = single(row.get("source"))
        alert.title = read_str(alert, "search_name", title) or (
            "Splunk alert" + (f" ({context['app']})" if isinstance(context.get("app"), str) else "")
        )
        alert.description = read_str(
            alert, prefix + "description", first_field(row, DESCRIPTION_FIELDS, joined)
        )
        severity_value = first_field(row, SEVERITY_FIELDS)
        if isinstance(severity_value, str):
            severity_value = URGENCY.get(severity_value.strip().lower(), severity_value)
        alert.severity = read_severity(alert, prefix + "severity", severity_value)
        techniques = read_techniques(
            alert,
            prefix + "mitre_technique_id",
            [value for name in TECHNIQUE_FIELDS for value in as_list(fields.get(name))],
        )
        # Ids in a notable's text are read too; one that is not an id is flagged, not refused.
        techniques += read_techniques(
            alert,
            prefix + "_raw",
            [stash[name] for name in TECHNIQUE_FIELDS if name in stash and name not in fields],
            lenient=True,
        )
        alert.technique_ids = list(dict.fromkeys(techniques))
        alert.observed_at = event_time(
            alert, prefix + "_time", first_field(row, TIME_FIELDS) or finding_time(row)
        )
        table = NOTABLE_OBSERVABLE_FIELDS if notable else OBSERVABLE_FIELDS
        observables = ObservableList.of_fields(row, table, multivalue)
        typed_objects(observables, row, "risk_object", RISK_OBJECT_TYPES)
        typed_objects(observables, row, "threat_object", THREAT_OBJECT_TYPES)
        alert.observables = observables.items
        alert.source_ref = f"{sid}#{row_digest(result)}" if sid else row_id(result)
        alert.tags = tags_of(context, result)


# A search over an accelerated CIM data model (`| tstats ... from datamodel=Network_Traffic
# by All_Traffic.src All_Traffic.dest`) names its fields by dataset: "All_Traffic.src",
# "Authentication.user", "Web.url", "Processes.dest". A dataset is a capitalised name.
DATA_MODEL_FIELD = re.compile(r"^[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*\.([a-z][a-z0-9_]*)$")


# A stats or tstats column not renamed with `as` is named by its function:
# "values(Authentication.user)", "latest(src)". These functions give the field's own
# values; counting ones (count, dc, sum, avg...) give numbers and name no observable.
VALUE_FUNCTION = re.compile(r"^(?:values|list|latest|earliest|first|last|mode|min|max)\((\S+)\)$")
PLAIN_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def data_model_fields(result: dict) -> dict:
    """The row's data-model and aggregate columns under their CIM names:
    "All_Traffic.src" and "values(All_Traffic.src)" as src, "values(user)" as user (the
    first such column of a name wins; the row's own field wins over them all)."""
    fields = {}
    for name, value in result.items():
        if not isinstance(name, str):
            continue
        function = VALUE_FUNCTION.match(name)
        inner = function.group(1) if function else name
        match = DATA_MODEL_FIELD.match(inner)
        if match:
            fields.setdefault(match.group(1), value)
        elif function and PLAIN_FIELD.match(inner):
            fields.setdefault(inner, value)
    return fields


def row_id(result: dict) -> str:
    """A row's own id without a sid: a notable's event_id or an ES 8 finding's finding_id,
    else a digest of the row."""
    for name in ("event_id", "finding_id"):
        value = single(result.get(name))
        if isinstance(value, str) and value.strip() and len(value) <= MAX_SOURCE_REF:
            return value
    return content_digest(result) if result else ""


def finding_time(row: dict):
    """The epoch seconds an ES 8 finding id ends in (FINDING_TIME), or None."""
    for name in ("finding_id", "event_id"):
        value = single(row.get(name))
        match = FINDING_TIME.search(value) if isinstance(value, str) else None
        if match:
            return match.group(1)
    return None


def typed_objects(observables: ObservableList, row: dict, name: str, types: dict) -> None:
    """`name` read by its `<name>_type` (parallel multivalue fields: the first type is the
    first object's); an object of a type Vigil has no reading for is skipped."""
    values, kinds = multivalue(row.get(name)), multivalue(row.get(f"{name}_type"))
    for value, kind in zip(values[:100], kinds, strict=False):
        for type_, role in types.get(kind.strip().lower() if isinstance(kind, str) else None, ()):
            observables.add(type_, value, role)


def column_names(fields) -> list[str]:
    """The column names of a results body's `fields` (names, or {"name": ...} objects)."""
    names = [f.get("name") if isinstance(f, dict) else f for f in fields] if isinstance(fields, list) else []
    return names if names and all(isinstance(n, str) for n in names) else []


def named(row, names: list[str]):
    """A row given as a list of values (output_mode json_rows) as an object."""
    return dict(zip(names, row, strict=False)) if isinstance(row, list) and names else row


def without_secrets(item: dict) -> dict:
    """The body to store: no session key, no credential-named alert action parameter."""
    config = item.get("configuration")
    if not SECRET_KEYS.intersection(item) and not isinstance(config, dict):
        return item
    clean = {k: v for k, v in item.items() if k not in SECRET_KEYS}
    if isinstance(config, dict):
        clean["configuration"] = {
            k: v
            for k, v in config.items()
            if not (isinstance(k, str) and any(word in k.lower() for word in SECRET_WORDS))
        }
    return clean


def is_notable(result: dict) -> bool:
    """A row of Enterprise Security's notable index (a stash event)."""
    return "stash" in (single(result.get("sourcetype")), single(result.get("_sourcetype"))) or (
        single(result.get("index")) == "notable"
    )


def stash_fields(raw) -> dict:
    """The `key="value"` pairs of a stash event's text (`1739259266.000, search_name="...",
    src="..."`), a repeated key as a multivalue list."""
    fields: dict = {}
    if not isinstance(raw, str):
        return fields
    for key, value in STASH_PAIR.findall(raw):
        value = STASH_ESCAPE.sub(r"\1", value)
        if key in fields:
            fields[key] = [*as_list(fields[key]), value]
        else:
            fields[key] = value
    return fields


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
