"""Evidence files: what a sender attached to an alert (TheHive's file observables and
alert attachments), kept as received.

The content is attacker-controlled. It is stored under MEDIA_ROOT with a generated name
(never the sender's), never served from MEDIA_URL, and only downloaded through
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
