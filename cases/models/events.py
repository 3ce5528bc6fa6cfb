"""The case timeline: append-only events, each built and rendered by cases.services.events."""

from django.db import models

from soc.db import index_where_set, optional_user

from .cases import Case


class CaseEvent(models.Model):
    """Append-only timeline and audit trail. No path updates or deletes a row."""

    class Verb(models.TextChoices):
        # Not declared as field choices on purpose: a verb is added without a migration.
        # Each verb has its builder and renderer in cases.services.events.
        CREATED = "created", "Case opened"
        ALERT_JOINED = "alert_joined", "Alert joined"
        SEVERITY_RAISED = "severity_raised", "Severity raised"
        CLAIMED = "claimed"
        ASSIGNED = "assigned"
        UNASSIGNED = "unassigned"
        STEP_UPDATED = "step_updated", "Playbook step updated"
        ESCALATED = "escalated", "Escalated to T2"
        RETURNED = "returned", "Returned to L1"
        STATUS_CHANGED = "status_changed", "Status changed"
        RESOLVED = "resolved"
        CLOSED = "closed"
        COMMENTED = "commented", "Comment"
        SUGGESTIONS_UPDATED = "suggestions_updated", "Assistant suggestions updated"
        CONTAINMENT = "containment"
        PLAYBOOK_ATTACHED = "playbook_attached", "Playbook attached"
        # Recorded by the sla app's scan (data: stage, target, due, elapsed).
        SLA_WARNING = "sla_warning", "SLA breach imminent"
        SLA_BREACHED = "sla_breached", "SLA breached"
        OBSERVABLE_ADDED = "observable_added", "Observable added"
        OBSERVABLE_FLAGGED = "observable_flagged", "Observable flagged"
        OBSERVABLES_ADDED = "observables_added", "Observables added"
        EVIDENCE_ADDED = "evidence_added", "Evidence added"
        MERGED = "merged"

    # case: indexed by the timeline index (case, created_at); actor: only where set (events
    # written by ingestion have none), see Meta.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    actor = optional_user()
    actor_source = models.ForeignKey(
        "cases.IngestSource", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="case_event_timeline_idx"),
            index_where_set("actor", name="case_event_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.verb} @ {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def actor_label(self) -> str:
        if self.actor_id:
            return self.actor.get_username()
        if self.actor_source_id:
            return f"source:{self.actor_source.name}"
        return "Vigil"

    @property
    def verb_label(self) -> str:
        try:
            return self.Verb(self.verb).label
        except ValueError:
            return self.verb.replace("_", " ").capitalize()

    def save(self, *args, **kwargs):
        if self.pk:
            raise RuntimeError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Case events are append-only.")
