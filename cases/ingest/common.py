"""Helpers every adapter uses to read untrusted JSON into a NativeAlert.

Readers never raise anything but InvalidAlert: a wrong type, a missing required field or
an impossible value is recorded against the field's name (in the vendor's own spelling,
so a 400 tells the sender which of its fields to fix).
"""

import hashlib
import json
import math
import re
from datetime import UTC, datetime

from cases.models import AlertObservable, Observable, Severity
from playbooks.attack import normalize_technique_id

from .base import MAX_OBSERVABLES, InvalidAlert, NativeAlert, dedupe_observables

# Event times outside this range are refused: they are placeholders (epoch 0, a
# "date: 123"), typos or unit mistakes, and window arithmetic on year 1 or 9999 would
# overflow. No alert a SIEM sends today is about an event before 2000.
MIN_TIME = datetime(2000, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(2200, 1, 1, tzinfo=UTC)
# Epoch numbers by magnitude, largest first (threshold, units per second): nanoseconds
# (OpenTelemetry, Go's UnixNano), microseconds (Tenable's OCSF output), milliseconds,
# else seconds. Each threshold is where the next smaller unit would pass the year 5138.
EPOCH_UNITS = ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3))

# Short names for the adapters' field tables: ("source.ip", T.IP, R.SOURCE).
R = AlertObservable.Role
T = Observable.Type

# "low" -> Severity.LOW ... "critical" -> Severity.CRITICAL: the names senders may write.
SEVERITY_NAMES = {severity.name.lower(): severity for severity in Severity}


# The flag an alert carries when its vendor time could not be read (NativeAlert.flags).
OBSERVED_AT_UNPARSED = "observed_at_unparsed"
# The flag of a technique id read out of free text that is not one (the alert is kept).
TECHNIQUE_UNPARSED = "technique_unparsed"
# The flag of a document with more distinct observables than an alert holds: the first
# MAX_OBSERVABLES are kept (a vendor's rich document is no bad input to refuse).
OBSERVABLES_TRUNCATED = "observables_truncated"
MAX_FLAG_DETAIL = 200


class Errors:
    """Collects field errors (`raise_if_any()` turns them into one InvalidAlert) and flags:
    what an adapter could not read but worked around, kept on the alert for an analyst
    ({"code", "field", "detail"}, the field spelt as the vendor spells it)."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.flags: list[dict[str, str]] = []

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def flag(self, code: str, name: str, detail: str) -> None:
        self.flags.append({"code": code, "field": name, "detail": detail[:MAX_FLAG_DETAIL]})

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidAlert(self.errors)


class Reading(Errors):
    """One alert being read: its field errors and flags (Errors), the document (`raw`,
    kept whole on the alert) and the native fields the adapter has read so far, each at
    the NativeAlert default until the adapter sets it. Adapter.build makes the alert."""

    def __init__(self, raw: dict) -> None:
        super().__init__()
        self.raw = raw
        self.source_ref = ""
        self.title = ""
        self.description = ""
        self.severity: int = Severity.MEDIUM
        self.technique_ids: list[str] = []
        self.observed_at: datetime | None = None
        self.observables: list[tuple[str, str, str]] = []
        self.tags: list[str] = []


def flatten(doc: dict, prefix: str = "") -> dict:
    """Nested objects as dotted keys ({"a": {"b": 1}, "a.c": 2} -> {"a.b": 1, "a.c": 2}).

    Elastic mixes flat dotted keys (kibana.alert.*) with nested ECS objects, and ES|QL
    alerts are fully dotted; flattening gives one spelling. Lists are kept as they are.
    When both spellings carry a key, the flat one wins (it is what Kibana writes).
    """
    flat: dict = {}
    nested: dict = {}
    for key, value in doc.items():
        if not isinstance(key, str):
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            nested.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return {**nested, **flat}


def dig(doc, path: str):
    """doc["a"]["b"]["c"] for "a.b.c", or None when any step is missing or not an object."""
    for part in path.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def first(*values):
    """The first value that is not None and not an empty string/list."""
    for value in values:
        if value is not None and value != "" and value != []:
            return value
    return None


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def read_str(errors: Errors, name: str, value, *, required: bool = False, allow_numbers: bool = False) -> str:
    """A string field; numbers are accepted as ids where `allow_numbers` (not booleans)."""
    if value is None or value == "":
        if required:
            errors.add(name, "This field is required.")
        return ""
    if allow_numbers and isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            errors.add(name, "Must be a string.")
            return ""
        return str(value)
    if not isinstance(value, str):
        errors.add(name, "Must be a string.")
        return ""
    if required and not value.strip():
        errors.add(name, "This field is required (blank).")
    return value


def read_str_list(errors: Errors, name: str, value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(name, "Must be a list of strings.")
        return []
    return value


def event_time(errors: Errors, name: str, value) -> datetime | None:
    """The alert's event time, never a reason to refuse the alert: a value that cannot be
    read (or is out of range) is flagged `observed_at_unparsed` with what was sent, and
    None is returned, so the alert takes its receive time (Adapter.build)."""
    probe = Errors()
    when = parse_time(probe, name, value)
    if probe:
        errors.flag(OBSERVED_AT_UNPARSED, name, f"{' '.join(probe.errors[name])} Got {_shown(value)}.")
        return None
    return when


def _shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)[:80]
    return repr(text[:80])


def parse_time(errors: Errors, name: str, value, *, required: bool = False) -> datetime | None:
    """ISO 8601 (naive means UTC) or an epoch number in seconds, milliseconds, microseconds
    or nanoseconds (EPOCH_UNITS), as number or digit string."""
    if value is None or value == "":
        if required:
            errors.add(name, "This field is required.")
        return None
    when = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        when = _from_epoch(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None:
            when = _from_epoch(number)
        else:
            try:
                when = datetime.fromisoformat(text)
            except ValueError:
                when = None
            if when is not None and when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
    else:
        errors.add(name, "Must be an ISO 8601 time string or an epoch number.")
        return None
    if when is None:
        errors.add(name, "Not a valid time: use ISO 8601 with an offset, e.g. 2026-03-04T13:41:07Z.")
        return None
    try:
        in_range = MIN_TIME <= when <= MAX_TIME
    except (OverflowError, ValueError):
        in_range = False
    if not in_range:
        errors.add(name, "Time out of range (2000-2200).")
        return None
    return when


def _from_epoch(number: float) -> datetime | None:
    if not math.isfinite(number) or number < 0:
        return None
    for threshold, per_second in EPOCH_UNITS:
        if number >= threshold:
            number /= per_second
            break
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def read_severity(errors: Errors, name: str, value, *, default: int = Severity.MEDIUM) -> int:
    """low|medium|high|critical (any case) or 1-4 (number or digit string)."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        text = value.strip().lower()
        if text in SEVERITY_NAMES:
            return SEVERITY_NAMES[text]
        if text.isdecimal():
            value = int(text)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        return value
    errors.add(name, "Must be low, medium, high, critical or 1-4.")
    return default


# Between the ids of one string that holds several ("T1068, T1190": Wazuh's Security Lake
# output joins a rule's ids so; Splunk sends them space or newline separated).
TECHNIQUE_SEPARATORS = re.compile(r"[\s,;|]+")


def read_techniques(errors: Errors, name: str, values, *, lenient: bool = False) -> list[str]:
    """ATT&CK ids ("T1591.002"; "t1591.002" and "T1591002" are accepted and normalised), a
    string value holding one id or several (TECHNIQUE_SEPARATORS between them). A value that
    is not one is a field error, or with `lenient` (ids read out of free text) a
    `technique_unparsed` flag."""
    result = []
    for value in as_list(values):
        parts = [p for p in TECHNIQUE_SEPARATORS.split(value) if p] if isinstance(value, str) else [value]
        for part in parts:
            technique = normalize_technique_id(part) if isinstance(part, str) else None
            if technique is not None:
                result.append(technique)
                continue
            message = f"{str(part)[:40]!r} is not an ATT&CK technique id (like T1591 or T1591.002)."
            if lenient:
                errors.flag(TECHNIQUE_UNPARSED, name, message)
            else:
                errors.add(name, message)
    return result


def content_digest(doc) -> str:
    """A stable id for a document that carries none: SHA-256 of its canonical JSON (keys
    sorted, no whitespace), first 32 hex digits, prefixed "sha256:". The same document
    posted twice gets the same id, so a retry is a duplicate, not a second alert."""
    try:
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        canonical = repr(doc)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def single(value):
    """One value of a field that may arrive as a list (Splunk multivalue, Elastic `fields`):
    the first non-empty item."""
    if isinstance(value, list):
        return first(*value)
    return value


def specific_first(techniques: list[str]) -> list[str]:
    """Sub-techniques before their parents, and a parent dropped when a sub-technique of it
    is present (the sub-technique is the specific finding; its playbook falls back to the
    parent's anyway)."""
    unique = list(dict.fromkeys(techniques))
    parents_with_subs = {t.split(".")[0] for t in unique if "." in t}
    return [t for t in unique if "." in t] + [
        t for t in unique if "." not in t and t not in parents_with_subs
    ]


class Adapter:
    """Reads one vendor's payloads. Subclasses implement `read(alert, item)`, setting the
    native fields on the Reading; everything they raise is an InvalidAlert
    (property-tested), and a request body is split into alerts by `split()`."""

    name = ""
    # Keys of a wrapper object holding a batch, e.g. Kibana's {"alerts": [...]}.
    batch_keys: tuple[str, ...] = ()
    # Whether a search response ({"hits": {"hits": [...]}}) is a batch of its hits: the
    # vendor stores its alerts in Elasticsearch or OpenSearch.
    reads_search_responses = False
    # Native field -> the vendor field it came from, to name the right one in a 400.
    field_names: dict[str, str] = {}

    def split(self, data) -> tuple[list, bool]:
        """(alerts, is_batch) from a parsed JSON body."""
        hits = data.get("hits") if self.reads_search_responses and isinstance(data, dict) else None
        if isinstance(hits, dict) and isinstance(hits.get("hits"), list):
            return hits["hits"], True  # an Elasticsearch / OpenSearch search response
        if isinstance(data, list):
            return data, True
        if isinstance(data, dict):
            for key in self.batch_keys:
                if isinstance(data.get(key), list):
                    return data[key], True
            return [data], False
        raise InvalidAlert(
            {"non_field_errors": ["Expected a JSON object (one alert) or an array of alerts."]}
        )

    def parse(self, item) -> NativeAlert:
        if not isinstance(item, dict):
            raise InvalidAlert({"non_field_errors": ["Each alert must be a JSON object."]})
        alert = Reading(item)
        self.read(alert, item)
        return self.build(alert)

    def read(self, alert: Reading, item: dict) -> None:
        raise NotImplementedError

    def build(self, alert: Reading) -> NativeAlert:
        """The NativeAlert of what was read; field errors reported under the vendor's
        names, flags (see Errors) passed on. Without an event time the alert takes its
        receive time. Indicators in the title and description are extracted after
        ingestion, by the enrichment task (cases.services.extraction)."""
        alert.raise_if_any()
        observables = dedupe_observables(alert.observables)
        if len(observables) > MAX_OBSERVABLES:
            alert.flag(
                OBSERVABLES_TRUNCATED,
                "observables",
                f"{len(observables)} distinct observables read; the first {MAX_OBSERVABLES} kept.",
            )
            observables = observables[:MAX_OBSERVABLES]
        try:
            return NativeAlert(
                source_ref=alert.source_ref,
                title=alert.title,
                description=alert.description,
                severity=alert.severity,
                technique_ids=alert.technique_ids,
                observed_at=alert.observed_at or datetime.now(UTC),
                observables=observables,
                tags=alert.tags,
                raw=alert.raw,
                flags=alert.flags,
            )
        except InvalidAlert as exc:
            raise InvalidAlert(
                {self.field_names.get(name, name): messages for name, messages in exc.errors.items()}
            ) from None
