"""The stage clocks of one case, computed from its milestones: a pure function of the
case's timestamps, the policy of its severity, the calendar and "now".

Stages and their milestones:

- acknowledge: opened_at -> acknowledged_at (a case closed unclaimed ends it unmeasured)
- t2_pickup: escalated_at -> t2_picked_up_at (only the latest escalation counts)
- containment: t2_picked_up_at -> containment_started_at (a case resolved without
  containment ends it unmeasured)
- resolution: opened_at -> resolved_at, or closed_at for a case L1 closed
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .calendar import WorkingCalendar
from .models import SlaPolicy, Stage

WARNING = "warning"
BREACHED = "breached"


@dataclass(frozen=True)
class StageClock:
    stage: str
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    target_minutes: int
    ended_at: datetime | None = None
    running: bool = True

    @property
    def label(self) -> str:
        return Stage(self.stage).label

    def state(self, now: datetime) -> str:
        """met | breached | warning | running | stopped (ended without a measure)."""
        if self.ended_at is not None:
            return "met" if self.ended_at <= self.due_at else BREACHED
        if not self.running:
            return "stopped"
        if now > self.due_at:
            return BREACHED
        return WARNING if now >= self.warn_at else "running"

    def alarm_key(self, kind: str) -> str:
        """Identifies one alarm of one stage instance (a re-escalation is a new instance)."""
        return f"{self.stage}@{self.started_at.isoformat()}:{kind}"


def _deadline(start: datetime, minutes: float, policy: SlaPolicy, calendar: WorkingCalendar) -> datetime:
    if policy.clock == SlaPolicy.Clock.WORKING:
        return calendar.add(start, minutes)
    return start + timedelta(minutes=minutes)


def stage_clocks(
    case, policy: SlaPolicy, calendar: WorkingCalendar, warning_ratio: float
) -> list[StageClock]:
    """Every stage the case has started, in stage order."""
    is_open = case.status not in ("resolved", "closed")
    ended = case.resolved_at or case.closed_at
    picked_up = case.t2_picked_up_at
    if picked_up is not None and case.escalated_at is not None and picked_up < case.escalated_at:
        picked_up = None  # picked up before the latest escalation: this one is still waiting

    spans: list[tuple[str, datetime, datetime | None, bool]] = [
        (Stage.ACKNOWLEDGE, case.opened_at, case.acknowledged_at, is_open and case.acknowledged_at is None),
    ]
    if case.escalated_at is not None:
        spans.append((Stage.T2_PICKUP, case.escalated_at, picked_up, case.status == "escalated"))
    if picked_up is not None:
        contained = case.containment_started_at
        if contained is not None and contained < picked_up:
            contained = None
        spans.append((Stage.CONTAINMENT, picked_up, contained, case.status == "investigating"))
    spans.append((Stage.RESOLUTION, case.opened_at, None if is_open else ended, is_open))

    clocks = []
    for stage, start, end, running in spans:
        if start is None:
            continue
        minutes = policy.target_minutes(stage)
        clocks.append(
            StageClock(
                stage=stage,
                started_at=start,
                due_at=_deadline(start, minutes, policy, calendar),
                warn_at=_deadline(start, minutes * warning_ratio, policy, calendar),
                target_minutes=minutes,
                ended_at=end,
                running=running and end is None,
            )
        )
    return clocks


def current_clock(clocks: list[StageClock]) -> StageClock | None:
    """The running stage that is due first (what the case's countdown shows)."""
    running = [clock for clock in clocks if clock.running]
    return min(running, key=lambda clock: clock.due_at) if running else None


def pending_alarms(clocks: list[StageClock], sent: set[str]) -> list[tuple[datetime, str, StageClock]]:
    """(when, kind, clock) of every alarm of a running stage not yet recorded."""
    alarms = []
    for clock in clocks:
        if not clock.running:
            continue
        for when, kind in ((clock.warn_at, WARNING), (clock.due_at, BREACHED)):
            if clock.alarm_key(kind) not in sent:
                alarms.append((when, kind, clock))
    return sorted(alarms, key=lambda alarm: alarm[0])
