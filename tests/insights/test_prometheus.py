"""/metrics: Prometheus text computed at scrape time from the database and the shared
cache; readable from the allowed networks or with a manager's token."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cases.models import ApiToken, Case
from cases.models.tokens import USER_PREFIX, hash_token, new_token
from insights.prometheus import count_task_outcome

pytestmark = pytest.mark.django_db


def _samples(response) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _token(user) -> str:
    token = new_token(USER_PREFIX)
    ApiToken.objects.create(user=user, name="scrape", token_hash=hash_token(token), token_hint=token[:8])
    return token


def test_loopback_scrape_shows_ingest_outboxes_actions_and_tasks(client, seed_playbook, make_case):
    make_case()
    Case.objects.update(sla_stage_due_at="2000-01-01T00:00Z")
    count_task_outcome("sla.tasks.sla_tick", "succeeded")
    count_task_outcome("sla.tasks.sla_tick", "succeeded")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = _samples(response)
    assert samples[("vigil_alerts_ingested_total", (("outcome", "accepted"), ("source", "siem-test")))] == 1
    assert samples[("vigil_outbox_backlog", (("outbox", "queued_actions"),))] == 0
    assert ("vigil_outbox_backlog", (("outbox", "undispatched_alerts"),)) in samples
    assert samples[("vigil_cases_open", (("status", "new"),))] == 1
    assert samples[("vigil_cases_sla_breached", ())] == 1
    assert (
        samples[("vigil_celery_tasks_total", (("outcome", "succeeded"), ("task", "sla.tasks.sla_tick")))] == 2
    )
    assert ("vigil_ingest_delay_seconds", (("quantile", "0.5"),)) in samples


def test_other_networks_need_a_manager_token(client, manager, t2, db):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Token {_token(t2)}"
        ).status_code
        == 403
    )
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Token vgu_wrong").status_code
        == 403
    )
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Token {_token(manager)}")
    assert ok.status_code == 200


def test_allowed_networks_setting(client, settings, db):
    settings.VIGIL_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_worker_task_outcomes_reach_the_endpoint(celery_worker, client):
    from sla.tasks import sla_tick

    result = sla_tick.apply_async()
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        samples = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
        if samples.get(
            ("vigil_celery_tasks_total", (("outcome", "succeeded"), ("task", "sla.tasks.sla_tick")))
        ):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker's task outcome never reached /metrics ({result.id})")
