"""SLA targets per severity and stage, editable by SOC managers (admin and API)."""

from django.db import models

from cases.models import Severity


class Stage(models.TextChoices):
    """The stages a case's clocks measure, each from its start milestone to its end."""

    ACKNOWLEDGE = "acknowledge", "Acknowledge (claim)"
    T2_PICKUP = "t2_pickup", "T2 pickup after escalation"
    CONTAINMENT = "containment", "Containment started"
    RESOLUTION = "resolution"


class SlaPolicy(models.Model):
    class Clock(models.TextChoices):
        WALL = "wall", "Wall-clock time"
        WORKING = "working", "Working hours"

    severity = models.PositiveSmallIntegerField(choices=Severity.choices, unique=True)
    acknowledge_minutes = models.PositiveIntegerField(help_text="From opening to the L1 claim.")
    t2_pickup_minutes = models.PositiveIntegerField(help_text="From escalation to the T2 claim.")
    containment_minutes = models.PositiveIntegerField(
        help_text="From the T2 claim to the first containment action requested."
    )
    resolution_minutes = models.PositiveIntegerField(help_text="From opening to resolution or closing.")
    clock = models.CharField(
        max_length=8,
        choices=Clock.choices,
        default=Clock.WALL,
        help_text="Working hours follow VIGIL_SLA_WORKING_HOURS and VIGIL_SLA_WORKING_DAYS.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-severity"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledge_minutes__gt=0)
                & models.Q(t2_pickup_minutes__gt=0)
                & models.Q(containment_minutes__gt=0)
                & models.Q(resolution_minutes__gt=0),
                name="sla_policy_targets_positive",
            )
        ]

    def __str__(self) -> str:
        return f"SLA {self.get_severity_display()}"

    def target_minutes(self, stage: str) -> int:
        return getattr(self, f"{stage}_minutes")


class SyncWatermark(models.Model):
    """Up to when the SLA sync has seen case changes (one row; survives restarts, unlike
    a cache entry, so a worker down for an hour catches up on the hour)."""

    name = models.CharField(max_length=32, unique=True)
    synced_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.synced_until:%Y-%m-%d %H:%M}"
