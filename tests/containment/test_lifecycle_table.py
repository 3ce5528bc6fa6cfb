"""The containment action table (containment.lifecycle) is the law: the services' and the
worker's moves are exactly its entries, a move it does not list is refused, and no
containment code writes a status around it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from containment import services
from containment.lifecycle import ACTION_LIFECYCLE
from containment.models import ContainmentAction
from containment.services import execution
from soc.errors import Conflict
from tests.lifecycle_support import moves_of
from tests.status_writes import status_writes

Status = ContainmentAction.Status
pytestmark = pytest.mark.django_db
BROKEN = "tests.containment.support:BrokenConnector"
PERMANENTLY_BROKEN = "tests.containment.support:PermanentlyBrokenConnector"


@pytest.fixture(autouse=True)
def _quiet(tmp_path, monkeypatch, containment_settings):
    """No broker: the dispatched tasks are dropped (the test runs them itself)."""
    monkeypatch.setenv("VIGIL_TEST_CONNECTOR_DIR", str(tmp_path))
    monkeypatch.setattr("soc.tasks.dispatch_on_commit", lambda *args, **kwargs: None)


def _request(case, by, kind, target, **kw):
    return services.action_request(case=case, kind=kind, target=target, reason="story", by=by, **kw)


def _route(action, connector: str) -> None:
    ContainmentAction.objects.filter(pk=action.pk).update(connector=connector)


def _run(action, phase=execution.EXECUTE) -> str:
    return execution.action_run(action_id=action.pk, phase=phase)


def _run_every_action_service(case, t2, manager, settings):
    # A block: queued at once, runs, succeeds, is reverted.
    block = _request(case, t2, "block_ip", "203.0.113.10")
    _run(block)
    services.action_revert(action=block, by=t2)
    _run(block, execution.REVERT)
    # A sensitive disable: approved then queued; another one rejected.
    services.action_approve(action=_request(case, t2, "disable_account", "m.keller"), by=manager)
    services.action_reject(action=_request(case, t2, "disable_account", "j.doe"), by=manager)
    # Transient errors: retried, then failed; a person retries; it fails for good; its revert
    # fails too and it stays failed.
    settings.CONTAINMENT_MAX_ATTEMPTS = 2
    flaky = _request(case, t2, "block_ip", "203.0.113.11")
    _route(flaky, BROKEN)
    _run(flaky)
    _run(flaky)
    services.action_retry(action=flaky, by=t2)
    _route(flaky, PERMANENTLY_BROKEN)
    _run(flaky)
    services.action_revert(action=flaky, by=t2)
    _run(flaky, execution.REVERT)
    # A block whose revert fails for good: back to succeeded.
    stuck = _request(case, t2, "block_ip", "203.0.113.12")
    _run(stuck)
    _route(stuck, BROKEN)
    services.action_revert(action=stuck, by=t2)
    _run(stuck, execution.REVERT)
    # A worker lost mid-run: housekeeping queues it again; an expired block is reverted.
    lost = _request(case, t2, "block_ip", "203.0.113.13", expires_in=60)
    execution._claim(lost.pk, execution.EXECUTE)
    services.containment_housekeeping(
        now=timezone.now() + timedelta(seconds=settings.CONTAINMENT_LEASE_SECONDS + 1)
    )
    _run(lost)
    services.containment_housekeeping(now=timezone.now() + timedelta(hours=1))
    # Manual steps: done, not done, withdrawn while running and once done.
    step = _request(case, t2, "manual", "Call the partner's CISO")
    services.action_manual_update(action=step, by=t2, done=True)
    services.action_manual_update(action=step, by=t2, done=False)
    services.action_revert(action=step, by=t2)
    done = _request(case, t2, "manual", "Brief the business owner")
    services.action_manual_update(action=done, by=t2, done=True)
    services.action_revert(action=done, by=t2)
    # A sensitive action routed to a person: approved, then it waits for them (running).
    settings.CONTAINMENT_CONNECTORS = {**settings.CONTAINMENT_CONNECTORS, "disable_account": "manual"}
    services.action_approve(action=_request(case, t2, "disable_account", "k.weber"), by=manager)


def test_every_move_of_the_services_is_an_entry_and_every_entry_a_move(
    investigating_case, t2, manager, settings, moves
):
    _run_every_action_service(investigating_case, t2, manager, settings)
    assert moves_of(ACTION_LIFECYCLE, moves) == set(ACTION_LIFECYCLE.edges())


def test_a_move_missing_from_the_table_is_refused(investigating_case, t2, manager):
    block = _request(investigating_case, t2, "block_ip", "203.0.113.20")
    assert block.status == Status.QUEUED
    with pytest.raises(Conflict) as refused:
        ACTION_LIFECYCLE.move(block, Status.APPROVED)
    assert refused.value.data["current_status"] == Status.QUEUED
    with pytest.raises(Conflict, match="cannot be approved"):
        services.action_approve(action=block, by=manager)
    assert ContainmentAction.objects.get(pk=block.pk).status == Status.QUEUED


def test_the_worker_claim_is_a_conditional_update_through_the_table(investigating_case, t2):
    block = _request(investigating_case, t2, "block_ip", "203.0.113.21")
    rows = ContainmentAction.objects.filter(pk=block.pk)
    assert ACTION_LIFECYCLE.claim(rows, source=Status.QUEUED, target=Status.RUNNING) == 1
    assert ACTION_LIFECYCLE.claim(rows, source=Status.QUEUED, target=Status.RUNNING) == 0  # lost race
    with pytest.raises(Conflict):
        ACTION_LIFECYCLE.claim(rows, source=Status.RUNNING, target=Status.APPROVED)
    assert rows.get().status == Status.RUNNING


def test_the_services_obey_the_table(investigating_case, t2, monkeypatch):
    """Take failed -> queued out of the table and a person's retry is refused."""
    table = {**ACTION_LIFECYCLE.transitions, Status.FAILED: frozenset({Status.REVERTING})}
    monkeypatch.setattr(ACTION_LIFECYCLE, "transitions", table)
    block = _request(investigating_case, t2, "block_ip", "203.0.113.22")
    _route(block, PERMANENTLY_BROKEN)
    assert _run(block) == execution.FAILED
    with pytest.raises(Conflict, match="cannot move from 'failed' to 'queued'"):
        services.action_retry(action=block, by=t2)
    assert ContainmentAction.objects.get(pk=block.pk).status == Status.FAILED


def test_no_containment_code_writes_a_status_around_the_table():
    direct = [
        str(w)
        for w in status_writes()
        if w.path.startswith("containment/") or w.receiver == "ContainmentAction"
    ]
    assert direct == []
