"""The one way to append to a case's timeline (CaseEvent is append-only)."""

from cases.models import Case, CaseEvent, IngestSource


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
