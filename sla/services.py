"""SLA services: the policies (created from the settings on first read), the sync of the
cases' SLA columns from their milestones, and the scan that records warnings and breaches
on the timeline (CaseEvent verbs ``sla_warning`` and ``sla_breached``, once each)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseEvent, Severity
from cases.services import events
from soc.tasks import send_task_safely

from .calendar import WorkingCalendar
from .models import SlaPolicy, Stage
from .stages import BREACHED, StageClock, current_clock, pending_alarms, stage_clocks

EVENT_OF = {"warning": events.sla_warning, BREACHED: events.sla_breached}  # alarm kind -> builder
POLICY_CACHE_KEY = "sla:policies:v1"
SYNC_FIELDS = [
    "sla_acknowledge_due_at",
    "sla_t2_pickup_due_at",
    "sla_containment_due_at",
    "sla_resolution_due_at",
    "sla_stage",
    "sla_stage_due_at",
    "sla_alarm_at",
]
# Columns the stage computation reads (the sync and scan load only these).
CLOCK_FIELDS = [
    "id",
    "severity",
    "status",
    "opened_at",
    "acknowledged_at",
    "escalated_at",
    "t2_picked_up_at",
    "containment_started_at",
    "resolved_at",
    "closed_at",
    "sla_alarms_sent",
    *SYNC_FIELDS,
]
# Changes committed up to this long after their updated_at are still seen by the sync.
SYNC_OVERLAP = timedelta(minutes=5)
SCAN_BATCH = 2000
SYNC_BATCH = 5000


def _default_minutes(stage: str, severity: int) -> int:
    if stage == Stage.ACKNOWLEDGE:
        return settings.VIGIL_SLA_MINUTES[severity]
    values = getattr(settings, f"VIGIL_SLA_{stage.upper()}_MINUTES")
    return values[Severity.CRITICAL - severity]  # "critical,high,medium,low"


def policies() -> dict[int, SlaPolicy]:
    """The policy of every severity, created from the settings where missing (cached)."""
    found = cache.get(POLICY_CACHE_KEY)
    if found is not None:
        return found
    found = {policy.severity: policy for policy in SlaPolicy.objects.all()}
    for severity in Severity.values:
        if severity not in found:
            defaults = {f"{stage}_minutes": _default_minutes(stage, severity) for stage in Stage.values}
            found[severity], _ = SlaPolicy.objects.get_or_create(severity=severity, defaults=defaults)
    cache.set(POLICY_CACHE_KEY, found, 300)
    return found


def clocks_for(case, policy_map: dict[int, SlaPolicy] | None = None) -> list[StageClock]:
    policy_map = policy_map or policies()
    return stage_clocks(
        case, policy_map[case.severity], WorkingCalendar.from_settings(), settings.VIGIL_SLA_WARNING_RATIO
    )


def _apply(case, clocks: list[StageClock]) -> None:
    """Set the case's SLA columns from its clocks (in memory)."""
    due = {clock.stage: clock.due_at for clock in clocks}
    for stage in Stage.values:
        setattr(case, f"sla_{stage}_due_at", due.get(stage))
    current = current_clock(clocks)
    case.sla_stage = current.stage if current else ""
    case.sla_stage_due_at = current.due_at if current else None
    alarms = pending_alarms(clocks, set(case.sla_alarms_sent or []))
    case.sla_alarm_at = alarms[0][0] if alarms else None


def sla_sync(case_ids) -> int:
    """Recompute the SLA columns of these cases from their milestones; returns how many
    rows changed. Rows whose columns are already right are not written."""
    policy_map = policies()
    changed = []
    for case in Case.objects.filter(pk__in=list(case_ids)).only(*CLOCK_FIELDS).order_by("pk"):
        before = [getattr(case, name) for name in SYNC_FIELDS]
        _apply(case, clocks_for(case, policy_map))
        if [getattr(case, name) for name in SYNC_FIELDS] != before:
            changed.append(case)
    # bulk_update leaves updated_at alone: an SLA recomputation is not a change of the case.
    Case.objects.bulk_update(changed, SYNC_FIELDS, batch_size=500)
    return len(changed)


def sla_sync_changed(since: datetime) -> tuple[int, datetime | None]:
    """Sync the cases changed since `since` (updated_at is indexed), oldest first, a
    bounded batch. Returns (rows changed, the updated_at reached when the batch was full,
    else None: caught up)."""
    rows = list(
        Case.objects.filter(updated_at__gte=since)
        .order_by("updated_at")
        .values_list("pk", "updated_at")[:SYNC_BATCH]
    )
    reached = rows[-1][1] if len(rows) == SYNC_BATCH else None
    return sla_sync([pk for pk, _ in rows]), reached


def sla_sync_open() -> int:
    """Sync every open case (after a policy or calendar change)."""
    total = 0
    ids = list(Case.objects.open().values_list("pk", flat=True))
    for start in range(0, len(ids), SCAN_BATCH):
        total += sla_sync(ids[start : start + SCAN_BATCH])
    return total


@transaction.atomic
def sla_scan(now: datetime | None = None) -> int:
    """Record the warnings and breaches that are due, once each; returns how many.

    Candidates come from the partial index on sla_alarm_at; each is re-checked against
    its live milestones (a case claimed since the last sync has nothing to record).
    Rows are locked and skipped when another scan holds them, so two scans never record
    the same alarm twice.
    """
    now = now or timezone.now()
    policy_map = policies()
    candidates = list(
        Case.objects.filter(sla_alarm_at__lte=now)
        .select_for_update(skip_locked=True)
        .only(*CLOCK_FIELDS)
        .order_by("sla_alarm_at")[:SCAN_BATCH]
    )
    alarms, changed = [], []
    for case in candidates:
        clocks = clocks_for(case, policy_map)
        sent = list(case.sla_alarms_sent or [])
        for when, kind, clock in pending_alarms(clocks, set(sent)):
            if when > now:
                break
            sent.append(clock.alarm_key(kind))
            alarms.append(
                EVENT_OF[kind](
                    case,
                    stage=clock.stage,
                    target_minutes=clock.target_minutes,
                    due_at=clock.due_at,
                    elapsed_minutes=(now - clock.started_at).total_seconds() / 60,
                )
            )
        case.sla_alarms_sent = sent
        _apply(case, clocks)
        changed.append(case)
    CaseEvent.objects.bulk_create(alarms)
    Case.objects.bulk_update(changed, [*SYNC_FIELDS, "sla_alarms_sent"], batch_size=500)
    return len(alarms)


@transaction.atomic
def sla_policy_update(*, policy: SlaPolicy, by, **targets) -> SlaPolicy:
    """Change a policy's targets or clock; the open cases are recomputed after commit."""
    for name, value in targets.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    transaction.on_commit(policy_changed)
    return policy


def policy_changed() -> None:
    """Drop the cached policies and recompute the open cases' clocks (in the worker)."""
    from .tasks import sla_resync_open

    cache.delete(POLICY_CACHE_KEY)
    send_task_safely(sla_resync_open)
