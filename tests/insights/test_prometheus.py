"""/metrics: Prometheus text computed at scrape time from the database and the counters
every process shares (insights.counters); readable from the allowed networks or with a
manager's token."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cases.models import ApiToken, Case
from cases.models.tokens import USER_PREFIX, hash_token, new_token
from insights import counters
from insights.models import Counter
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


def _post(client, token, body, content_type="application/json"):
    import json

    extra = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return client.post("/api/v1/alerts", json.dumps(body), content_type=content_type, **extra)


def _alert(ref: str) -> dict:
    return {"source_ref": ref, "title": "Directory burst", "technique": "T1591.002"}


def test_ingest_outcomes_and_request_durations_per_source(client, seed_playbook, ingest_source):
    _, token = ingest_source
    assert _post(client, token, _alert("a-1")).status_code == 201
    assert _post(client, token, _alert("a-1")).status_code == 200  # duplicate
    assert _post(client, token, {"title": "no source_ref"}).status_code == 400
    batch = _post(client, token, [_alert("a-2"), _alert("a-1"), {"source_ref": "x"}, _alert("a-3")])
    assert [entry["status"] for entry in batch.json()["results"]] == [201, 200, 400, 201]
    assert _post(client, token, _alert("a-4"), content_type="application/json5").status_code == 415
    assert _post(client, None, _alert("a-5")).status_code == 401
    assert _post(client, "vgi_wrong", _alert("a-5")).status_code == 401

    samples = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    ingested = {
        labels: value for (name, labels), value in samples.items() if name == "vigil_alerts_ingested_total"
    }
    assert ingested[(("outcome", "accepted"), ("source", "siem-test"))] == 3
    assert ingested[(("outcome", "duplicate"), ("source", "siem-test"))] == 2
    assert ingested[(("outcome", "rejected"), ("source", "siem-test"))] == 3
    assert ingested[(("outcome", "rejected"), ("source", "(unauthenticated)"))] == 2
    rejected = {
        labels: value for (name, labels), value in samples.items() if name == "vigil_ingest_rejected_total"
    }
    assert rejected == {
        (("reason", "invalid"), ("source", "siem-test")): 2,
        (("reason", "unsupported_media_type"), ("source", "siem-test")): 1,
        (("reason", "not_authenticated"), ("source", "(unauthenticated)")): 1,
        (("reason", "authentication_failed"), ("source", "(unauthenticated)")): 1,
    }
    # Five requests of the source, each observed once, in cumulative buckets up to +Inf.
    histogram = "vigil_ingest_request_duration_seconds"
    assert samples[(f"{histogram}_count", (("source", "siem-test"),))] == 5
    assert samples[(f"{histogram}_bucket", (("le", "+Inf"), ("source", "siem-test")))] == 5
    assert 0 < samples[(f"{histogram}_sum", (("source", "siem-test"),))] < 60
    buckets = sorted(
        (float(dict(labels)["le"]), value)
        for (name, labels), value in samples.items()
        if name == f"{histogram}_bucket" and dict(labels)["source"] == "siem-test"
    )
    assert [value for _, value in buckets] == sorted(value for _, value in buckets)
    # The event-to-arrival delay is a separate, honestly named gauge.
    assert ("vigil_ingest_delay_seconds", (("quantile", "0.5"),)) in samples


def test_counters_use_the_database_when_the_cache_is_private_to_each_process(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    count_task_outcome("sla.tasks.sla_tick", "failed")
    count_task_outcome("sla.tasks.sla_tick", "failed")
    assert Counter.objects.get(key="celery-task:sla.tasks.sla_tick:failed").value == 2
    assert counters.read(["celery-task:sla.tasks.sla_tick:failed", "missing"]) == {
        "celery-task:sla.tasks.sla_tick:failed": 2
    }


def test_counters_use_a_shared_redis_cache_without_touching_the_database(settings):
    from django.core.cache import caches

    from tests.conftest import require_service

    require_service(
        settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), "CACHE_URL names no Redis cache"
    )
    count_task_outcome("sla.tasks.sla_tick", "retried")
    assert not Counter.objects.exists()
    assert caches["default"].get("vigil:counter:celery-task:sla.tasks.sla_tick:retried") == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_another_process_counts_reach_the_scrape_in_embedded_mode(settings, client):
    """A separate Python process (as a Celery worker is) with the embedded local-memory
    cache counts a task; this process's scrape, with its own local-memory cache, sees it."""
    import os
    import subprocess
    import sys

    from django.db import connection

    from tests.conftest import require_service

    require_service(connection.vendor == "postgresql", "needs a database two processes share")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": "locmemcache://worker",
    }
    code = (
        "import django; django.setup(); from insights.prometheus import count_task_outcome; "
        "count_task_outcome('sla.tasks.sla_tick', 'succeeded')"
    )
    env["DJANGO_SETTINGS_MODULE"] = "soc.settings"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    samples = _samples(client.get("/metrics", REMOTE_ADDR="127.0.0.1"))
    key = ("vigil_celery_tasks_total", (("outcome", "succeeded"), ("task", "sla.tasks.sla_tick")))
    assert samples[key] == 1


def test_an_ingest_request_counts_in_one_redis_round_trip(settings, monkeypatch):
    """All the counts of one request (bucket, duration, duplicates, rejections) go to Redis
    as one pipeline: no command of its own per counter."""
    from django.core.cache import caches
    from redis.client import Pipeline, Redis

    from insights.prometheus import count_ingest_request
    from tests.conftest import require_service

    require_service(
        settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), "CACHE_URL names no Redis cache"
    )
    sent = {"commands": 0, "pipelines": 0}
    command, execute = Redis.execute_command, Pipeline.execute

    def counting_command(self, *args, **options):
        sent["commands"] += 1
        return command(self, *args, **options)

    def counting_execute(self, *args, **options):
        sent["pipelines"] += 1
        return execute(self, *args, **options)

    monkeypatch.setattr(Redis, "execute_command", counting_command)
    monkeypatch.setattr(Pipeline, "execute", counting_execute)

    class Batch:  # a batch answer: one duplicate and one invalid entry
        status_code = 200
        data = {"results": [{"status": 201}, {"status": 200}, {"status": 400}]}

    count_ingest_request("siem-one-trip", Batch(), 0.02)
    assert sent == {"commands": 0, "pipelines": 1}
    cache = caches["default"]
    assert cache.get("vigil:counter:ingest:siem-one-trip:duplicate") == 1
    assert cache.get("vigil:counter:ingest:siem-one-trip:rejected:invalid") == 1
    assert cache.get("vigil:counter:ingest:siem-one-trip:duration-bucket:0.025") == 1
    assert cache.get("vigil:counter:ingest:siem-one-trip:duration-microseconds") == 20_000
