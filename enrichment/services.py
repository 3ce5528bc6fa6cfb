"""Enriching the observables of an alert: run each applicable enricher, store the results.

The task calls `alert_enrich(alert_id=...)` after ingestion commits;
`case_enrich_observables(case_id=...)` re-runs it for a case when reference data changes. Idempotent: a run
recomputes every result from the data as it is now and overwrites it. One bad value never
stops the run: an enricher that raises records verdict `unknown` with the reason.
Database errors are re-raised so the task retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

from cases.models import Alert, Case, Observable
from cases.services.extraction import alert_extract_observables
from intel import lookup
from playbooks.registry import AssistKey

from . import ip_reputation, lookalike_domain, partner_match
from .base import Context, unknown

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spec:
    key: str
    types: frozenset[str]
    run: Callable[[Observable, Context], dict]


# Which enrichers apply to which observable types, in the order they run. Only what is true
# of an observable everywhere is stored on it; related activity and login patterns depend
# on the case and are computed over its alerts by the assistant (CaseObservable.enrichment).
SPECS: tuple[Spec, ...] = (
    Spec(AssistKey.IP_REPUTATION, frozenset({"ip", "cidr"}), ip_reputation.enrich),
    Spec(
        AssistKey.PARTNER_MATCH,
        frozenset(partner_match.NETWORK_TYPES | partner_match.DOMAIN_TYPES),
        partner_match.enrich,
    ),
    Spec(AssistKey.LOOKALIKE_DOMAIN, frozenset(lookalike_domain.APPLIES_TO), lookalike_domain.enrich),
)


def enrich_value(observable, ctx: Context) -> dict[str, dict]:
    """Every applicable enrichment of one observable, keyed by assist key. Never raises
    except on database errors (which the task retries)."""
    results: dict[str, dict] = {}
    value = observable.value if isinstance(observable.value, str) else ""
    for spec in SPECS:
        if observable.type not in spec.types:
            continue
        try:
            results[spec.key] = spec.run(observable, ctx)
        except DatabaseError:
            raise
        except Exception as exc:  # bad data must not crash the task; record why
            logger.warning(
                "enrichment %s failed for %s:%r", spec.key, observable.type, value[:80], exc_info=True
            )
            results[spec.key] = unknown(f"could not evaluate: {type(exc).__name__}")
    return results


def _enrich_and_store(observables: list[Observable], ctx: Context) -> list[Observable]:
    ctx.observables = observables
    now = timezone.now()
    for observable in observables:
        observable.enrichment = enrich_value(observable, ctx)
        observable.enriched_at = now
        if observable.type in ("ip", "cidr"):
            # The `internal` list may have changed since ingestion flagged it.
            observable.is_internal = lookup.is_internal(observable.value)
    if observables:
        Observable.objects.bulk_update(
            observables, ["enrichment", "enriched_at", "is_internal"], batch_size=500
        )
    return observables


@dataclass
class Enriched:
    alert_id: int
    case_id: int | None
    observables: list[Observable]


@transaction.atomic
def alert_enrich(*, alert_id: int) -> Enriched | None:
    """Enrich every observable of the alert as of the alert's event time, or return None
    when the alert no longer exists. The indicators in the alert's text are linked first
    (cases.services.extraction), so they are enriched with the declared ones."""
    alert = (
        Alert.objects.filter(pk=alert_id)
        .only("id", "case_id", "observed_at", "technique_id", "source_ref", "title", "description")
        .first()
    )
    if alert is None:
        return None
    alert_extract_observables(alert=alert)
    ctx = Context(
        observed_at=alert.observed_at,
        alert_id=alert.pk,
        case_id=alert.case_id,
        technique_id=alert.technique_id,
    )
    observables = list(Observable.objects.filter(alert_links__alert_id=alert.pk).order_by("pk").distinct())
    return Enriched(alert.pk, alert.case_id, _enrich_and_store(observables, ctx))


@transaction.atomic
def case_enrich_observables(*, case_id: int) -> list[Observable]:
    """Re-enrich every observable of a case (after reference data changed), each as of
    the latest alert of the case that carried it."""
    latest: dict[int, tuple[datetime, int]] = {}
    rows = (
        Alert.objects.filter(case_id=case_id)
        .order_by("observed_at", "pk")
        .values_list("alert_observables__observable_id", "observed_at", "pk")
    )
    for observable_id, observed_at, alert_id in rows:
        if observable_id is not None:
            latest[observable_id] = (observed_at, alert_id)  # ordered: the last one wins
    observables = list(Observable.objects.filter(pk__in=list(latest)).order_by("pk"))
    groups: dict[tuple[datetime, int], list[Observable]] = {}
    for observable in observables:
        groups.setdefault(latest[observable.pk], []).append(observable)
    for (at, alert_id), group in groups.items():
        _enrich_and_store(group, Context(observed_at=at, alert_id=alert_id, case_id=case_id))
    return observables


def open_case_ids() -> list[int]:
    return list(Case.objects.open().order_by("pk").values_list("pk", flat=True))
