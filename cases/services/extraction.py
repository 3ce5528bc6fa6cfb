"""Indicators in an alert's title and description become observables (role "extracted").

This runs after ingestion, as the first step of enrichment (`enrichment.services
.alert_enrich`, called by the `enrichment.tasks.enrich_alert` task dispatched on commit), not in the
ingest request:

- Extracted values never correlate (only declared and known fields do, see
  cases.services.intake), so the case an alert joins does not depend on them.
- They are shown with their enrichment, which the worker computes anyway; the case page
  lists them as soon as the worker ran, together with their verdicts.
- Parsing free text is the costliest part of reading an alert (ioc-finder, ~0.2-0.5 ms
  for a typical description, more for a long one) and the text is attacker-controlled:
  off the ingest path it can neither slow down nor fail what a SIEM is waiting for.

Idempotent: a redelivered or re-dispatched task links nothing twice, and a value the
sender declared keeps its declared role.
"""

from django.db import transaction

from cases.ingest.store import ensure_observables
from cases.ingest.text_indicators import observables_in_text
from cases.models import Alert, AlertObservable, Case, CaseObservable


def alert_extract_observables(*, alert: Alert) -> int:
    """Link the indicators found in the alert's title and description to the alert (role
    "extracted") and to its case, widening the case's first/last-seen span of each; the
    alert's own ids (its source_ref) are not indicators. `alert` needs pk, case_id,
    source_ref, title, description and observed_at. Returns how many indicators were found
    (and are linked now)."""
    found = observables_in_text(alert.title, alert.description, ignore=(alert.source_ref,))
    if not found:
        return 0
    pairs = [(type_, value) for type_, value, _role in found]
    _link(alert, pairs)
    return len(pairs)


@transaction.atomic
def _link(alert: Alert, pairs: list[tuple[str, str]]) -> None:
    # Same lock order as intake: observables first, then the case row. Case links are
    # written only under the case's row lock (intake merges spans it read under it).
    observables = ensure_observables(pairs)
    list(Case.objects.select_for_update().filter(pk=alert.case_id).values_list("pk"))
    ids = sorted({observables[pair].pk for pair in pairs})
    # A value the sender also declared keeps its declared role (the more specific one).
    AlertObservable.objects.bulk_create(
        [
            AlertObservable(alert_id=alert.pk, observable_id=pk, role=AlertObservable.Role.EXTRACTED)
            for pk in ids
        ],
        ignore_conflicts=True,
    )
    spans = {
        obs_id: (first, last)
        for obs_id, first, last in CaseObservable.objects.filter(
            case_id=alert.case_id, observable_id__in=ids
        ).values_list("observable_id", "first_seen_at", "last_seen_at")
    }
    at = alert.observed_at
    links = []
    for pk in ids:
        first, last = spans.get(pk, (at, at))
        links.append(
            CaseObservable(
                case_id=alert.case_id,
                observable_id=pk,
                first_seen_at=min(first, at),
                last_seen_at=max(last, at),
            )
        )
    CaseObservable.objects.bulk_create(
        links,
        update_conflicts=True,
        unique_fields=["case", "observable"],
        update_fields=["first_seen_at", "last_seen_at"],
    )
