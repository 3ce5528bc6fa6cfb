"""Evidence a sender attached to an alert, kept as received: files (TheHive's file
observables and alert attachments) and the observables Vigil keeps no entity for.

A file's content is attacker-controlled. It is stored under MEDIA_ROOT with a generated
name (never the sender's), never served from MEDIA_URL, and only downloaded through
cases.views.evidence: `Content-Disposition: attachment`, `nosniff`, octet-stream.
"""

import uuid

from django.db import models


def evidence_path(instance: "AlertAttachment", filename: str) -> str:
    # The sender's file name goes in `name`, never into the path.
    return f"evidence/{instance.received_at:%Y/%m}/{uuid.uuid4().hex}"


class AlertAttachment(models.Model):
    alert = models.ForeignKey("cases.Alert", on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    name = models.CharField(
        max_length=255, help_text="The file name the sender gave (shown, never used as a path)."
    )
    content_type = models.CharField(max_length=100, blank=True, help_text="As the sender declared it.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["alert", "pk"]

    def __str__(self) -> str:
        return f"alert {self.alert_id} file {self.name}"


class KeptObservable(models.Model):
    """An observable a TheHive client declared that is no Vigil entity: a dataType Vigil
    has no type for (registry, user-agent, filename, autonomous-system, a type the sender's
    TheHive admin configured) or a value that is no valid one of its type (an ip
    "999.1.1.1"). TheHive accepts both, so Vigil keeps them on the alert as sent, beside
    its entities: shown with the alert, answered back as TheHive observables, never
    correlated or enriched (there is no entity to join cases on or to look up)."""

    # Indexed by the unique (alert, data_type, digest).
    alert = models.ForeignKey(
        "cases.Alert", on_delete=models.PROTECT, related_name="kept_observables", db_index=False
    )
    data_type = models.CharField(max_length=32, help_text="TheHive's dataType, as sent.")
    data = models.TextField(help_text="The value, as sent (at most 4096 characters, as in TheHive 5).")
    # The value's SHA-256: the key of "the same value again" (a value too long for an index).
    digest = models.CharField(max_length=64)
    message = models.TextField(blank=True, help_text="The sender's note on the observable.")
    tags = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["alert", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "data_type", "digest"], name="kept_observable_unique"),
        ]

    def __str__(self) -> str:
        return f"alert {self.alert_id} {self.data_type} {self.data[:60]}"
