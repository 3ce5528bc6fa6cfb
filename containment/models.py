"""Containment actions and Vigil's own IP blocklist (the EDL feed).

An action's life is owned by containment.services; the model knows its statuses and the
row's own invariants, containment.lifecycle which moves exist between the statuses. Workers claim an action with a
conditional UPDATE and hold it under a lease (`lease_until`), so a redelivered message
or a second worker never runs it twice, and a worker killed mid-run is noticed by the
housekeeping task once the lease has expired.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models.querysets import CaseDataQuerySet
from playbooks.registry import ActionKey
from soc.db import Timestamped, status_has_time


class ActionQuerySet(CaseDataQuerySet):
    """Actions are visible to whoever may see cases (CaseDataQuerySet.visible_to)."""

    def open(self):
        """Actions that still hold their idempotency key (not rejected, not reverted)."""
        return self.exclude(status__in=ContainmentAction.CLOSED_STATUSES)

    def in_flight(self):
        """Automated work not finished yet: the case panel polls while any exist."""
        return self.filter(status__in=ContainmentAction.IN_FLIGHT_STATUSES).exclude(connector="manual")

    def for_panel(self):
        return self.select_related("requested_by", "approved_by", "owner", "case")


class ContainmentAction(Timestamped):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting approval"
        APPROVED = "approved"
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        REVERTING = "reverting"
        REVERTED = "reverted"
        REJECTED = "rejected"

    # Which status may follow which: containment.lifecycle (the one table, and the law).
    CLOSED_STATUSES = (Status.REJECTED, Status.REVERTED)
    IN_FLIGHT_STATUSES = (Status.APPROVED, Status.QUEUED, Status.RUNNING, Status.REVERTING)

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="actions")
    # The case's opening time, copied at request (it never changes): the metrics count
    # actions by their case's period from this table alone, without joining every case.
    case_opened_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=ActionKey.choices)
    target = models.CharField(
        max_length=255, help_text="An IP or CIDR (normalised), an account, or a step title."
    )
    connector = models.CharField(max_length=200, blank=True, help_text="Chosen from settings at request.")
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why the action needed approval (policy rules), and which guardrails a manager overrode.
    sensitive_reasons = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_rules = models.JSONField(default=list, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    revert_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # sha256 of (case, kind, normalised target); unique among open actions (constraint).
    idempotency_key = models.CharField(max_length=64, db_index=True)
    # Execution bookkeeping: the worker's claim and when the task was last handed to the broker.
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Manual steps: who owns them, by when, and what was done.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    playbook_item = models.ForeignKey(
        "playbooks.PlaybookItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [
            ("request_action", "Can request containment actions"),
            ("approve_action", "Can approve sensitive containment actions"),
            ("override_guardrail", "Can override containment guardrails with a reason"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(status__in=["rejected", "reverted"]),
                name="containment_action_open_key_unique",
            ),
            status_has_time("succeeded", "finished_at", name="containment_succeeded_has_finished_at"),
        ]
        indexes = [
            models.Index(fields=["case", "status"], name="containment_case_status_idx"),
            models.Index(fields=["status", "dispatched_at"], name="containment_sweep_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target} ({self.status})"

    @staticmethod
    def make_key(case_id: int, kind: str, target: str) -> str:
        return hashlib.sha256(f"{case_id}|{kind}|{target}".encode()).hexdigest()

    @property
    def is_manual(self) -> bool:
        return self.connector == "manual"

    @property
    def in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT_STATUSES and not self.is_manual

    @property
    def done(self) -> bool:
        return self.status == self.Status.SUCCEEDED


class BlocklistQuerySet(models.QuerySet):
    def active(self, at):
        """Entries on the feed now: not removed, not expired."""
        return self.filter(removed_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))


class BlocklistEntry(models.Model):
    """One action's listing of a network on /feeds/ip-blocklist.txt.

    Several cases may block the same network; each action keeps its own row and the
    feed shows the network once while any row is active, so reverting one case's block
    never lifts another's. Removal is soft (`removed_at`) so the feed's Last-Modified can
    account for removals.
    """

    network = models.CharField(max_length=43, db_index=True, help_text="Canonical IP or CIDR.")
    action = models.ForeignKey(
        ContainmentAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="blocklist_entries"
    )
    comment = models.CharField(max_length=100, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    removed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = BlocklistQuerySet.as_manager()

    class Meta:
        ordering = ["network", "id"]
        verbose_name_plural = "blocklist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["network", "action"],
                condition=Q(removed_at__isnull=True),
                name="blocklist_one_live_entry_per_action",
            ),
        ]

    def __str__(self) -> str:
        return self.network
