"""Containment timeline events written before connector configuration was kept out of the
timeline (containment.services.common.record) may hold a webhook URL, a directory URL or
a bind name in their details, which every role reads in the case timeline. This takes it
out of the stored rows as record() now does for new ones.

Self-contained on purpose (a migration must not follow later changes of the app's code):
the keys and the configured values are those of containment.visibility on the day it was
written."""

from django.conf import settings
from django.db import migrations

REDACTED = "[connector configuration]"
CONFIGURATION_KEYS = frozenset({"webhook", "url", "server", "bind_dn", "endpoint"})
BATCH = 1000


def _configured_values() -> list[str]:
    from urllib.parse import urlsplit

    ldap = getattr(settings, "CONTAINMENT_LDAP", {}) or {}
    urls = [getattr(settings, "CONTAINMENT_WEBHOOK_URL", "") or "", ldap.get("URL", "") or ""]
    values = [*urls, ldap.get("BIND_DN", "") or ""]
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        values += [parts.hostname or "", path if len(path) > 1 else ""]
    return sorted({v for v in values if v}, key=len, reverse=True)


def _redact(value, configured: list[str]):
    if isinstance(value, dict):
        return {
            key: REDACTED if key in CONFIGURATION_KEYS else _redact(item, configured)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, configured) for item in value]
    if isinstance(value, str):
        for configured_value in configured:
            value = value.replace(configured_value, REDACTED)
    return value


def redact_timeline(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    configured = _configured_values()
    changed = []
    for event in CaseEvent.objects.filter(verb="containment").only("pk", "data").iterator(chunk_size=BATCH):
        redacted = _redact(event.data, configured)
        if redacted != event.data:
            event.data = redacted
            changed.append(event)
        if len(changed) >= BATCH:
            CaseEvent.objects.bulk_update(changed, ["data"])
            changed = []
    CaseEvent.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("containment", "0002_action_lifecycle"),
        ("cases", "0008_metrics_columns"),
    ]

    operations = [migrations.RunPython(redact_timeline, migrations.RunPython.noop, elidable=True)]
