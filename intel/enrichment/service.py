"""Enriching the observables of an alert: run each applicable enricher, store the results.

The task calls `enrich_alert(alert_id=...)` after ingestion commits; the reference-data
services call `refresh_open_cases()` (through a task) when lists or partners change.
Idempotent: a run recomputes every result from the data as it is now and overwrites it.
One bad value never stops the run: an enricher that raises records verdict `unknown`
with the reason. Database errors are re-raised so the task retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils import timezone

from cases.models import Alert, Observable

from . import ip_reputation
from .base import Context, unknown

logger = logging.getLogger(__name__)

Enricher = Callable[[str, str, Context], dict]


@dataclass(frozen=True)
class Spec:
    key: str
    types: frozenset[str]
    run: Enricher


# Which enrichers apply to which observable types, in the order they run.
SPECS: list[Spec] = [
    Spec("ip_reputation", frozenset({"ip", "cidr"}), ip_reputation.enrich),
]


def register(spec: Spec) -> None:
    SPECS.append(spec)


def enrich_value(observable_type: str, value: str, ctx: Context) -> dict[str, dict]:
    """Every applicable enrichment of one value, keyed by assist key. Never raises except
    on database errors (which the task retries)."""
    results: dict[str, dict] = {}
    for spec in SPECS:
        if observable_type not in spec.types:
            continue
        try:
            results[spec.key] = spec.run(observable_type, value, ctx)
        except DatabaseError:
            raise
        except Exception as exc:  # bad data must not crash the task; record why
            logger.warning(
                "enrichment %s failed for %s:%r", spec.key, observable_type, value[:80], exc_info=True
            )
            results[spec.key] = unknown(f"could not evaluate: {type(exc).__name__}")
    return results


def _store(observables: Iterable[Observable], ctx_for: Callable[[Observable], Context]) -> list[Observable]:
    now = timezone.now()
    changed = []
    for observable in observables:
        fresh = enrich_value(observable.type, observable.value, ctx_for(observable))
        observable.enrichment = fresh
        observable.enriched_at = now
        changed.append(observable)
    if changed:
        Observable.objects.bulk_update(changed, ["enrichment", "enriched_at"], batch_size=500)
    return changed


@dataclass
class Enriched:
    alert_id: int
    case_id: int | None
    observables: list[Observable]


@transaction.atomic
def enrich_alert(*, alert_id: int) -> Enriched | None:
    """Enrich every observable of the alert as of the alert's event time, or return None
    when the alert no longer exists."""
    alert = Alert.objects.filter(pk=alert_id).only("id", "case_id", "observed_at", "technique_id").first()
    if alert is None:
        return None
    ctx = Context(
        observed_at=alert.observed_at,
        alert_id=alert.pk,
        case_id=alert.case_id,
        technique_id=alert.technique_id,
    )
    observables = Observable.objects.filter(alert_links__alert_id=alert.pk).order_by("pk").distinct()
    return Enriched(alert.pk, alert.case_id, _store(observables, lambda _obs: ctx))
