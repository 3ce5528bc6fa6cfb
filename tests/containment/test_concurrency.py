"""Row locks on PostgreSQL: containment writes on one case serialise on the case row, so
actions finishing at the same moment neither deadlock nor lose the "contained" milestone."""

import threading

import pytest
from django.db import connection, connections

from containment import services
from containment.models import ContainmentAction
from containment.services import execution
from tests.conftest import require_service

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(monkeypatch, containment_settings):
    require_service(connection.vendor == "postgresql", "row locks need PostgreSQL")
    monkeypatch.setattr("containment.services.common.dispatch_on_commit", lambda *a, **k: None)


def in_threads(*calls):
    barrier = threading.Barrier(len(calls))
    errors, results = [], [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    return results


@pytest.mark.parametrize("round_", range(3))
def test_two_actions_finishing_together_mark_the_case_contained(investigating_case, t2, round_):
    a = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    b = services.action_request(case=investigating_case, kind="block_ip", target="198.51.100.7", by=t2)
    tokens = [execution._claim(x.pk, execution.EXECUTE) for x in (a, b)]
    results = in_threads(
        lambda: execution._finish(a.pk, tokens[0], execution.EXECUTE, result={"ok": 1}),
        lambda: execution._finish(b.pk, tokens[1], execution.EXECUTE, result={"ok": 1}),
    )
    assert results == [execution.SUCCEEDED, execution.SUCCEEDED]
    investigating_case.refresh_from_db()
    assert investigating_case.contained_at is not None


def test_approving_while_another_action_finishes_does_not_deadlock(investigating_case, t2, manager):
    running = services.action_request(case=investigating_case, kind="block_ip", target="203.0.113.77", by=t2)
    proposed = services.action_request(
        case=investigating_case, kind="disable_account", target="m.keller", by=t2
    )
    token = execution._claim(running.pk, execution.EXECUTE)
    in_threads(
        lambda: execution._finish(running.pk, token, execution.EXECUTE, result={}),
        lambda: services.action_approve(action=ContainmentAction.objects.get(pk=proposed.pk), by=manager),
        lambda: services.action_request(case=investigating_case, kind="block_ip", target="192.0.2.50", by=t2),
    )
    statuses = dict(ContainmentAction.objects.values_list("target", "status"))
    assert statuses == {"203.0.113.77": "succeeded", "m.keller": "queued", "192.0.2.50": "queued"}
