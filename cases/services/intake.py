"""Alert intake: a validated NativeAlert becomes an Alert row attached to a case.

One transaction per call. For each alert, in input order:

1. Idempotency: (source, source_ref) already stored -> the existing alert, `created=False`,
   nothing changed. The unique constraint decides races: a concurrent insert makes this
   transaction fail with IntegrityError and the retry answers "duplicate".
2. Observables are got-or-created once per (type, value), internal addresses flagged.
3. Correlation: the alert joins an open case with the same technique that shares a key
   entity (source IP, user, sender/partner domain) and whose event-time span
   (first/last_observed_at) lies within VIGIL_CORRELATION_WINDOW of the alert's
   observed_at; the most recently active one wins. Otherwise a new case opens, pinned to
   the technique's current published playbook version (read in the same round trip as the
   new ids), with one CaseStep per item.
4. Timeline: "created" (new case), "alert_joined" (every alert), "severity_raised".
5. After commit, enrichment is dispatched per alert; `dispatched_at` records success and
   cases.tasks.sweep_undispatched re-sends whatever a broker outage left behind.

`ingest_alerts` handles a whole batch in one transaction with set-based writes (a
constant number of queries per batch, not per alert); `ingest_alert` is the one-alert
case of it, so both paths share every rule.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from cases.ingest.base import InvalidAlert, NativeAlert
from cases.ingest.store import (
    WriteBatch,
    case_reference,
    count_ingested,
    create_steps,
    ensure_observables,
    lock_keys_and_read,
    new_row,
    reserve,
    stamp_dispatched,
    update_joined_cases,
)
from cases.models import (
    Alert,
    AlertObservable,
    Case,
    CaseEvent,
    CaseObservable,
    IngestSource,
    Observable,
)
from soc.tasks import send_task_safely

__all__ = ["IntakeResult", "InvalidAlert", "NativeAlert", "ingest_alert", "ingest_alerts"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
FAN_OUT_CHUNK = 1000
# Correlation looks at the newest cases linked to an alert's key entities, at most this
# many links: an entity seen in more cases than that (a scanner, over months) is only
# matched against its recent ones, which are the ones that can be open in the window.
MAX_CANDIDATE_LINKS = 2000
# What correlation reads of a candidate case (and the API answers with).
CANDIDATE_FIELDS = (
    "id",
    "reference",
    "status",
    "technique_id",
    "severity",
    "alert_count",
    "first_observed_at",
    "last_observed_at",
    "opened_at",
    "acknowledged_at",
    "sla_due_at",
)
Role = AlertObservable.Role
OType = Observable.Type


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


# --- one attempt ---------------------------------------------------------------------------


@dataclass(eq=False)
class _CaseState:
    """A case touched by this batch: new (no pk yet) or locked from the database."""

    case: Case
    is_new: bool
    observable_ids: set[int] = field(default_factory=set)
    joined: int = 0
    first_seen: dict[int, datetime] = field(default_factory=dict)
    last_seen: dict[int, datetime] = field(default_factory=dict)

    def covers(self, observed_at: datetime, window: timedelta) -> bool:
        c = self.case
        if not c.is_open or c.first_observed_at is None or c.last_observed_at is None:
            return False
        return c.first_observed_at - window <= observed_at <= c.last_observed_at + window

    def see(self, observable_id: int, at: datetime) -> None:
        self.observable_ids.add(observable_id)
        if observable_id not in self.first_seen or at < self.first_seen[observable_id]:
            self.first_seen[observable_id] = at
        if observable_id not in self.last_seen or at > self.last_seen[observable_id]:
            self.last_seen[observable_id] = at


def _key_observable_ids(alert: NativeAlert, observables: dict[tuple[str, str], Observable]) -> list[int]:
    """Entities that make two alerts "the same activity": the source IP, the user, the
    sender's or partner's domain. Internal IPs count only as an explicit source (an
    insider); text-extracted values and our own domains never count."""
    org_domains = tuple(d.lower() for d in settings.VIGIL_ORG_DOMAINS)
    keys = []
    for type_, value, role in alert.observables:
        if role == Role.EXTRACTED:
            continue
        obs = observables[(type_, value)]
        if type_ == OType.IP:
            is_key = role == Role.SOURCE or (role == Role.DECLARED and not obs.is_internal)
        elif type_ == OType.DOMAIN:
            is_key = not any(value == d or value.endswith("." + d) for d in org_domains)
        else:
            is_key = type_ == OType.USER
        if is_key:
            keys.append(obs.pk)
    return keys


def _sla_due(opened_at: datetime, severity: int) -> datetime:
    return opened_at + timedelta(minutes=settings.VIGIL_SLA_MINUTES[severity])


def _event(case: Case, verb: str, source: IngestSource, data: dict) -> CaseEvent:
    # Built here and inserted in bulk with the batch (cases.services.events writes one row
    # per call); same fields as case_event_record(..., source=source). By id: the rows are
    # only written, and rows without related objects skip WriteBatch's unsaved-object check.
    return new_row(CaseEvent, case_id=case.pk, verb=verb, actor_id=None, actor_source_id=source.pk, data=data)


def _alert_event_data(alert: Alert) -> dict:
    return {"alert_id": alert.pk, "source_ref": alert.source_ref, "title": alert.title}


@transaction.atomic
def _ingest_once(
    source: IngestSource, alerts: list[NativeAlert], *, check_existing: bool
) -> list[IntakeResult]:
    now = timezone.now()
    window = settings.VIGIL_CORRELATION_WINDOW
    results: list[IntakeResult | None] = [None] * len(alerts)

    # 1. Idempotency.
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
    seen_refs: set[str] = set()
    for i, native in enumerate(alerts):
        if native.source_ref in existing:
            stored = existing[native.source_ref]
            results[i] = IntakeResult(alert=stored, case=stored.case, created=False)
        elif native.source_ref in seen_refs:
            repeats.append((i, native.source_ref))
        else:
            seen_refs.add(native.source_ref)
            new.append((i, native))
    if not new:
        return results  # type: ignore[return-value]

    # 2. Observables.
    observables = ensure_observables((t, v) for _, a in new for t, v, _r in a.observables)
    keys = {i: _key_observable_ids(a, observables) for i, a in new}

    # 3. Correlation: lock the entities, then read the cases sharing a key (newest first,
    # through the (observable, case) index), then lock those that are open and in the
    # window. Two simple statements with fixed plans rather than one join whose plan
    # depends on fresh statistics.
    states: dict[int, _CaseState] = {}  # by case pk, for cases read from the database
    index: dict[tuple[str, int], list[_CaseState]] = defaultdict(list)
    all_keys = {k for ks in keys.values() for k in ks}
    if all_keys:
        links = lock_keys_and_read(
            (f"{a.technique_id}:{k}" for i, a in new for k in keys[i]),
            observable_ids=all_keys,
            limit=MAX_CANDIDATE_LINKS,
        )
        if links:
            observed = [a.observed_at for _, a in new]
            for case in (
                Case.objects.select_for_update()
                .only(*CANDIDATE_FIELDS)
                .open()
                .filter(
                    pk__in={case_id for case_id, _ in links},
                    technique_id__in={a.technique_id for _, a in new},
                    last_observed_at__gte=min(observed) - window,
                    first_observed_at__lte=max(observed) + window,
                )
                .order_by("pk")
            ):
                states[case.pk] = _CaseState(case=case, is_new=False)
            for case_id, obs_id in links:
                if case_id in states:
                    index[(states[case_id].case.technique_id, obs_id)].append(states[case_id])

    created_alerts: list[Alert] = []
    alert_states: list[_CaseState] = []
    new_states: list[_CaseState] = []
    events: list[tuple[_CaseState, str, dict, Alert]] = []  # (case, verb, data, alert)

    for i, native in new:
        technique = native.technique_id
        candidates_for_alert = {
            id(s): s
            for k in keys[i]
            for s in index.get((technique, k), ())
            if s.covers(native.observed_at, window)
        }
        alert = new_row(
            Alert,
            source=source,
            source_ref=native.source_ref,
            title=native.title,
            description=native.description,
            severity=native.severity,
            technique_ids=native.technique_ids,
            technique_id=technique,
            observed_at=native.observed_at,
            tags=native.tags,
            raw=native.raw,
            flags=native.flags,
        )
        if candidates_for_alert:
            state = max(
                candidates_for_alert.values(),
                key=lambda s: (s.case.last_observed_at, not s.is_new, s.case.pk or 0),
            )
            case = state.case
            state.joined += 1
            case.alert_count += 1
            case.first_observed_at = min(case.first_observed_at, native.observed_at)
            case.last_observed_at = max(case.last_observed_at, native.observed_at)
            if native.severity > case.severity:
                events.append(
                    (
                        state,
                        CaseEvent.Verb.SEVERITY_RAISED,
                        {"from": case.severity, "to": native.severity},
                        alert,
                    )
                )
                case.severity = native.severity
                if case.acknowledged_at is None:
                    case.sla_due_at = min(case.sla_due_at or now, _sla_due(case.opened_at, case.severity))
        else:
            # The playbook version is read with the ids below (one round trip).
            case = new_row(
                Case,
                title=native.title,
                severity=native.severity,
                status=Case.Status.NEW,
                tier=Case.Tier.L1,
                technique_id=technique,
                alert_count=1,
                first_observed_at=native.observed_at,
                last_observed_at=native.observed_at,
                opened_at=now,
                sla_due_at=_sla_due(now, native.severity),
            )
            state = _CaseState(case=case, is_new=True)
            new_states.append(state)
            events.append((state, CaseEvent.Verb.CREATED, {"technique_id": technique}, alert))
        events.append((state, CaseEvent.Verb.ALERT_JOINED, {}, alert))
        for type_, value, _role in native.observables:
            state.see(observables[(type_, value)].pk, native.observed_at)
        for k in keys[i]:
            if state not in index[(technique, k)]:
                index[(technique, k)].append(state)
        created_alerts.append(alert)
        alert_states.append(state)

    # 4. Writes: ids and playbook versions first, then every insert and update in one
    # round trip (WriteBatch).
    reserved = reserve(
        case=len(new_states),
        alert=len(created_alerts),
        techniques={s.case.technique_id for s in new_states},
    )
    ids = reserved.ids
    for pk, state in zip(ids["case"], new_states, strict=True):
        state.case.pk = pk
        state.case.reference = case_reference(pk, now.year)
        # Pinned to the technique's current published version (parent's for a
        # sub-technique without one); no playbook: flagged for triage.
        state.case.playbook_version_id = reserved.versions[state.case.technique_id]
        state.case.needs_playbook = state.case.playbook_version_id is None
    for pk, alert, state in zip(ids["alert"], created_alerts, alert_states, strict=True):
        alert.pk = pk
        alert.case = state.case
    batch = WriteBatch()
    batch.insert(Case, [s.case for s in new_states])
    create_steps(
        batch, [(s.case.pk, s.case.playbook_version_id) for s in new_states if s.case.playbook_version_id]
    )
    batch.insert(Alert, created_alerts)
    batch.insert(
        AlertObservable,
        [
            new_row(AlertObservable, alert_id=alert.pk, observable_id=observables[(t, v)].pk, role=role)
            for alert, (_, native) in zip(created_alerts, new, strict=True)
            for t, v, role in native.observables
        ],
    )

    # A joined case's existing links keep their widest span: read them (the case rows are
    # locked, and only intake writes links), merge, and write every link in one upsert.
    joined = [s for s in states.values() if s.joined]
    spans: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    if joined:
        spans = {
            (case_id, obs_id): (first, last)
            for case_id, obs_id, first, last in CaseObservable.objects.filter(
                case_id__in=[s.case.pk for s in joined],
                observable_id__in=set().union(*(s.observable_ids for s in joined)),
            ).values_list("case_id", "observable_id", "first_seen_at", "last_seen_at")
        }
    case_links = []
    for state in new_states + joined:
        for obs_id in sorted(state.observable_ids):
            first, last = state.first_seen[obs_id], state.last_seen[obs_id]
            if (state.case.pk, obs_id) in spans:
                old_first, old_last = spans[(state.case.pk, obs_id)]
                first, last = min(first, old_first), max(last, old_last)
            case_links.append(
                new_row(
                    CaseObservable,
                    case_id=state.case.pk,
                    observable_id=obs_id,
                    first_seen_at=first,
                    last_seen_at=last,
                )
            )
    batch.insert(
        CaseObservable,
        case_links,
        update_conflicts_on=["case", "observable"],
        update_fields=["first_seen_at", "last_seen_at"],
    )
    for state in joined:
        state.case.updated_at = now
    update_joined_cases(batch, [s.case for s in joined])

    event_rows = []
    for state, verb, data, alert in events:
        payload = {**data, **_alert_event_data(alert)}
        if verb == CaseEvent.Verb.CREATED:
            payload = {"reference": state.case.reference, **payload}
        event_rows.append(_event(state.case, verb, source, payload))
    batch.insert(CaseEvent, event_rows)
    count_ingested(batch, source, len(created_alerts), now)
    batch.execute()

    alert_ids = [a.pk for a in created_alerts]
    transaction.on_commit(lambda: dispatch_enrichment(alert_ids))

    by_ref = {}
    for (i, _native), alert, state in zip(new, created_alerts, alert_states, strict=True):
        results[i] = IntakeResult(alert=alert, case=state.case, created=True)
        by_ref[alert.source_ref] = results[i]
    for i, ref in repeats:
        first = by_ref[ref]
        results[i] = IntakeResult(alert=first.alert, case=first.case, created=False)
    return results  # type: ignore[return-value]


def dispatch_enrichment(alert_ids: Sequence[int]) -> int:
    """Send enrichment for these alerts and stamp `dispatched_at` on the ones handed over.

    One alert: intel.tasks.enrich_alert directly. Several: one cases.tasks.fan_out_enrichment
    message per chunk, which the worker splits into one enrich_alert per alert; a batch of
    500 is then one broker round trip in the request, not 500. Stops at the first broker
    failure (the rest would wait for the same timeout); the sweeper re-sends what is left.
    Returns how many alerts were handed over.
    """
    if not alert_ids:
        return 0
    from cases.tasks import fan_out_enrichment
    from intel.tasks import enrich_alert

    sent: list[int] = []
    if len(alert_ids) == 1:
        if send_task_safely(enrich_alert, alert_ids[0]):
            sent = list(alert_ids)
    else:
        for start in range(0, len(alert_ids), FAN_OUT_CHUNK):
            chunk = list(alert_ids[start : start + FAN_OUT_CHUNK])
            if not send_task_safely(fan_out_enrichment, chunk):
                break
            sent += chunk
    if sent:
        stamp_dispatched(sent, timezone.now())
    return len(sent)
