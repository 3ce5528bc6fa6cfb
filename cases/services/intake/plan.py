"""Decide: which case each alert of a batch opens or joins, as a plan of plain data.

`plan_intake` holds every correlation rule and touches no database: it takes the new
alerts (with their observables' facts, routes and key entities, see keys.py), the open
candidate cases that share a key with them (read and locked by the store), the time and
the settings, and answers an `IntakePlan`: new cases, joins, case-observable spans,
severity and SLA changes and timeline events. The store (store.py) only applies it.

The rules, for each alert in input order:

1. Candidates: cases of the alert's group (an earlier alert of the batch may have opened
   one) sharing one of its key entities, open, whose event-time span
   (first/last_observed_at) lies within `window` of the alert's observed_at.
2. The most recently active candidate wins (latest last_observed_at; a stored case before
   a new one; then the higher id). The alert joins it: count, event-time span and
   techniques grow; a higher severity raises the case's (and, while unclaimed, brings its
   SLA forward to what the new severity allows since opening).
3. No candidate: a new case opens with the alert's title, severity, technique, group and
   the playbook technique its route names; SLA from now.
4. Timeline: "created" for a new case, "severity_raised" when raised, "alert_joined" for
   every alert.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from cases.ingest.base import NativeAlert

from .keys import ObservableFact, Route

CREATED = "created"
ALERT_JOINED = "alert_joined"
SEVERITY_RAISED = "severity_raised"


@dataclass(frozen=True, slots=True)
class AlertInput:
    """A new alert as the planner sees it."""

    alert: NativeAlert
    facts: tuple[ObservableFact, ...]
    route: Route
    keys: tuple[int, ...]


@dataclass(slots=True)
class CaseState:
    """What the planner reads and changes of a case: its severity, count and clocks."""

    severity: int
    alert_count: int
    first_observed_at: datetime
    last_observed_at: datetime
    opened_at: datetime
    acknowledged_at: datetime | None
    sla_due_at: datetime | None


_STATE_FIELDS = tuple(f.name for f in fields(CaseState))


@dataclass(slots=True)
class Candidate(CaseState):
    """An open case read (and locked) by the store, with its links among the keys asked."""

    id: int
    group: str
    technique_id: str
    techniques: list[str]
    keys: frozenset[int] = frozenset()


@dataclass(slots=True, eq=False)
class CasePlan(CaseState):
    """A case this batch opens (is_new, ref < 0) or joins (ref = its id): its new state."""

    ref: int
    is_new: bool
    group: str
    technique_id: str
    playbook_technique: str
    title: str
    techniques: list[str]
    joined: int = 0
    # Observable id -> [first, last] event time seen in this batch.
    links: dict[int, list[datetime]] = field(default_factory=dict)

    def covers(self, observed_at: datetime, window: timedelta) -> bool:
        return self.first_observed_at - window <= observed_at <= self.last_observed_at + window

    def see(self, observable_id: int, at: datetime) -> None:
        span = self.links.get(observable_id)
        if span is None:
            self.links[observable_id] = [at, at]
        else:
            span[0], span[1] = min(span[0], at), max(span[1], at)


@dataclass(frozen=True, slots=True)
class EventPlan:
    """A timeline event: its verb, case, the alert (position in the plan's inputs) it is
    about, and the facts only the planner knows (the store adds ids and references)."""

    case_ref: int
    verb: str
    alert: int
    data: dict


@dataclass(slots=True)
class IntakePlan:
    cases: dict[int, CasePlan]  # by ref
    alert_cases: list[int]  # the case ref of each input alert
    events: list[EventPlan]

    @property
    def new_cases(self) -> list[CasePlan]:
        """In the order they were opened (ref -1, -2, ...)."""
        return sorted((c for c in self.cases.values() if c.is_new), key=lambda c: -c.ref)

    @property
    def joined_cases(self) -> list[CasePlan]:
        return sorted((c for c in self.cases.values() if not c.is_new and c.joined), key=lambda c: c.ref)


def _sla_due(opened_at: datetime, severity: int, sla_minutes: Mapping[int, int]) -> datetime:
    return opened_at + timedelta(minutes=sla_minutes[severity])


def _from_candidate(c: Candidate) -> CasePlan:
    return CasePlan(
        ref=c.id,
        is_new=False,
        group=c.group,
        technique_id=c.technique_id,
        playbook_technique="",
        title="",
        techniques=list(c.techniques or ([c.technique_id] if c.technique_id else [])),
        **{name: getattr(c, name) for name in _STATE_FIELDS},
    )


def plan_intake(
    alerts: Sequence[AlertInput],
    *,
    candidates: Sequence[Candidate],
    now: datetime,
    window: timedelta,
    sla_minutes: Mapping[int, int],
) -> IntakePlan:
    """The plan for these new alerts (see the module docstring)."""
    cases: dict[int, CasePlan] = {}
    index: dict[tuple[str, int], list[CasePlan]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: c.id):
        plan = cases[candidate.id] = _from_candidate(candidate)
        for key in sorted(candidate.keys):
            index[(candidate.group, key)].append(plan)

    alert_cases: list[int] = []
    events: list[EventPlan] = []
    opened = 0
    for position, item in enumerate(alerts):
        native, group = item.alert, item.route.group
        found = {
            id(case): case
            for key in item.keys
            for case in index.get((group, key), ())
            if case.covers(native.observed_at, window)
        }
        if found:
            case = max(found.values(), key=lambda c: (c.last_observed_at, not c.is_new, c.ref))
            case.joined += 1
            case.alert_count += 1
            case.first_observed_at = min(case.first_observed_at, native.observed_at)
            case.last_observed_at = max(case.last_observed_at, native.observed_at)
            for technique in native.technique_ids:
                if technique not in case.techniques:
                    case.techniques.append(technique)
            if native.severity > case.severity:
                events.append(
                    EventPlan(
                        case.ref, SEVERITY_RAISED, position, {"from": case.severity, "to": native.severity}
                    )
                )
                case.severity = native.severity
                if case.acknowledged_at is None:
                    case.sla_due_at = min(
                        case.sla_due_at or now, _sla_due(case.opened_at, case.severity, sla_minutes)
                    )
        else:
            opened += 1
            ref = -opened
            case = cases[ref] = CasePlan(
                ref=ref,
                is_new=True,
                group=group,
                technique_id=native.technique_id,
                playbook_technique=item.route.playbook_technique,
                title=native.title,
                techniques=list(native.technique_ids),
                severity=native.severity,
                alert_count=1,
                first_observed_at=native.observed_at,
                last_observed_at=native.observed_at,
                opened_at=now,
                acknowledged_at=None,
                sla_due_at=_sla_due(now, native.severity, sla_minutes),
                joined=1,
            )
            events.append(EventPlan(ref, CREATED, position, {"technique_id": native.technique_id}))
        events.append(EventPlan(case.ref, ALERT_JOINED, position, {}))
        for fact in item.facts:
            case.see(fact.id, native.observed_at)
        for key in item.keys:
            if case not in index[(group, key)]:
                index[(group, key)].append(case)
        alert_cases.append(case.ref)
    return IntakePlan(cases=cases, alert_cases=alert_cases, events=events)
