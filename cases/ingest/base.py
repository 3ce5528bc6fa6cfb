"""The native alert: what every adapter produces and the intake service consumes.

`NativeAlert` validates itself on construction (and normalises its observables), so the
intake service can trust it. A bad field raises `InvalidAlert` with field-level errors,
the same shape DRF uses: {"field": ["message", ...]}.
"""

from dataclasses import dataclass, field
from datetime import datetime

from cases.models import AlertObservable, Observable, Severity
from playbooks import attack
from playbooks.models import TECHNIQUE_ID_RE

from .observables import normalise

MAX_SOURCE_REF = 255
MAX_TITLE = 500
MAX_TAGS = 100
MAX_TAG_LENGTH = 100
MAX_OBSERVABLES = 500
MAX_FLAGS = 50
MAX_FLAG_TEXT = 200
FLAG_KEYS = ("code", "field", "detail")
# The flag intake sets on a technique id the bundled ATT&CK catalogue does not know: the id
# is kept on the alert but never routed to a playbook as if it were real.
UNKNOWN_TECHNIQUE = "unknown_technique"

ObservableTuple = tuple[str, str, str]  # (type, value, role)

# Django rebuilds `Choices.values` on every access; the hot path checks these sets.
SEVERITIES = frozenset(Severity.values)
OBSERVABLE_TYPES = tuple(Observable.Type.values)
ROLES = tuple(AlertObservable.Role.values)

ROLE_PRIORITY = {
    # When one value is seen in several roles, keep the most specific.
    AlertObservable.Role.SOURCE: 0,
    AlertObservable.Role.USER: 1,
    AlertObservable.Role.SENDER: 2,
    AlertObservable.Role.DESTINATION: 3,
    AlertObservable.Role.DECLARED: 4,
    AlertObservable.Role.EXTRACTED: 5,
}


class InvalidAlert(ValueError):
    """An alert that cannot be ingested; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def dedupe_observables(observables) -> list[ObservableTuple]:
    """One entry per (type, value), keeping the most specific role, in first-seen order."""
    best: dict[tuple[str, str], str] = {}
    for type_, value, role in observables:
        key = (type_, value)
        if key not in best or ROLE_PRIORITY[role] < ROLE_PRIORITY[best[key]]:
            best[key] = role
    return [(t, v, r) for (t, v), r in best.items()]


@dataclass(slots=True)
class NativeAlert:
    source_ref: str
    title: str
    observed_at: datetime
    description: str = ""
    severity: int = Severity.MEDIUM
    technique_ids: list[str] = field(default_factory=list)
    observables: list[ObservableTuple] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    # What an adapter or intake noticed: [{"code": str, "field": str, "detail": str}, ...]
    # (e.g. "observed_at_unparsed", "unknown_technique"). Stored on Alert.flags.
    flags: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}

        def err(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        if not isinstance(self.source_ref, str) or not self.source_ref.strip():
            err("source_ref", "This field is required (a non-empty string).")
        elif len(self.source_ref) > MAX_SOURCE_REF:
            err("source_ref", f"At most {MAX_SOURCE_REF} characters.")
        if not isinstance(self.title, str) or not self.title.strip():
            err("title", "This field is required (a non-empty string).")
        elif len(self.title) > MAX_TITLE:
            self.title = self.title[: MAX_TITLE - 1] + "…"
        if not isinstance(self.description, str):
            err("description", "Must be a string.")
        if isinstance(self.severity, bool) or self.severity not in SEVERITIES:
            err("severity", "Must be 1-4 (low, medium, high, critical).")
        if not isinstance(self.observed_at, datetime) or self.observed_at.tzinfo is None:
            err("observed_at", "Must be a timezone-aware datetime.")
        if not isinstance(self.technique_ids, list) or not all(
            isinstance(t, str) and TECHNIQUE_ID_RE.match(t) for t in self.technique_ids
        ):
            err("technique_ids", "Each must be an ATT&CK technique id like T1591 or T1591.002.")
        else:
            self.technique_ids = list(dict.fromkeys(self.technique_ids))
        if not isinstance(self.tags, list) or not all(isinstance(t, str) for t in self.tags):
            err("tags", "Must be a list of strings.")
        else:
            self.tags = [t[:MAX_TAG_LENGTH] for t in self.tags[:MAX_TAGS]]
        if not isinstance(self.raw, dict):
            err("raw", "Must be an object.")
        self.flags = self._clean_flags(err)
        self.observables = self._clean_observables(err)
        if errors:
            raise InvalidAlert(errors)
        self.source_ref = self.source_ref.strip()
        self.title = self.title.strip()

    def _clean_flags(self, err) -> list[dict]:
        """Flags as given (texts cut to MAX_FLAG_TEXT), plus one per unknown technique id."""
        if not isinstance(self.flags, list | tuple) or not all(
            isinstance(f, dict) and all(isinstance(f.get(k, ""), str) for k in FLAG_KEYS) for f in self.flags
        ):
            err("flags", 'Must be a list of {"code", "field", "detail"} strings.')
            return []
        flags = [
            {k: f.get(k, "")[:MAX_FLAG_TEXT] for k in FLAG_KEYS}
            for f in self.flags[:MAX_FLAGS]
            if f.get("code")
        ]
        if isinstance(self.technique_ids, list):
            for technique in self.technique_ids:
                if isinstance(technique, str) and attack.lookup(technique) is None:
                    flag = {"code": UNKNOWN_TECHNIQUE, "field": "technique", "detail": technique}
                    if flag not in flags:
                        flags.append(flag)
        return flags

    @property
    def unknown_technique_ids(self) -> list[str]:
        """Technique ids of this alert the ATT&CK catalogue does not know (flagged)."""
        return [f["detail"] for f in self.flags if f["code"] == UNKNOWN_TECHNIQUE]

    def _clean_observables(self, err) -> list[ObservableTuple]:
        if not isinstance(self.observables, list | tuple):
            err("observables", "Must be a list of (type, value, role).")
            return []
        if len(self.observables) > MAX_OBSERVABLES:
            err("observables", f"At most {MAX_OBSERVABLES} observables per alert.")
            return []
        cleaned = []
        for i, item in enumerate(self.observables):
            try:
                type_, value, role = item
            except (TypeError, ValueError):
                err(f"observables[{i}]", "Must be (type, value, role).")
                continue
            if type_ not in OBSERVABLE_TYPES:
                err(f"observables[{i}].type", f"Unknown type; one of {', '.join(OBSERVABLE_TYPES)}.")
                continue
            if role not in ROLES:
                err(
                    f"observables[{i}].role",
                    f"Unknown role; one of {', '.join(ROLES)}.",
                )
                continue
            normalised = normalise(type_, value)
            if normalised is None:
                err(f"observables[{i}].value", f"Not a valid {type_}.")
                continue
            cleaned.append((type_, normalised, role))
            if type_ == Observable.Type.EMAIL:
                # The sender's domain is an entity of its own (partner or lookalike domain).
                cleaned.append((Observable.Type.DOMAIN, normalised.rpartition("@")[2], role))
        return dedupe_observables(cleaned)

    @property
    def technique_id(self) -> str:
        """The primary technique (the first one), or "" when the alert names none."""
        return self.technique_ids[0] if self.technique_ids else ""
