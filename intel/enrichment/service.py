"""Enriching the observables of an alert: run each applicable enricher, store the results.

The task calls `enrich_alert(alert_id=...)` after ingestion commits; `refresh_observables`
re-runs enrichment for open cases when reference data changes. Idempotent: a run
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
from django.db.models import Max
from django.utils import timezone

from cases.models import Alert, Observable

from . import ip_reputation, login_pattern, lookalike_domain, partner_match, related_activity
from .base import Context, unknown

logger = logging.getLogger(__name__)

ALL_TYPES = frozenset(Observable.Type.values)


@dataclass(frozen=True)
class Spec:
    key: str
    types: frozenset[str]
    run: Callable[[Observable, Context], dict]


# Which enrichers apply to which observable types, in the order they run.
SPECS: tuple[Spec, ...] = (
    Spec("ip_reputation", frozenset({"ip", "cidr"}), ip_reputation.enrich),
    Spec(
        "partner_match",
        frozenset(partner_match.NETWORK_TYPES | partner_match.DOMAIN_TYPES),
        partner_match.enrich,
    ),
    Spec("lookalike_domain", frozenset(lookalike_domain.APPLIES_TO), lookalike_domain.enrich),
    Spec("related_activity", ALL_TYPES, related_activity.enrich),
    Spec("login_pattern", frozenset(login_pattern.APPLIES_TO), login_pattern.enrich),
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
    if observables:
        Observable.objects.bulk_update(observables, ["enrichment", "enriched_at"], batch_size=500)
    return observables


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
    observables = list(Observable.objects.filter(alert_links__alert_id=alert.pk).order_by("pk").distinct())
    return Enriched(alert.pk, alert.case_id, _enrich_and_store(observables, ctx))


@transaction.atomic
def enrich_case_observables(*, case_id: int) -> list[Observable]:
    """Re-enrich every observable of a case as of its latest alert (after reference data
    changed). Each observable is evaluated at the time of its own latest alert in the case."""
    latest = (
        Alert.objects.filter(case_id=case_id)
        .order_by()
        .values("alert_observables__observable_id")
        .annotate(at=Max("observed_at"), alert=Max("id"))
    )
    by_observable: dict[int, tuple[datetime, int]] = {
        row["alert_observables__observable_id"]: (row["at"], row["alert"])
        for row in latest
        if row["alert_observables__observable_id"] is not None
    }
    observables = list(Observable.objects.filter(pk__in=list(by_observable)).order_by("pk"))
    groups: dict[tuple[datetime, int], list[Observable]] = {}
    for observable in observables:
        groups.setdefault(by_observable[observable.pk], []).append(observable)
    for (at, alert_id), group in groups.items():
        _enrich_and_store(group, Context(observed_at=at, alert_id=alert_id, case_id=case_id))
    return observables


def refresh_open_cases() -> int:
    """Re-enrich and re-suggest every open case, one transaction per case (a long refresh
    never holds locks on all cases at once). Returns the number of cases refreshed."""
    from cases.models import Case
    from intel import assistant

    count = 0
    for case_id in Case.objects.open().order_by("pk").values_list("pk", flat=True).iterator():
        enrich_case_observables(case_id=case_id)
        assistant.refresh_case(case_id=case_id)
        count += 1
    return count
