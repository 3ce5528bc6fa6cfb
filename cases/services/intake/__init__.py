"""Alert intake: a validated NativeAlert becomes an Alert row attached to a case.

One transaction per call, in two halves that never mix:

- decide (pure, no database): `keys.py` routes each alert to a correlation group (the
  published playbook covering its techniques, else its technique) and picks its key
  entities; `plan.py`'s `plan_intake` decides which case each alert opens or joins, with
  the severity/SLA changes and timeline events, as plain data;
- write: `store.py` reads and locks what the planner needs and applies its plan
  (PostgreSQL fast path with prepared statements; the plain ORM elsewhere).

For each alert, in input order:

1. Idempotency: (source, source_ref) already stored -> the existing alert, `created=False`,
   nothing changed. The unique constraint decides races: a concurrent insert makes this
   transaction fail with IntegrityError and the retry answers "duplicate".
2. Observables are got-or-created once per (type, value), internal addresses flagged.
3. Correlation and case opening (plan.py, keys.py); a new case pins the published version
   of the playbook that covers it (read in the same round trip as the new ids), with one
   CaseStep per item, or is flagged `needs_playbook`.
4. After commit, the new alerts' enrichment goes to this process's relay thread (relay.py),
   which sends it in batches (dispatch.py); `dispatched_at` records success and
   cases.tasks.sweep_undispatched re-sends whatever a broker outage or a dead process left.

`ingest_alerts` handles a whole batch in one transaction with set-based writes (a constant
number of queries per batch, not per alert); `ingest_alert` is the one-alert case of it.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from cases.ingest.base import InvalidAlert, NativeAlert
from cases.ingest.store import ensure_observables
from cases.models import Alert, Case, IngestSource, Observable
from intel.lookup import is_shared
from playbooks.routing import current_coverage

from .dispatch import dispatch_enrichment
from .keys import ObservableFact, key_ids, route
from .plan import AlertInput, IntakePlan, plan_intake
from .relay import relay_enrichment
from .store import apply_plan, read_candidates

__all__ = [
    "IntakePlan",
    "IntakeResult",
    "InvalidAlert",
    "NativeAlert",
    "dispatch_enrichment",
    "ingest_alert",
    "ingest_alerts",
    "plan_intake",
    "relay_enrichment",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class IntakeResult:
    alert: Alert
    case: Case
    created: bool


def ingest_alert(*, source: IngestSource, alert: NativeAlert) -> IntakeResult:
    """Store one alert and attach it to a case (see the module docstring)."""
    return ingest_alerts(source=source, alerts=[alert])[0]


def ingest_alerts(*, source: IngestSource, alerts: Sequence[NativeAlert]) -> list[IntakeResult]:
    """Store a batch of alerts in one transaction; one result per input, in order.

    A source_ref repeated inside the batch is handled like a repeat across batches: the
    later occurrences answer the first one's alert with `created=False`.
    """
    if not alerts:
        return []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            # A single alert skips the duplicate check on its first attempt: the unique
            # constraint refuses a repeat (retries are rare), the transaction rolls back
            # and the retry reads the stored alert. That saves a round trip per request.
            return _ingest_once(source, list(alerts), check_existing=attempt > 1 or len(alerts) > 1)
        except (IntegrityError, OperationalError) as exc:
            # A concurrent request stored one of these source_refs first (IntegrityError),
            # or PostgreSQL broke a lock cycle (deadlock, 40P01): start over; the retry
            # reads the other request's rows and answers "duplicate" where it must.
            if attempt == MAX_ATTEMPTS or not _is_retryable(exc):
                raise
            logger.debug("intake retry %s after %s", attempt, type(exc).__name__)
    raise AssertionError("unreachable")


def _is_retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    code = getattr(getattr(exc, "__cause__", None), "pgcode", None)
    return code in {"40P01", "40001"}


def _split_new(source, alerts, check_existing: bool):
    """(results so far, new alerts with their positions, repeats inside the batch)."""
    results: list[IntakeResult | None] = [None] * len(alerts)
    existing = {}
    if check_existing:
        existing = {
            a.source_ref: a
            for a in Alert.objects.filter(
                source=source, source_ref__in={a.source_ref for a in alerts}
            ).select_related("case")
        }
    new: list[tuple[int, NativeAlert]] = []
    repeats: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, native in enumerate(alerts):
        if native.source_ref in existing:
            stored = existing[native.source_ref]
            results[i] = IntakeResult(alert=stored, case=stored.case, created=False)
        elif native.source_ref in seen:
            repeats.append((i, native.source_ref))
        else:
            seen.add(native.source_ref)
            new.append((i, native))
    return results, new, repeats


def _inputs(new: list[tuple[int, NativeAlert]]) -> list[AlertInput]:
    """The planner's view of each alert: observable facts (ids, internal, flagged never to
    correlate, shared at the alert's event time), its route by playbook coverage, its key entities."""
    observables = ensure_observables((t, v) for _, a in new for t, v, _r in a.observables)
    coverage = current_coverage()
    org_domains = settings.VIGIL_ORG_DOMAINS
    suffixes = settings.VIGIL_INTERNAL_HOSTNAME_SUFFIXES
    inputs = []
    for _, native in new:
        facts = []
        for type_, value, role in native.observables:
            obs = observables[(type_, value)]
            shared = type_ == Observable.Type.IP and is_shared(value, at=native.observed_at)
            facts.append(
                ObservableFact(
                    obs.pk,
                    type_,
                    value,
                    role,
                    internal=obs.is_internal,
                    shared=shared,
                    never_correlate=obs.never_correlate,
                )
            )
        facts = tuple(facts)
        inputs.append(
            AlertInput(
                alert=native,
                facts=facts,
                route=route(native.technique_ids, coverage),
                keys=tuple(key_ids(facts, org_domains=org_domains, internal_suffixes=suffixes)),
            )
        )
    return inputs


@transaction.atomic
def _ingest_once(
    source: IngestSource, alerts: list[NativeAlert], *, check_existing: bool
) -> list[IntakeResult]:
    now = timezone.now()
    window = settings.VIGIL_CORRELATION_WINDOW
    results, new, repeats = _split_new(source, alerts, check_existing)
    if not new:
        return results  # type: ignore[return-value]
    inputs = _inputs(new)
    candidates, stored = read_candidates(inputs, window=window)
    plan = plan_intake(
        inputs, candidates=candidates, now=now, window=window, sla_minutes=settings.VIGIL_SLA_MINUTES
    )
    created, cases = apply_plan(plan, inputs, source=source, stored=stored, now=now)

    alert_ids = [a.pk for a in created]
    transaction.on_commit(lambda: relay_enrichment(alert_ids))

    by_ref = {}
    for (i, _native), alert, ref in zip(new, created, plan.alert_cases, strict=True):
        results[i] = by_ref[alert.source_ref] = IntakeResult(alert=alert, case=cases[ref], created=True)
    for i, ref in repeats:
        first = by_ref[ref]
        results[i] = IntakeResult(alert=first.alert, case=first.case, created=False)
    return results  # type: ignore[return-value]
