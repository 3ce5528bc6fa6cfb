"""The case lifecycle services (cases.services.workflow), built through real actions."""

from __future__ import annotations

import pytest

from cases.models import Case, CaseEvent
from cases.services import workflow as wf
from soc.errors import Conflict, DomainError, NotAllowed
from tests.cases.workflow_support import (
    answer,
    answer_benign,
    answer_suspicious,
    escalated,
    investigating,
    step,
)

pytestmark = pytest.mark.django_db

Status = Case.Status


@pytest.fixture
def case(seed_playbook, make_case):
    return make_case()


def verbs(case: Case) -> list[str]:
    return list(case.events.order_by("created_at", "pk").values_list("verb", flat=True))


# --- claim ----------------------------------------------------------------------------


def test_l1_claims_a_new_case_into_triage(case, l1):
    version = case.version
    claimed = wf.case_claim(case=case, by=l1)
    claimed.refresh_from_db()
    assert claimed.status == Status.TRIAGE
    assert claimed.assignee == l1
    assert claimed.acknowledged_at is not None
    assert claimed.version == version + 1
    event = claimed.events.get(verb=CaseEvent.Verb.CLAIMED)
    assert event.actor == l1
    assert event.data == {"from": "new", "to": "triage"}
    # The caller's instance is kept current.
    assert case.status == Status.TRIAGE


def test_second_claimer_loses_with_a_clear_message(case, l1, l1_other):
    # Both analysts loaded the case while it was new (stale instances).
    seen_by_alice = Case.objects.get(pk=case.pk)
    seen_by_dave = Case.objects.get(pk=case.pk)
    wf.case_claim(case=seen_by_alice, by=l1)
    with pytest.raises(Conflict) as exc:
        wf.case_claim(case=seen_by_dave, by=l1_other)
    assert "already claimed by alice_l1" in exc.value.message
    assert exc.value.data["current_status"] == "triage"
    assert "claim" not in exc.value.data["allowed"]
    case.refresh_from_db()
    assert case.assignee == l1
    assert verbs(case).count(CaseEvent.Verb.CLAIMED) == 1


def test_a_stale_version_is_refused(case, l1, manager):
    version = case.version
    wf.case_assign(case=case, to=l1, by=manager)
    case.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        wf.case_unassign(case=case, by=l1, expected_version=version)
    assert "changed since you loaded it" in exc.value.message
    assert exc.value.data["version"] == version + 1


def test_claiming_twice_says_you_already_own_it(case, l1):
    wf.case_claim(case=case, by=l1)
    with pytest.raises(Conflict, match="already claimed"):
        wf.case_claim(case=case, by=l1)


def test_t2_claims_an_escalated_case_into_investigation(case, l1, t2):
    case = escalated(case, l1)
    case = wf.case_claim(case=case, by=t2)
    assert case.status == Status.INVESTIGATING
    assert case.assignee == t2
    assert case.tier == Case.Tier.T2


def test_l1_cannot_claim_an_escalated_case(case, l1, l1_other):
    case = escalated(case, l1)
    with pytest.raises(NotAllowed, match="T2"):
        wf.case_claim(case=case, by=l1_other)


def test_outsider_can_do_nothing(case, outsider):
    assert wf.available_actions(case, outsider) == []
    with pytest.raises(NotAllowed):
        wf.case_claim(case=case, by=outsider)


def test_a_closed_case_cannot_be_claimed(case, l1, l1_other):
    wf.case_claim(case=case, by=l1)
    answer_benign(case, l1)
    wf.case_close(case=case, by=l1, resolution="benign", note="Partner sync.")
    with pytest.raises(Conflict) as exc:
        wf.case_claim(case=case, by=l1_other)
    assert exc.value.data["current_status"] == "closed"
    assert exc.value.data["allowed"] == []


# --- unassign / assign ----------------------------------------------------------------


def test_unassign_puts_the_case_back_in_its_queue(case, l1, t2):
    wf.case_claim(case=case, by=l1)
    case = wf.case_unassign(case=case, by=l1)
    assert (case.status, case.assignee) == (Status.NEW, None)
    case = investigating(case, l1, t2)
    case = wf.case_unassign(case=case, by=t2)
    assert (case.status, case.assignee) == (Status.ESCALATED, None)
    assert case.events.filter(verb=CaseEvent.Verb.UNASSIGNED).count() == 2


def test_only_the_assignee_or_a_manager_unassigns(case, l1, l1_other, manager):
    wf.case_claim(case=case, by=l1)
    with pytest.raises(NotAllowed, match="assigned to alice_l1"):
        wf.case_unassign(case=case, by=l1_other)
    assert wf.case_unassign(case=case, by=manager).status == Status.NEW


def test_l1_reassigns_within_the_triage_tier(case, l1, l1_other, outsider):
    wf.case_claim(case=case, by=l1)
    with pytest.raises(DomainError) as exc:
        wf.case_assign(case=case, to=outsider, by=l1)
    assert "assignee" in exc.value.data["errors"]
    case = wf.case_assign(case=case, to=l1_other, by=l1)
    assert case.assignee == l1_other
    event = case.events.get(verb=CaseEvent.Verb.ASSIGNED)
    assert event.data["previous"] == "alice_l1"
    assert event.data["assignee"] == "dave_l1"
    # Now it is Dave's: Alice may no longer hand it around.
    with pytest.raises(NotAllowed):
        wf.case_assign(case=case, to=l1, by=l1)


def test_l1_cannot_reassign_a_t2_case_but_a_manager_can(case, l1, t2, t2_other, manager):
    case = investigating(case, l1, t2)
    with pytest.raises(NotAllowed):
        wf.case_assign(case=case, to=l1, by=l1)
    with pytest.raises(DomainError, match="cannot work T2"):
        wf.case_assign(case=case, to=l1, by=manager)
    case = wf.case_assign(case=case, to=t2_other, by=manager)
    assert case.assignee == t2_other


def test_manager_assigning_a_new_case_moves_it_to_triage(case, l1, manager):
    case = wf.case_assign(case=case, to=l1, by=manager)
    assert case.status == Status.TRIAGE
    assert case.acknowledged_at is not None


# --- close ----------------------------------------------------------------------------


def test_l1_closes_a_benign_case_with_a_note(case, l1):
    wf.case_claim(case=case, by=l1)
    answer_benign(case, l1)
    case = wf.case_close(case=case, by=l1, resolution="benign", note="Partner directory sync.")
    assert case.status == Status.CLOSED
    assert case.closed_at is not None
    assert case.resolution == "benign"
    assert case.resolution_note == "Partner directory sync."
    assert case.recommendation["decision"] == "close"
    event = case.events.get(verb=CaseEvent.Verb.CLOSED)
    assert event.data["resolution"] == "benign"
    assert event.data["note"] == "Partner directory sync."


def test_closing_needs_a_resolution_and_a_note(case, l1):
    wf.case_claim(case=case, by=l1)
    with pytest.raises(DomainError) as exc:
        wf.case_close(case=case, by=l1, resolution="", note="  ")
    assert set(exc.value.data["errors"]) == {"resolution", "note"}
    with pytest.raises(DomainError, match="Resolution must be one of"):
        wf.case_close(case=case, by=l1, resolution="true_positive", note="x")
    case.refresh_from_db()
    assert case.status == Status.TRIAGE


def test_closing_against_the_recommendation_needs_a_reason(case, l1):
    wf.case_claim(case=case, by=l1)
    answer_suspicious(case, l1)
    with pytest.raises(DomainError) as exc:
        wf.case_close(case=case, by=l1, resolution="false_positive", note="Looks fine.")
    assert "recommends escalating" in exc.value.data["errors"]["reason"][0]
    case = wf.case_close(
        case=case, by=l1, resolution="false_positive", note="Looks fine.", reason="Pentest window."
    )
    assert case.override_reason == "Pentest window."
    assert case.recommendation["decision"] == "escalate"


def test_a_duplicate_names_its_original(case, make_case, l1):
    original = make_case()
    with pytest.raises(DomainError, match="which case"):
        wf.case_close(case=case, by=l1, resolution="duplicate", note="same")
    with pytest.raises(DomainError, match="itself"):
        wf.case_close(case=case, by=l1, resolution="duplicate", note="same", duplicate_of=case)
    # A duplicate is closed straight from "new", and says nothing about the activity: no reason.
    case = wf.case_close(case=case, by=l1, resolution="duplicate", note="same", duplicate_of=original)
    assert case.duplicate_of == original
    assert case.events.get(verb=CaseEvent.Verb.CLOSED).data["duplicate_of"] == original.reference


def test_l1_cannot_close_a_colleagues_case(case, l1, l1_other):
    wf.case_claim(case=case, by=l1)
    with pytest.raises(NotAllowed):
        wf.case_close(case=case, by=l1_other, resolution="duplicate", note="x", duplicate_of=case)


def test_a_case_with_t2_is_resolved_before_it_is_closed(case, l1, t2):
    case = investigating(case, l1, t2)
    with pytest.raises(Conflict, match="resolved before"):
        wf.case_close(case=case, by=t2, note="done")
    case = wf.case_resolve(case=case, by=t2, summary="Blocked the IP.")
    with pytest.raises(NotAllowed):
        wf.case_close(case=case, by=l1, note="done")
    case = wf.case_close(case=case, by=t2)
    assert case.status == Status.CLOSED
    assert case.resolution == "true_positive"


# --- escalate -------------------------------------------------------------------------


def test_escalating_without_answers_is_refused(case, l1):
    wf.case_claim(case=case, by=l1)
    with pytest.raises(DomainError) as exc:
        wf.case_escalate(case=case, by=l1, note="")
    errors = exc.value.data["errors"]
    assert "note" in errors
    assert len(errors["questions"]) == 4
    case.refresh_from_db()
    assert case.status == Status.TRIAGE


def test_unknown_counts_as_an_answer(case, l1):
    wf.case_claim(case=case, by=l1)
    answer(case, l1, ip_reputation="unknown", related_activity="unknown", lookalike_domain="unknown")
    with pytest.raises(DomainError) as exc:
        wf.case_escalate(case=case, by=l1, note="n")
    assert len(exc.value.data["errors"]["questions"]) == 1
    answer(case, l1, partner_match="unknown")
    case = wf.case_escalate(case=case, by=l1, note="Could not rule it out.")
    assert case.status == Status.ESCALATED
    assert case.recommendation["decision"] == "escalate"


def test_escalation_hands_the_case_to_t2_with_the_l1_summary(case, l1):
    wf.case_claim(case=case, by=l1)
    answer_suspicious(case, l1)
    version = case.version
    case = wf.case_escalate(case=case, by=l1, note="Unknown IP probing partner pages.")
    case.refresh_from_db()
    assert case.status == Status.ESCALATED
    assert case.tier == Case.Tier.T2
    assert case.assignee is None
    assert case.escalated_at is not None
    assert case.handoff_note == "Unknown IP probing partner pages."
    assert case.recommendation["decision"] == "escalate"
    assert case.override_reason == ""
    assert case.version == version + 1
    event = case.events.get(verb=CaseEvent.Verb.ESCALATED)
    assert event.actor == l1
    assert event.data["note"] == "Unknown IP probing partner pages."
    assert event.data["recommendation"] == "escalate"


def test_escalating_against_the_recommendation_needs_a_reason(case, l1):
    wf.case_claim(case=case, by=l1)
    answer_benign(case, l1)
    with pytest.raises(DomainError) as exc:
        wf.case_escalate(case=case, by=l1, note="Gut feeling.")
    assert "recommends closing" in exc.value.data["errors"]["reason"][0]
    case = wf.case_escalate(case=case, by=l1, note="Gut feeling.", reason="Partner reported a breach.")
    assert case.override_reason == "Partner reported a breach."
    assert case.recommendation["decision"] == "close"


def test_escalation_records_the_criteria_met(case, l1):
    wf.case_claim(case=case, by=l1)
    answer_benign(case, l1)
    first = step(case, "escalation_criterion", 1)
    with pytest.raises(DomainError, match="not ready"):
        wf.case_escalate(case=case, by=l1, note="n", criteria=[first.pk, 999_999])
    # A criterion met makes escalation the recommendation, so no reason is needed.
    case = wf.case_escalate(case=case, by=l1, note="Exfiltration signs.", criteria=[first.pk])
    first.refresh_from_db()
    assert first.value == "checked"
    assert step(case, "escalation_criterion", 2).value == "unchecked"
    assert case.recommendation["criteria_met"] == [first.item.text]
    assert case.events.filter(verb=CaseEvent.Verb.STEP_UPDATED, data__step=first.pk).exists()


def test_a_case_is_claimed_before_it_is_escalated(case, l1):
    with pytest.raises(Conflict, match="Claim"):
        wf.case_escalate(case=case, by=l1, note="n")


# --- T2 -------------------------------------------------------------------------------


def test_t2_returns_a_case_to_the_l1_who_escalated_it(case, l1, t2):
    case = investigating(case, l1, t2)
    with pytest.raises(DomainError):
        wf.case_return_to_l1(case=case, by=t2, note="")
    with pytest.raises(NotAllowed):
        wf.case_return_to_l1(case=case, by=l1, note="mine again")
    case = wf.case_return_to_l1(case=case, by=t2, note="Check the partner contract first.")
    assert (case.status, case.tier, case.assignee) == (Status.TRIAGE, Case.Tier.L1, l1)
    assert case.events.get(verb=CaseEvent.Verb.RETURNED).data["note"] == "Check the partner contract first."


def test_containment_entry_is_idempotent(case, l1, t2):
    case = escalated(case, l1)
    with pytest.raises(Conflict):
        wf.case_enter_containment(case=case, by=t2)
    case = wf.case_claim(case=case, by=t2)
    case = wf.case_enter_containment(case=case, by=t2)
    assert case.status == Status.CONTAINMENT
    version = case.version
    again = wf.case_enter_containment(case=case, by=t2)
    assert again.status == Status.CONTAINMENT
    assert again.version == version
    assert case.events.filter(verb=CaseEvent.Verb.STATUS_CHANGED).count() == 1


def test_contained_at_is_set_once(case, l1, t2):
    with pytest.raises(Conflict):
        wf.case_mark_contained(case=case)
    case = investigating(case, l1, t2)
    wf.case_enter_containment(case=case, by=t2)
    case = wf.case_mark_contained(case=case)
    first = case.contained_at
    assert first is not None
    case = wf.case_mark_contained(case=case, by=t2)
    assert case.contained_at == first
    assert case.events.filter(verb=CaseEvent.Verb.CONTAINMENT).count() == 1


def test_t2_assignee_resolves_with_a_summary(case, l1, t2, t2_other, manager):
    case = investigating(case, l1, t2)
    with pytest.raises(DomainError) as exc:
        wf.case_resolve(case=case, by=t2, summary=" ")
    assert "summary" in exc.value.data["errors"]
    with pytest.raises(NotAllowed):
        wf.case_resolve(case=case, by=t2_other, summary="mine")
    with pytest.raises(NotAllowed):
        wf.case_resolve(case=case, by=l1, summary="mine")
    case = wf.case_resolve(case=case, by=t2, summary="Blocked 203.0.113.77.")
    assert case.status == Status.RESOLVED
    assert case.resolved_at is not None
    assert (case.resolution, case.resolution_note) == ("true_positive", "Blocked 203.0.113.77.")
    case = wf.case_reopen(case=case, by=manager, note="Same IP again.")
    assert (case.status, case.resolved_at) == (Status.INVESTIGATING, None)


def test_a_manager_can_walk_the_whole_lifecycle_alone(case, manager):
    case = wf.case_claim(case=case, by=manager)
    answer_suspicious(case, manager)
    case = wf.case_escalate(case=case, by=manager, note="Manager triage.")
    case = wf.case_claim(case=case, by=manager)
    case = wf.case_enter_containment(case=case, by=manager)
    case = wf.case_resolve(case=case, by=manager, summary="Handled.")
    case = wf.case_close(case=case, by=manager, note="Done.")
    assert case.status == Status.CLOSED
    assert verbs(case)[-6:] == [
        "step_updated",
        "escalated",
        "claimed",
        "status_changed",
        "resolved",
        "closed",
    ]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("l1", ["claim", "assign", "close"]),
        ("t2", ["claim", "assign", "close"]),
        ("manager", ["claim", "assign", "close"]),
        ("outsider", []),
    ],
)
def test_available_actions_on_a_new_case(case, request, persona, expected):
    assert wf.available_actions(case, request.getfixturevalue(persona)) == expected
