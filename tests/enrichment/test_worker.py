"""End to end through a real Celery worker: ingestion commits an alert, the enrichment
task is dispatched on commit, the worker enriches it and writes the suggestions."""

import time
from datetime import UTC, datetime

import pytest

from cases.models import CaseStep, Observable
from intel import services

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_ingested_alert_is_enriched_by_a_real_worker(celery_worker, seed_playbook, ingest_alert_factory):
    services.network_create(by=None, cidr="203.0.113.77", list="malicious", source="abuse-desk")

    result = ingest_alert_factory(observed_at=AT)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        address = Observable.objects.get(type="ip", value="203.0.113.77")
        if address.enriched_at is not None:
            break
        time.sleep(0.2)
    assert address.enrichment["ip_reputation"]["verdict"] == "malicious"
    while time.monotonic() < deadline:
        step = CaseStep.objects.get(case=result.case, section="question", item__assist="ip_reputation")
        if step.suggestion:
            break
        time.sleep(0.2)
    assert step.suggestion["answer"] == "no"
