"""Reference data the assistant checks observables against.

Writes go through intel.services (which validate, normalise, write the ReferenceChange
audit row and tell the in-memory IP index and the open cases that the data changed), called
by the admin and the API; the importers write in bulk and audit through intel.audit alike.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from soc.db import Timestamped

from .validators import validate_domain_list, validate_network, validate_network_list

# The fields a manager edits: what the CSV import reads, the export writes and the audit
# trail compares, in column order.
NETWORK_FIELDS = ("cidr", "list", "label", "source", "expires_at", "shared")
PARTNER_FIELDS = (
    "name",
    "domains",
    "networks",
    "contract_start",
    "contract_end",
    "criticality",
    "contacts",
    "notes",
)


class KnownNetwork(Timestamped):
    class List(models.TextChoices):
        BENIGN = "benign"
        MALICIOUS = "malicious"
        INTERNAL = "internal"

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


class BusinessPartner(Timestamped):
    class Criticality(models.TextChoices):
        LOW = "low"
        MEDIUM = "medium"
        HIGH = "high"
        CRITICAL = "critical"

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


class ReferenceChange(models.Model):
    """One audited change of reference data: who, when, which entry, what changed, how.

    Written by intel.services and the importers in the transaction of the change itself, so
    a change without its row cannot commit. The entry is named by kind, id and natural key
    (cidr, list and source; a partner's name), kept as text so a deleted entry stays
    findable. `changes` maps each field to [before, after] (JSON values; None before a
    create and after a delete). An import writes one summary row (`action=import`,
    `changes` = its counts and file) and one row per entry it created, changed or removed,
    pointing at the summary through `batch`.
    """

    class Kind(models.TextChoices):
        NETWORK = "network", "Known network"
        PARTNER = "partner", "Business partner"

    class Action(models.TextChoices):
        CREATE = "create"
        CHANGE = "change"
        DELETE = "delete"
        IMPORT = "import"

    class Via(models.TextChoices):
        ADMIN = "admin", "Admin pages"
        UPLOAD = "upload", "Admin upload form (CSV or feed)"
        API = "api", "API"
        COMMAND = "command", "import_reference command"
        SYSTEM = "system", "Code (seed data, scenarios, shell)"

    at = models.DateTimeField(default=timezone.now)
    # The name is kept beside the user so the row still says who after the user is deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="Empty on an import summary.")
    natural_key = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    via = models.CharField(max_length=10, choices=Via.choices)
    changes = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")

    class Meta:
        ordering = ["-at", "-id"]
        # One index per filter of the admin and the API, each ending in the list's order.
        indexes = [
            models.Index(fields=["-at", "-id"], name="refchange_at_idx"),
            models.Index(fields=["kind", "-at"], name="refchange_kind_at_idx"),
            models.Index(fields=["action", "-at"], name="refchange_action_at_idx"),
            models.Index(fields=["via", "-at"], name="refchange_via_at_idx"),
            models.Index(fields=["natural_key"], name="refchange_key_idx"),
            models.Index(fields=["kind", "object_id"], name="refchange_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.kind} {self.natural_key}".strip()
