"""Events about alerts arriving: a case opened, an alert joined, its severity raised, and
what a source added to an alert later (observables, evidence files). Intake writes the
first three by the thousand, so their builders only build rows."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases.models import Alert, Case, CaseEvent, IngestSource, Severity

from .base import Verb, builds, join, renders, row, text

MAX_LISTED = 50  # observables or files listed in one event


def _alert_data(alert: Alert) -> dict:
    """What every event about an alert records of it."""
    return {"alert_id": alert.pk, "source_ref": alert.source_ref, "title": alert.title}


@builds(Verb.CREATED)
def created(case: Case, *, alert: Alert, technique_id: str, source: IngestSource | None = None) -> CaseEvent:
    """The case was opened by `alert` (its reference is recorded, it never changes)."""
    data = {"reference": case.reference, "technique_id": technique_id, **_alert_data(alert)}
    return row(case, Verb.CREATED, source=source, data=data)


def _named(data: dict) -> SafeString:
    """' "title" (source ref)' of the alert, as far as the payload has them."""
    title, ref = text(data, "title"), text(data, "source_ref")
    quoted = format_html(" “{}”", title) if title else join()
    return join(quoted, format_html(" ({})", ref) if ref else join())


def _alert(data: dict) -> SafeString:
    return join("alert", _named(data))


def _listed(value, key: str | None = None) -> list[str]:
    """The names in a payload list (of strings, or of dicts under `key`); an old or odd
    row's scalar reads as one name, anything else as none."""
    if isinstance(value, str | int | float) and value != "":
        return [str(value)]
    if not isinstance(value, list):
        return []
    items = (item.get(key) if key and isinstance(item, dict) else item for item in value)
    return [str(item) for item in items if isinstance(item, str | int | float) and item != ""]


def _severity(value) -> str:
    return Severity(value).label if isinstance(value, int) and value in Severity.values else str(value)


@renders(Verb.CREATED)
def render_created(event: CaseEvent, data: dict) -> SafeString:
    technique = text(data, "technique_id")
    return join("Case opened by ", _alert(data), format_html(" · {}", technique) if technique else join())


@builds(Verb.ALERT_JOINED)
def alert_joined(case: Case, *, alert: Alert, source: IngestSource | None = None) -> CaseEvent:
    return row(case, Verb.ALERT_JOINED, source=source, data=_alert_data(alert))


@renders(Verb.ALERT_JOINED)
def render_alert_joined(event: CaseEvent, data: dict) -> SafeString:
    return join("Alert joined:", _named(data))


@builds(Verb.SEVERITY_RAISED)
def severity_raised(
    case: Case, *, alert: Alert, from_severity: int, to_severity: int, source: IngestSource | None = None
) -> CaseEvent:
    data = {"from": from_severity, "to": to_severity, **_alert_data(alert)}
    return row(case, Verb.SEVERITY_RAISED, source=source, data=data)


@renders(Verb.SEVERITY_RAISED)
def render_severity_raised(event: CaseEvent, data: dict) -> SafeString:
    change = format_html(" from {} to {}", _severity(data.get("from")), _severity(data.get("to")))
    return join("Severity raised", change if data.get("to") else join(), " by ", _alert(data))


@builds(Verb.OBSERVABLES_ADDED)
def observables_added(
    case: Case, *, alert: Alert, observables: list[str], source: IngestSource | None = None
) -> CaseEvent:
    """A source added observables ("type:value") to an alert already received."""
    data = {"alert_id": alert.pk, "source_ref": alert.source_ref, "observables": observables[:MAX_LISTED]}
    return row(case, Verb.OBSERVABLES_ADDED, source=source, data=data)


@renders(Verb.OBSERVABLES_ADDED)
def render_observables_added(event: CaseEvent, data: dict) -> SafeString:
    listed = _listed(data.get("observables"))
    return join(
        format_html("Observables added to {}", _alert(data)),
        format_html(": {}", ", ".join(listed)) if listed else join(),
    )


@builds(Verb.EVIDENCE_ADDED)
def evidence_added(case: Case, *, alert: Alert, files: list, source: IngestSource | None = None) -> CaseEvent:
    """A source attached files to an alert; `files` are the stored attachments (name,
    size, sha256)."""
    listed = [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in files[:MAX_LISTED]]
    return row(case, Verb.EVIDENCE_ADDED, source=source, data={"alert_id": alert.pk, "files": listed})


@renders(Verb.EVIDENCE_ADDED)
def render_evidence_added(event: CaseEvent, data: dict) -> SafeString:
    names = _listed(data.get("files"), "name")
    return join(
        "Evidence added to ", _alert(data), format_html(": {}", ", ".join(names)) if names else join()
    )
