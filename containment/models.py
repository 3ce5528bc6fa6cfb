"""Containment actions and Vigil's own IP blocklist (the EDL feed)."""

from django.conf import settings
from django.db import models


class ContainmentAction(models.Model):
    class Kind(models.TextChoices):
        BLOCK_IP = "block_ip", "Block IP"
        DISABLE_ACCOUNT = "disable_account", "Disable account"
        MANUAL = "manual", "Manual step"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REVERTING = "reverting", "Reverting"
        REVERTED = "reverted", "Reverted"
        REJECTED = "rejected", "Rejected"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    target = models.CharField(max_length=255, help_text="An IP or CIDR, an account, or a step title.")
    connector = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    # Manual steps: who owns them and by when.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        permissions = [
            ("request_action", "Can request containment actions"),
            ("approve_action", "Can approve sensitive containment actions"),
            ("override_guardrail", "Can override containment guardrails with a reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target} ({self.status})"


class BlocklistEntry(models.Model):
    """One line of /feeds/ip-blocklist.txt."""

    network = models.CharField(max_length=43, unique=True)
    action = models.ForeignKey(ContainmentAction, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["network"]

    def __str__(self) -> str:
        return self.network
