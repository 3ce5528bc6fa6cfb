"""Events about alerts arriving: a case opened, an alert joined, its severity raised, and
what a source added to an alert later (observables, evidence files). Intake writes the
first three by the thousand, so their builders only build rows."""

from __future__ import annotations

from cases.models import Alert, Case, CaseEvent, IngestSource

from .base import Verb, builds, row

MAX_LISTED = 50  # observables or files listed in one event


def _alert_data(alert: Alert) -> dict:
    """What every event about an alert records of it."""
    return {"alert_id": alert.pk, "source_ref": alert.source_ref, "title": alert.title}


@builds(Verb.CREATED)
def created(case: Case, *, alert: Alert, technique_id: str, source: IngestSource | None = None) -> CaseEvent:
    """The case was opened by `alert` (its reference is recorded, it never changes)."""
    data = {"reference": case.reference, "technique_id": technique_id, **_alert_data(alert)}
    return row(case, Verb.CREATED, source=source, data=data)


@builds(Verb.ALERT_JOINED)
def alert_joined(case: Case, *, alert: Alert, source: IngestSource | None = None) -> CaseEvent:
    return row(case, Verb.ALERT_JOINED, source=source, data=_alert_data(alert))


@builds(Verb.SEVERITY_RAISED)
def severity_raised(
    case: Case, *, alert: Alert, from_severity: int, to_severity: int, source: IngestSource | None = None
) -> CaseEvent:
    data = {"from": from_severity, "to": to_severity, **_alert_data(alert)}
    return row(case, Verb.SEVERITY_RAISED, source=source, data=data)


@builds(Verb.OBSERVABLES_ADDED)
def observables_added(
    case: Case, *, alert: Alert, observables: list[str], source: IngestSource | None = None
) -> CaseEvent:
    """A source added observables ("type:value") to an alert already received."""
    data = {"alert_id": alert.pk, "source_ref": alert.source_ref, "observables": observables[:MAX_LISTED]}
    return row(case, Verb.OBSERVABLES_ADDED, source=source, data=data)


@builds(Verb.EVIDENCE_ADDED)
def evidence_added(case: Case, *, alert: Alert, files: list, source: IngestSource | None = None) -> CaseEvent:
    """A source attached files to an alert; `files` are the stored attachments (name,
    size, sha256)."""
    listed = [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in files[:MAX_LISTED]]
    return row(case, Verb.EVIDENCE_ADDED, source=source, data={"alert_id": alert.pk, "files": listed})
