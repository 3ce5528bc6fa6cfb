"""Reference data the assistant checks observables against.

Writes go through intel.services (which validate, normalise and tell the in-memory IP
index and the open cases that the data changed); the admin and the API call them too.
"""

from django.db import models

from .validators import validate_domain_list, validate_network, validate_network_list


class KnownNetwork(models.Model):
    class List(models.TextChoices):
        BENIGN = "benign", "Benign"
        MALICIOUS = "malicious", "Malicious"
        INTERNAL = "internal", "Internal"

    cidr = models.CharField(
        max_length=43,
        validators=[validate_network],
        help_text="A network (CIDR) or a single IP, IPv4 or IPv6.",
    )
    list = models.CharField(max_length=10, choices=List.choices, db_index=True)
    label = models.CharField(max_length=200, blank=True)
    source = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Feed or team it came from."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    # Shared infrastructure (a NAT egress, a proxy, a mail gateway): its addresses are seen
    # in unrelated activity, so they never make two alerts one case.
    shared = models.BooleanField(
        default=False, help_text="Shared infrastructure (NAT, proxy, mail gateway): never joins cases."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["list", "cidr"]
        # The lookup index's change stamp reads Max(updated_at).
        indexes = [models.Index(fields=["updated_at"], name="known_network_updated_idx")]
        permissions = [("manage_reference", "Can manage known networks and business partners")]
        constraints = [
            models.UniqueConstraint(fields=["cidr", "list", "source"], name="known_network_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cidr} ({self.list})"


class BusinessPartner(models.Model):
    class Criticality(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    name = models.CharField(max_length=200, unique=True)
    domains = models.JSONField(
        default=list, blank=True, validators=[validate_domain_list], help_text='e.g. ["partner.example"]'
    )
    networks = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_network_list],
        help_text='CIDRs or IPs, e.g. ["198.51.100.0/24"]',
    )
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    contacts = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contract_end__isnull=True)
                | models.Q(contract_start__isnull=True)
                | models.Q(contract_end__gte=models.F("contract_start")),
                name="partner_contract_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReferenceRefresh(models.Model):
    """Whether open cases still await a refresh after a reference-data change (one row).

    A change sets `requested_at` in its own transaction; `enrichment.tasks.refresh_open_cases`
    sets `refreshed_at` to the request it served once every open case's refresh reached
    the broker. While `refreshed_at` is behind, the beat sweeper sends the fan-out again:
    a broker outage at the moment of the change delays the refresh instead of losing it.
    """

    requested_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"requested {self.requested_at}, refreshed {self.refreshed_at}"

    @property
    def pending(self) -> bool:
        return self.requested_at is not None and (
            self.refreshed_at is None or self.refreshed_at < self.requested_at
        )
