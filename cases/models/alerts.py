"""Alerts as SIEMs sent them, and the observables (IPs, users, domains...) they carry.

Everything in an alert is attacker-controlled text: templates escape it, and nothing
here marks it safe.
"""

from django.db import models

from .querysets import AlertQuerySet


class Severity(models.IntegerChoices):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class Observable(models.Model):
    """One normalized entity, stored once, linked to every alert and case that saw it."""

    class Type(models.TextChoices):
        IP = "ip", "IP address"
        CIDR = "cidr", "Network (CIDR)"
        DOMAIN = "domain"
        URL = "url", "URL"
        EMAIL = "email", "Email address"
        USER = "user", "User account"
        HOSTNAME = "hostname"
        HASH = "hash", "File hash"

    class Tlp(models.TextChoices):
        # Traffic Light Protocol 2.0 (FIRST): who the value may be shared with.
        UNSET = "", "Not set"
        CLEAR = "clear", "TLP:CLEAR"
        GREEN = "green", "TLP:GREEN"
        AMBER = "amber", "TLP:AMBER"
        AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
        RED = "red", "TLP:RED"

    type = models.CharField(max_length=10, choices=Type.choices)
    value = models.CharField(max_length=2048)
    is_internal = models.BooleanField(default=False, help_text="Internal address space (DESIGN 6).")
    # Set by analysts (cases.services.observables); ingestion leaves the defaults.
    is_ioc = models.BooleanField(
        "IOC", default=False, help_text="An analyst marked it an indicator of compromise."
    )
    tlp = models.CharField("TLP", max_length=12, choices=Tlp.choices, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    never_correlate = models.BooleanField(
        default=False,
        help_text="Correlation must not join alerts into a case through this value (e.g. a shared proxy).",
    )
    # Enrichment results by assist key, e.g. {"ip_reputation": {...}, "partner_match": {...}}.
    enrichment = models.JSONField(default=dict, blank=True)
    enriched_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["type", "value"], name="observable_type_value_unique")]
        indexes = [models.Index(fields=["value"], name="observable_value_idx")]

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


class Alert(models.Model):
    # Indexed by the unique (source, source_ref).
    source = models.ForeignKey(
        "cases.IngestSource", on_delete=models.PROTECT, related_name="alerts", db_index=False
    )
    source_ref = models.CharField(max_length=255, help_text="The sender's id; unique per source.")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MEDIUM)
    technique_ids = models.JSONField(default=list, blank=True)
    technique_id = models.CharField(max_length=9, blank=True, help_text="Primary technique.")
    observed_at = models.DateTimeField(db_index=True, help_text="Event time as the SIEM saw it.")
    # Indexed only while undispatched (Meta.indexes): nothing else filters or sorts on it.
    received_at = models.DateTimeField(auto_now_add=True)
    tags = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="The payload exactly as received.")
    # What intake or an adapter noticed about the payload, as
    # [{"code": "unknown_technique", "field": "technique", "detail": "T9999.999"}, ...].
    flags = models.JSONField(default=list, blank=True)
    # Indexed by alert_case_observed_idx (case, observed_at).
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="alerts", db_index=False)
    observables = models.ManyToManyField(Observable, through="AlertObservable", related_name="alerts")
    # Set when post-commit work (enrichment) was handed to the broker; the sweeper
    # re-dispatches alerts left without it after a broker outage.
    dispatched_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="alert_source_ref_unique"),
        ]
        indexes = [
            models.Index(fields=["case", "observed_at"], name="alert_case_observed_idx"),
            # The admin's technique filter (no LIKE-only twin, unlike db_index=True).
            models.Index(fields=["technique_id"], name="alert_technique_idx"),
            models.Index(
                fields=["received_at"],
                name="alert_undispatched_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_ref}: {self.title[:60]}"


class AlertObservable(models.Model):
    class Role(models.TextChoices):
        SOURCE = "source"
        DESTINATION = "destination"
        USER = "user"
        SENDER = "sender"
        DECLARED = "declared", "Declared by the sender"
        EXTRACTED = "extracted", "Extracted from text"

    # Indexed by the unique (alert, observable).
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="alert_observables", db_index=False
    )
    observable = models.ForeignKey(Observable, on_delete=models.CASCADE, related_name="alert_links")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.DECLARED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "observable"], name="alert_observable_unique"),
        ]

    def __str__(self) -> str:
        return f"alert {self.alert_id} {self.role} observable {self.observable_id}"
