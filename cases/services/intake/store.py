"""Write: read what the planner needs, then apply its plan. No correlation rule lives here.

`read_candidates` locks the key entities and reads the open cases sharing them;
`apply_plan` turns an IntakePlan into rows: ids and playbook versions reserved in one
round trip, then every insert and update in one more on PostgreSQL (WriteBatch, prepared
statements); on other databases the plain ORM (OrmBatch). Timeline rows come from the
per-verb builders of cases.services.events.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from cases.ingest.store import (
    WriteBatch,
    case_reference,
    count_ingested,
    create_steps,
    lock_keys_and_read,
    new_row,
    reserve,
    update_joined_cases,
)
from cases.models import Alert, AlertObservable, Case, CaseEvent, CaseObservable, IngestSource
from cases.services import events

from .keys import lock_names
from .plan import ALERT_JOINED, CREATED, SEVERITY_RAISED, AlertInput, Candidate, IntakePlan

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
    "techniques",
    "correlation_group",
    "severity",
    "alert_count",
    "first_observed_at",
    "last_observed_at",
    "opened_at",
    "acknowledged_at",
    "sla_due_at",
)


def read_candidates(
    inputs: Sequence[AlertInput], *, window: timedelta
) -> tuple[list[Candidate], dict[int, Case]]:
    """Lock every (group, key entity) of these alerts, then read the open cases of their
    groups linked to their keys whose event-time span reaches into the window, locked.

    Two simple statements with fixed plans (links newest first through the (observable,
    case) index; then the cases by id) rather than one join whose plan depends on fresh
    statistics. Answers the planner's Candidates and the Case rows by id.
    """
    all_keys = {k for item in inputs for k in item.keys}
    if not all_keys:
        return [], {}
    links = lock_keys_and_read(
        (name for item in inputs for name in lock_names(item.route.group, item.keys)),
        observable_ids=all_keys,
        limit=MAX_CANDIDATE_LINKS,
    )
    if not links:
        return [], {}
    observed = [item.alert.observed_at for item in inputs]
    rows = {
        case.pk: case
        for case in Case.objects.select_for_update()
        .only(*CANDIDATE_FIELDS)
        .open()
        .filter(
            pk__in={case_id for case_id, _ in links},
            correlation_group__in={item.route.group for item in inputs},
            last_observed_at__gte=min(observed) - window,
            first_observed_at__lte=max(observed) + window,
        )
        .order_by("pk")
    }
    keys: dict[int, set[int]] = {}
    for case_id, observable_id in links:
        if case_id in rows:
            keys.setdefault(case_id, set()).add(observable_id)
    candidates = [
        Candidate(
            id=case.pk,
            group=case.correlation_group,
            technique_id=case.technique_id,
            techniques=list(case.techniques or []),
            severity=case.severity,
            alert_count=case.alert_count,
            first_observed_at=case.first_observed_at,
            last_observed_at=case.last_observed_at,
            opened_at=case.opened_at,
            acknowledged_at=case.acknowledged_at,
            sla_due_at=case.sla_due_at,
            keys=frozenset(keys.get(case.pk, ())),
        )
        for case in rows.values()
        if case.first_observed_at is not None and case.last_observed_at is not None
    ]
    return candidates, rows


def apply_plan(
    plan: IntakePlan,
    inputs: Sequence[AlertInput],
    *,
    source: IngestSource,
    stored: dict[int, Case],
    now: datetime,
) -> tuple[list[Alert], dict[int, Case]]:
    """Write the plan. Answers the new Alert rows (in input order) and every touched Case
    by plan ref (new cases with their reserved ids)."""
    new_plans = plan.new_cases
    cases: dict[int, Case] = {}
    for p in new_plans:
        cases[p.ref] = new_row(
            Case,
            title=p.title,
            severity=p.severity,
            status=Case.Status.NEW,
            tier=Case.Tier.L1,
            technique_id=p.technique_id,
            techniques=p.techniques,
            correlation_group=p.group,
            alert_count=p.alert_count,
            first_observed_at=p.first_observed_at,
            last_observed_at=p.last_observed_at,
            opened_at=p.opened_at,
            sla_due_at=p.sla_due_at,
            opening_source_id=source.pk,
        )
    joined_plans = plan.joined_cases
    for p in joined_plans:
        case = cases[p.ref] = stored[p.ref]
        case.alert_count = p.alert_count
        case.first_observed_at = p.first_observed_at
        case.last_observed_at = p.last_observed_at
        case.severity = p.severity
        case.sla_due_at = p.sla_due_at
        case.techniques = p.techniques
        case.updated_at = now

    # Ids and the published version each new case pins, in one round trip (read inside
    # this transaction: a case pins what is published at its opening).
    reserved = reserve(
        case=len(new_plans),
        alert=len(inputs),
        techniques={p.playbook_technique or p.technique_id for p in new_plans},
    )
    for pk, p in zip(reserved.ids["case"], new_plans, strict=True):
        case = cases[p.ref]
        case.pk = pk
        case.reference = case_reference(pk, now.year)
        case.playbook_version_id = reserved.versions[p.playbook_technique or p.technique_id]
        case.needs_playbook = case.playbook_version_id is None

    alerts = []
    for pk, item, ref in zip(reserved.ids["alert"], inputs, plan.alert_cases, strict=True):
        native = item.alert
        alerts.append(
            new_row(
                Alert,
                id=pk,
                source=source,
                source_ref=native.source_ref,
                title=native.title,
                description=native.description,
                severity=native.severity,
                technique_ids=native.technique_ids,
                technique_id=native.technique_id,
                observed_at=native.observed_at,
                tags=native.tags,
                raw=native.raw,
                flags=native.flags,
                case=cases[ref],
            )
        )

    batch = WriteBatch.for_connection()
    batch.insert(Case, [cases[p.ref] for p in new_plans])
    create_steps(
        batch,
        [
            (cases[p.ref].pk, cases[p.ref].playbook_version_id)
            for p in new_plans
            if cases[p.ref].playbook_version_id
        ],
    )
    batch.insert(Alert, alerts)
    batch.insert(
        AlertObservable,
        [
            new_row(AlertObservable, alert_id=alert.pk, observable_id=fact.id, role=fact.role)
            for alert, item in zip(alerts, inputs, strict=True)
            for fact in item.facts
        ],
    )
    batch.insert(
        CaseObservable,
        _case_links(plan, cases),
        update_conflicts_on=["case", "observable"],
        update_fields=["first_seen_at", "last_seen_at"],
    )
    update_joined_cases(batch, [cases[p.ref] for p in joined_plans])
    batch.insert(CaseEvent, _event_rows(plan, cases, alerts, source))
    count_ingested(batch, source, len(alerts), now)
    batch.execute()
    return alerts, cases


def _case_links(plan: IntakePlan, cases: dict[int, Case]) -> list[CaseObservable]:
    """Every (case, observable) span of the plan; a joined case's stored links keep their
    widest span (read here: the case rows are locked, and only intake writes links)."""
    joined = plan.joined_cases
    spans: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    if joined:
        spans = {
            (case_id, obs_id): (first, last)
            for case_id, obs_id, first, last in CaseObservable.objects.filter(
                case_id__in=[p.ref for p in joined],
                observable_id__in=set().union(*(p.links.keys() for p in joined)),
            ).values_list("case_id", "observable_id", "first_seen_at", "last_seen_at")
        }
    rows = []
    for p in plan.new_cases + joined:
        case_id = cases[p.ref].pk
        for obs_id in sorted(p.links):
            first, last = p.links[obs_id]
            if (case_id, obs_id) in spans:
                old_first, old_last = spans[(case_id, obs_id)]
                first, last = min(first, old_first), max(last, old_last)
            rows.append(
                new_row(
                    CaseObservable,
                    case_id=case_id,
                    observable_id=obs_id,
                    first_seen_at=first,
                    last_seen_at=last,
                )
            )
    return rows


def _event_rows(plan: IntakePlan, cases: dict[int, Case], alerts: list[Alert], source: IngestSource) -> list:
    rows = []
    for event in plan.events:
        case, alert = cases[event.case_ref], alerts[event.alert]
        if event.verb == CREATED:
            row = events.created(case, alert=alert, technique_id=event.data["technique_id"], source=source)
        elif event.verb == SEVERITY_RAISED:
            row = events.severity_raised(
                case,
                alert=alert,
                from_severity=event.data["from"],
                to_severity=event.data["to"],
                source=source,
            )
        elif event.verb == ALERT_JOINED:
            row = events.alert_joined(case, alert=alert, source=source)
        else:
            raise ValueError(f"intake plans no {event.verb!r} event")
        rows.append(row)
    return rows
