"""The life of an action through the services: request, policy, guardrails, approval,
execution, retries, revert, housekeeping, manual steps, and the timeline they write."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent
from containment import services
from containment.models import BlocklistEntry, ContainmentAction
from containment.services import execution
from intel.models import KnownNetwork
from soc.errors import Conflict, DomainError, NotAllowed, Unprocessable

Status = ContainmentAction.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(monkeypatch):
    """The task signatures the services hand to dispatch_on_commit, in order."""
    sent = []
    monkeypatch.setattr(
        "containment.services.common.dispatch_on_commit", lambda sig, *a, **k: sent.append(sig)
    )
    return sent


@pytest.fixture(autouse=True)
def _connector_dir(tmp_path, monkeypatch, containment_settings):
    monkeypatch.setenv("VIGIL_TEST_CONNECTOR_DIR", str(tmp_path))


def events(case, event=None):
    qs = CaseEvent.objects.filter(case=case, verb="containment").order_by("id")
    # The case's own "contained" milestone shares the verb; action events carry "action".
    rows = [e.data for e in qs if "action" in e.data]
    return [r for r in rows if event is None or r["event"] == event]


def block(case, by, target="203.0.113.77", **kw):
    return services.action_request(case=case, kind="block_ip", target=target, reason="scraping", by=by, **kw)


# --- request and policy ---------------------------------------------------------------


def test_t2_blocks_an_external_ip_it_is_queued_and_dispatched(investigating_case, t2, dispatched):
    action = block(investigating_case, t2)
    assert action.is_new and action.status == Status.QUEUED
    assert action.connector == "edl" and action.requested_by == t2
    assert action.expires_at is not None  # blocks default to CONTAINMENT_DEFAULT_BLOCK_DURATION
    assert [(s.task, s.args) for s in dispatched] == [("containment.tasks.run_action", (action.pk,))]
    assert [e["event"] for e in events(investigating_case)] == ["requested", "queued"]
    investigating_case.refresh_from_db()
    assert investigating_case.status == Case.Status.CONTAINMENT


def test_dispatch_uses_the_configured_queue(investigating_case, t2, dispatched, settings):
    settings.CONTAINMENT_QUEUE = "containment-q"
    block(investigating_case, t2)
    assert dispatched[0].options["queue"] == "containment-q"


def test_the_same_target_spelled_differently_is_the_same_open_action(investigating_case, t2, dispatched):
    first = block(investigating_case, t2, target="203.0.113.77")
    again = block(investigating_case, t2, target=" 203.0.113.77/32 ")
    mapped = block(investigating_case, t2, target="::ffff:203.0.113.77")
    assert again.pk == first.pk == mapped.pk and not again.is_new
    assert ContainmentAction.objects.count() == 1
    assert len(dispatched) == 1


@pytest.mark.parametrize("persona", ["l1", "outsider"])
def test_roles_without_the_permission_cannot_request(request, investigating_case, persona):
    with pytest.raises(NotAllowed):
        block(investigating_case, request.getfixturevalue(persona))
    assert not ContainmentAction.objects.exists()


def test_containment_waits_until_t2_investigates(seed_playbook, make_case, t2):
    case = make_case()
    with pytest.raises(Conflict) as exc:
        block(case, t2)
    assert exc.value.data["current_status"] == "new"


def test_bad_targets_are_field_errors(investigating_case, t2):
    with pytest.raises(DomainError) as exc:
        block(investigating_case, t2, target="not-an-ip")
    assert "target" in exc.value.data["errors"]
    with pytest.raises(DomainError):
        services.action_request(case=investigating_case, kind="disable_account", target="cn=x,(uid=*)", by=t2)
    with pytest.raises(DomainError):
        block(investigating_case, t2, expires_in=-5)


@pytest.mark.parametrize(
    ("target", "expires_in", "reason"),
    [
        ("203.0.112.0/23", None, "wide_prefix"),
        ("203.0.113.77", 30 * 24 * 3600, "long_duration"),
        ("203.0.113.77", 0, "permanent"),
    ],
)
def test_sensitive_blocks_wait_for_approval(investigating_case, t2, dispatched, target, expires_in, reason):
    action = block(investigating_case, t2, target=target, expires_in=expires_in)
    assert action.status == Status.PROPOSED
    assert reason in action.sensitive_reasons
    assert dispatched == []


def test_a_24_block_for_a_day_is_not_sensitive(investigating_case, t2):
    assert block(investigating_case, t2, target="203.0.113.0/24", expires_in=86400).status == Status.QUEUED


def test_disabling_an_account_needs_a_manager_who_is_not_the_requester(
    investigating_case, t2, t2_other, manager, dispatched
):
    action = services.action_request(
        case=investigating_case, kind="disable_account", target="M.Keller", by=t2
    )
    assert action.status == Status.PROPOSED and action.target == "m.keller"
    with pytest.raises(NotAllowed):
        services.action_approve(action=action, by=t2)
    with pytest.raises(NotAllowed):
        services.action_approve(action=action, by=t2_other)  # second-T2 approval is off by default
    services.action_approve(action=action, by=manager)
    assert action.status == Status.QUEUED and action.approved_by == manager
    assert [e["event"] for e in events(investigating_case)] == ["requested", "approved", "queued"]
    assert len(dispatched) == 1
    with pytest.raises(Conflict):
        services.action_approve(action=action, by=manager)


def test_a_manager_cannot_approve_their_own_request(investigating_case, manager):
    action = services.action_request(
        case=investigating_case, kind="disable_account", target="m.keller", by=manager
    )
    with pytest.raises(NotAllowed):
        services.action_approve(action=action, by=manager)


def test_a_second_t2_may_approve_when_configured(investigating_case, t2, t2_other, settings, dispatched):
    settings.CONTAINMENT_SECOND_T2_APPROVAL = True
    action = services.action_request(
        case=investigating_case, kind="disable_account", target="m.keller", by=t2
    )
    services.action_approve(action=action, by=t2_other)
    assert action.status == Status.QUEUED and action.approved_by == t2_other


def test_reject_and_withdraw(investigating_case, t2, t2_other, manager):
    one = services.action_request(case=investigating_case, kind="disable_account", target="m.keller", by=t2)
    with pytest.raises(NotAllowed):
        services.action_reject(action=one, by=t2_other)
    services.action_reject(action=one, by=manager, reason="not enough evidence")
    assert one.status == Status.REJECTED
    # Rejected actions free their key: the same target can be requested again.
    two = services.action_request(case=investigating_case, kind="disable_account", target="m.keller", by=t2)
    assert two.pk != one.pk and two.is_new
    services.action_reject(action=two, by=t2)  # the requester withdraws their own
    assert two.status == Status.REJECTED
    assert events(investigating_case, "rejected")[0]["reason"] == "not enough evidence"


# --- guardrails at request ------------------------------------------------------------


def test_a_guardrail_refusal_names_the_rule(investigating_case, t2):
    with pytest.raises(Unprocessable) as exc:
        block(investigating_case, t2, target="10.1.2.3")
    assert exc.value.data["rule"] == "internal_range"
    assert exc.value.status == 422
    assert not ContainmentAction.objects.exists()


def test_a_manager_overrides_with_a_reason_recorded_in_the_timeline(investigating_case, manager):
    KnownNetwork.objects.create(cidr="198.51.100.0/24", list="benign", label="CDN")
    with pytest.raises(Unprocessable):
        block(investigating_case, manager, target="198.51.100.9")
    action = block(
        investigating_case, manager, target="198.51.100.9", override_reason="CDN node is compromised"
    )
    assert action.overridden_rules == ["benign_list"] and action.overridden_by == manager
    requested = events(investigating_case, "requested")[0]
    assert requested["override"] == {"rules": ["benign_list"], "reason": "CDN node is compromised"}


def test_t2_cannot_override(investigating_case, t2):
    with pytest.raises(NotAllowed) as exc:
        block(investigating_case, t2, target="10.1.2.3", override_reason="trust me")
    assert exc.value.data["rule"] == "internal_range"


def test_hard_rules_refuse_even_a_manager_override(investigating_case, manager):
    with pytest.raises(Unprocessable) as exc:
        block(investigating_case, manager, target="0.0.0.0/0", override_reason="block the internet")
    assert exc.value.data["rule"] == "any_network"


def test_protected_accounts_are_refused(investigating_case, t2):
    with pytest.raises(Unprocessable) as exc:
        services.action_request(case=investigating_case, kind="disable_account", target="svc-backup", by=t2)
    assert exc.value.data["rule"] == "protected_account"


# --- execution -------------------------------------------------------------------------


def test_running_a_block_lists_it_once_and_marks_the_case_contained(investigating_case, t2, dispatched):
    action = block(investigating_case, t2)
    assert execution.action_run(action_id=action.pk) == execution.SUCCEEDED
    # The same message delivered again (acks_late redelivery) claims nothing.
    assert execution.action_run(action_id=action.pk) == execution.CLAIM_LOST
    action.refresh_from_db()
    assert action.status == Status.SUCCEEDED and action.attempts == 1
    assert action.result["listed"] is True
    assert BlocklistEntry.objects.filter(network="203.0.113.77").count() == 1
    assert [e["event"] for e in events(investigating_case)] == ["requested", "queued", "running", "succeeded"]
    investigating_case.refresh_from_db()
    assert investigating_case.contained_at is not None


def test_guardrails_are_checked_again_right_before_execution(investigating_case, t2, dispatched):
    action = block(investigating_case, t2)
    KnownNetwork.objects.create(cidr="203.0.113.0/24", list="benign", label="new partner CDN")
    assert execution.action_run(action_id=action.pk) == execution.FAILED
    action.refresh_from_db()
    assert action.status == Status.FAILED and "benign_list" in action.last_error
    assert not BlocklistEntry.objects.exists()


def test_transient_errors_back_off_then_succeed_with_three_attempts(
    investigating_case, t2, dispatched, settings
):
    settings.CONTAINMENT_CONNECTORS = {
        **settings.CONTAINMENT_CONNECTORS,
        "block_ip": "tests.containment.support:FlakyEdlConnector",
    }
    action = block(investigating_case, t2)
    assert execution.action_run(action_id=action.pk) == execution.RETRY
    action.refresh_from_db()
    assert action.status == Status.QUEUED and action.attempts == 1 and "timed out" in action.last_error
    assert action.dispatched_at > timezone.now()  # the retry is scheduled later
    assert dispatched[-1].options["countdown"] > 0
    assert execution.action_run(action_id=action.pk) == execution.RETRY
    assert execution.action_run(action_id=action.pk) == execution.SUCCEEDED
    action.refresh_from_db()
    assert action.status == Status.SUCCEEDED and action.attempts == 3 and action.last_error == ""
    assert len(events(investigating_case, "retry_scheduled")) == 2


def test_backoff_grows_exponentially_with_jitter(settings):
    settings.CONTAINMENT_RETRY_BASE_SECONDS = 2
    settings.CONTAINMENT_RETRY_MAX_SECONDS = 60
    for attempt, step in [(1, 2), (2, 4), (3, 8), (6, 60), (10, 60)]:
        delays = {execution.backoff_seconds(attempt) for _ in range(20)}
        assert all(step / 2 <= d <= step for d in delays)
        assert len(delays) > 1  # jittered


def test_transient_errors_fail_after_the_attempt_limit_with_the_error_shown(
    investigating_case, t2, dispatched, settings
):
    settings.CONTAINMENT_MAX_ATTEMPTS = 3
    settings.CONTAINMENT_CONNECTORS = {
        **settings.CONTAINMENT_CONNECTORS,
        "block_ip": "tests.containment.support:BrokenConnector",
    }
    action = block(investigating_case, t2)
    outcomes = [execution.action_run(action_id=action.pk) for _ in range(4)]
    assert outcomes == [execution.RETRY, execution.RETRY, execution.FAILED, execution.CLAIM_LOST]
    action.refresh_from_db()
    assert action.status == Status.FAILED and action.attempts == 3
    assert action.last_error == "connection refused"


def test_permanent_errors_fail_at_once_and_a_person_can_retry(
    investigating_case, t2, l1, dispatched, settings
):
    settings.CONTAINMENT_CONNECTORS = {
        **settings.CONTAINMENT_CONNECTORS,
        "block_ip": "tests.containment.support:PermanentlyBrokenConnector",
    }
    action = block(investigating_case, t2)
    assert execution.action_run(action_id=action.pk) == execution.FAILED
    with pytest.raises(NotAllowed):
        services.action_retry(action=action, by=l1)
    services.action_retry(action=action, by=t2)
    assert action.status == Status.QUEUED and action.attempts == 0
    assert events(investigating_case, "retry_requested")[0]["previous_attempts"] == 1
    with pytest.raises(Conflict):
        services.action_retry(action=action, by=t2)


def test_a_connector_gone_since_the_request_fails_visibly(investigating_case, t2, dispatched):
    # Requests are refused up front (test_connector_configuration.py); an action keeps the
    # connector it was routed to, which a later deployment may no longer have.
    action = block(investigating_case, t2)
    ContainmentAction.objects.filter(pk=action.pk).update(connector="nope")
    assert execution.action_run(action_id=action.pk) == execution.FAILED
    action.refresh_from_db()
    assert "Unknown connector" in action.last_error


def test_a_run_that_lost_its_lease_cannot_overwrite_the_new_owner(investigating_case, t2, dispatched):
    action = block(investigating_case, t2)
    token = execution._claim(action.pk, execution.EXECUTE)
    ContainmentAction.objects.filter(pk=action.pk).update(claim_token="someone-else")
    assert execution._finish(action.pk, token, execution.EXECUTE, result={}) == execution.LEASE_LOST
    action.refresh_from_db()
    assert action.status == Status.RUNNING


# --- revert ----------------------------------------------------------------------------


def test_revert_goes_through_the_same_machinery(investigating_case, t2, dispatched):
    action = block(investigating_case, t2)
    execution.action_run(action_id=action.pk)
    services.action_revert(action=action, by=t2, reason="false positive after all")
    assert action.status == Status.REVERTING
    assert dispatched[-1].task == "containment.tasks.revert_action"
    assert execution.action_run(action_id=action.pk, phase=execution.REVERT) == execution.SUCCEEDED
    assert execution.action_run(action_id=action.pk, phase=execution.REVERT) == execution.CLAIM_LOST
    action.refresh_from_db()
    assert action.status == Status.REVERTED and action.reverted_at
    assert not BlocklistEntry.objects.active(timezone.now()).exists()
    assert [e["event"] for e in events(investigating_case)][-2:] == ["revert_requested", "reverted"]
    # Reverted actions free their key.
    assert block(investigating_case, t2).is_new


def test_reverting_one_case_keeps_another_cases_block(seed_playbook, make_case, l1, t2, dispatched):
    from tests.containment.conftest import walk_to_investigating

    one = walk_to_investigating(make_case(), l1=l1, t2=t2)
    two = walk_to_investigating(make_case(), l1=l1, t2=t2)
    a, b = block(one, t2), block(two, t2)
    execution.action_run(action_id=a.pk)
    execution.action_run(action_id=b.pk)
    services.action_revert(action=a, by=t2)
    execution.action_run(action_id=a.pk, phase=execution.REVERT)
    a.refresh_from_db()
    assert a.result["revert"]["still_listed_by_other_actions"] is True
    assert BlocklistEntry.objects.active(timezone.now()).filter(network="203.0.113.77").count() == 1


def test_only_succeeded_or_failed_actions_can_be_reverted(investigating_case, t2, l1, dispatched):
    action = block(investigating_case, t2)
    with pytest.raises(Conflict):
        services.action_revert(action=action, by=t2)
    execution.action_run(action_id=action.pk)
    with pytest.raises(NotAllowed):
        services.action_revert(action=action, by=l1)


def test_a_failed_revert_leaves_the_action_in_effect_with_the_error(
    investigating_case, t2, dispatched, settings
):
    action = block(investigating_case, t2)
    execution.action_run(action_id=action.pk)
    ContainmentAction.objects.filter(pk=action.pk).update(
        connector="tests.containment.support:BrokenConnector"
    )
    services.action_revert(action=action, by=t2)
    assert execution.action_run(action_id=action.pk, phase=execution.REVERT) == execution.FAILED
    action.refresh_from_db()
    assert action.status == Status.SUCCEEDED
    assert action.last_error.startswith("Revert failed: unblock refused")


# --- housekeeping -----------------------------------------------------------------------


def test_housekeeping_redispatches_queued_actions_the_broker_never_got(
    investigating_case, t2, dispatched, settings
):
    action = block(investigating_case, t2)
    dispatched.clear()
    assert services.containment_housekeeping()["redispatched"] == 0  # fresh: leave it alone
    later = timezone.now() + timedelta(seconds=settings.CONTAINMENT_REQUEUE_AFTER_SECONDS + 1)
    assert services.containment_housekeeping(now=later)["redispatched"] == 1
    assert [s.args for s in dispatched] == [(action.pk,)]
    assert services.containment_housekeeping(now=later)["redispatched"] == 0  # once per period


def test_housekeeping_takes_back_an_action_whose_worker_died(investigating_case, t2, dispatched, settings):
    action = block(investigating_case, t2)
    execution._claim(action.pk, execution.EXECUTE)  # a worker claimed it, then was killed
    later = timezone.now() + timedelta(seconds=settings.CONTAINMENT_LEASE_SECONDS + 1)
    assert services.containment_housekeeping(now=later)["requeued_lost"] == 1
    action.refresh_from_db()
    assert action.status == Status.QUEUED and action.claim_token == ""
    assert execution.action_run(action_id=action.pk) == execution.SUCCEEDED
    action.refresh_from_db()
    assert action.attempts == 2
    assert BlocklistEntry.objects.count() == 1


def test_housekeeping_reverts_expired_blocks(investigating_case, t2, dispatched):
    action = block(investigating_case, t2, expires_in=3600)
    execution.action_run(action_id=action.pk)
    later = timezone.now() + timedelta(hours=2)
    # The feed drops the entry the moment it expires, before any revert runs.
    assert not BlocklistEntry.objects.active(later).exists()
    assert services.containment_housekeeping(now=later)["expired"] == 1
    action.refresh_from_db()
    assert action.status == Status.REVERTING
    requested = events(investigating_case, "revert_requested")[0]
    assert requested["reason"] == "expired"


# --- manual steps -----------------------------------------------------------------------


def test_manual_steps_track_owner_due_date_note_and_done(investigating_case, t2, manager, l1, dispatched):
    step = services.action_request(
        case=investigating_case, kind="manual", target="Assess third-party risk with Acme", by=t2
    )
    assert step.status == Status.RUNNING and step.is_manual and dispatched == []
    due = timezone.now() + timedelta(days=1)
    services.action_manual_update(action=step, by=t2, owner=manager, due_at=due, note="Called Acme's CISO")
    assert (step.owner, step.due_at, step.note) == (manager, due, "Called Acme's CISO")
    with pytest.raises(NotAllowed):
        services.action_manual_update(action=step, by=l1, done=True)
    services.action_manual_update(action=step, by=t2, done=True)
    assert step.status == Status.SUCCEEDED and step.finished_at
    services.action_manual_update(action=step, by=t2, done=False)
    assert step.status == Status.RUNNING
    before = len(events(investigating_case))
    services.action_manual_update(action=step, by=t2, note="Called Acme's CISO")  # no change, no event
    assert len(events(investigating_case)) == before
    assert [e["event"] for e in events(investigating_case)] == [
        "requested",
        "awaiting_person",
        "step_updated",
        "done",
        "reopened",
    ]
    services.action_revert(action=step, by=t2)
    assert step.status == Status.REVERTED


def test_manual_step_updates_refuse_automated_actions(investigating_case, t2, dispatched):
    action = block(investigating_case, t2)
    with pytest.raises(Conflict):
        services.action_manual_update(action=action, by=t2, note="x")


def test_owner_must_be_a_team_member(investigating_case, t2, outsider):
    step = services.action_request(
        case=investigating_case, kind="manual", target="Business continuity", by=t2
    )
    with pytest.raises(DomainError):
        services.action_manual_update(action=step, by=t2, owner=outsider)


def test_every_status_change_writes_one_event(investigating_case, t2, manager, dispatched):
    action = services.action_request(
        case=investigating_case, kind="disable_account", target="m.keller", by=t2
    )
    ContainmentAction.objects.filter(pk=action.pk).update(connector="edl")  # run it without LDAP
    services.action_approve(action=action, by=manager)
    statuses = [e["status"] for e in events(investigating_case)]
    assert statuses == ["proposed", "approved", "queued"]
