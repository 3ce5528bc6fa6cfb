"""The one way to append to a case's timeline (CaseEvent is append-only), and one data
builder per verb that intake's bulk rows and `case_event_record` share."""

from cases.ingest.store import new_row
from cases.models import Case, CaseEvent, IngestSource


def alert_event_data(alert) -> dict:
    """What every event about an alert records of it."""
    return {"alert_id": alert.pk, "source_ref": alert.source_ref, "title": alert.title}


def created_data(*, reference: str, technique_id: str, alert) -> dict:
    return {"reference": reference, "technique_id": technique_id, **alert_event_data(alert)}


def alert_joined_data(*, alert) -> dict:
    return alert_event_data(alert)


def severity_raised_data(*, from_severity: int, to_severity: int, alert) -> dict:
    return {"from": from_severity, "to": to_severity, **alert_event_data(alert)}


def playbook_attached_data(*, version, automatic: bool) -> dict:
    return {
        "technique_id": version.technique_id,
        "version": version.number,
        "playbook_version_id": version.pk,
        "automatic": automatic,
    }


def case_event_row(*, case_id: int, verb: str, actor_id=None, source_id=None, data: dict) -> CaseEvent:
    """An unsaved event row (intake inserts them in bulk); the fields case_event_record sets."""
    return new_row(
        CaseEvent, case_id=case_id, verb=verb, actor_id=actor_id, actor_source_id=source_id, data=data
    )


def case_event_record(
    case: Case,
    verb: str,
    *,
    by=None,
    source: IngestSource | None = None,
    data: dict | None = None,
) -> CaseEvent:
    """Append one event. `by` is the acting user, `source` the ingest source; neither
    means Vigil itself. Call inside the transaction that made the change."""
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    return CaseEvent.objects.create(case=case, verb=verb, actor=actor, actor_source=source, data=data or {})
