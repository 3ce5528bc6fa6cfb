"""containment 0003: containment events stored before connector configuration was kept
out of the timeline lose it; other events and what happened to the target stay."""

import importlib

import pytest
from django.apps import apps

from cases.models import CaseEvent

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("containment.migrations.0003_redact_connector_configuration_in_timeline")
HOOK = "https://hooks.example.net/services/T0K3N/abc?sig=s3cr3t"


def test_old_containment_events_lose_the_connector_configuration(make_case, settings):
    settings.CONTAINMENT_WEBHOOK_URL = HOOK
    case = make_case()
    old = CaseEvent.objects.create(
        case=case,
        verb="containment",
        data={
            "event": "succeeded",
            "target": "203.0.113.10",
            "result": {"webhook": HOOK, "status_code": 200, "entry": "203.0.113.10/32"},
            "error": "HTTPSConnectionPool(host='hooks.example.net'): url: /services/T0K3N/abc?sig=s3cr3t",
        },
    )
    comment = CaseEvent.objects.create(case=case, verb="commented", data={"url": HOOK})

    MIGRATION.redact_timeline(apps, None)

    old.refresh_from_db()
    assert old.data["result"] == {
        "webhook": MIGRATION.REDACTED,
        "status_code": 200,
        "entry": "203.0.113.10/32",
    }
    assert "T0K3N" not in old.data["error"] and "hooks.example.net" not in old.data["error"]
    assert old.data["target"] == "203.0.113.10" and old.data["event"] == "succeeded"
    comment.refresh_from_db()
    assert comment.data == {"url": HOOK}  # not a containment event: not this migration's
