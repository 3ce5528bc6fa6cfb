"""The case lifecycle table (cases.lifecycle) is the law: the services' moves are exactly
its entries, a move it does not list is refused, and nothing else writes a status."""

import pytest

from cases.lifecycle import CASE_LIFECYCLE
from cases.models import Case
from cases.services import workflow as wf
from cases.services.bulk import cases_claim
from cases.services.merge import case_merge
from soc.errors import Conflict
from tests.lifecycle_support import moves_of
from tests.status_writes import status_writes

from .workflow_support import answer_suspicious, claimed, escalated, investigating

Status = Case.Status
pytestmark = pytest.mark.django_db

# Status writes that are not a case's or an action's move, and why.
NOT_A_LIFECYCLE_MOVE = {
    ("cases/api/thehive/render.py", "body"): "a TheHive JSON answer (a dict), not a model",
    ("notifications/services.py", "Delivery"): "a notification delivery's own send/claim states",
    ("playbooks/services.py", "PlaybookVersion"): "a playbook version's publish/retire states",
    ("insights/management/commands/bench_metrics.py", "case"): (
        "fabricated benchmark rows given their state before bulk_create (no existing case moves)"
    ),
}


def _run_every_case_service(make_case, l1, t2, manager):
    """Each workflow service (and merge, bulk, containment entry) from each state it accepts."""
    note = "Checked with the partner."
    # new -> triage (claim, bulk) -> new (unassign); new -> triage (assign); triage -> closed.
    case = make_case()
    cases_claim(cases=[case], by=l1)
    wf.case_unassign(case=case, by=l1)
    wf.case_assign(case=case, to=l1, by=manager)
    wf.case_close(case=case, by=l1, resolution="benign", note=note, reason=note)
    # new -> closed (merged into another case: closed as its duplicate).
    target = wf.case_claim(case=make_case(), by=l1)
    case_merge(source=make_case(), target=target, by=l1)
    # triage -> escalated -> triage (returned) -> escalated -> investigating (assigned).
    case = escalated(make_case(), l1)
    case = wf.case_return_to_l1(case=case, by=t2, note=note)
    case = wf.case_escalate(case=case, by=l1, note=note)
    case = wf.case_assign(case=case, to=t2, by=manager)
    # investigating -> escalated (unassigned) -> investigating (claimed) -> triage (returned).
    case = wf.case_unassign(case=case, by=t2)
    case = wf.case_claim(case=case, by=t2)
    wf.case_return_to_l1(case=case, by=t2, note=note)
    # investigating -> resolved -> investigating (reopened) -> containment -> resolved -> closed.
    case = investigating(make_case(), l1, t2)
    case = wf.case_resolve(case=case, by=t2, summary=note)
    case = wf.case_reopen(case=case, by=t2, note=note)
    case = wf.case_enter_containment(case=case, by=t2)
    case = wf.case_mark_contained(case=case, by=t2)
    case = wf.case_resolve(case=case, by=t2, summary=note)
    wf.case_close(case=case, by=t2)


def test_every_move_of_the_services_is_an_entry_and_every_entry_a_move(
    seed_playbook, make_case, l1, t2, manager, moves
):
    _run_every_case_service(make_case, l1, t2, manager)
    assert moves_of(CASE_LIFECYCLE, moves) == set(CASE_LIFECYCLE.edges())


def test_the_drifted_move_is_gone_and_a_move_missing_from_the_table_is_refused(seed_playbook, make_case):
    assert not CASE_LIFECYCLE.allows(Status.CONTAINMENT, Status.INVESTIGATING)
    case = make_case()
    with pytest.raises(Conflict) as refused:
        CASE_LIFECYCLE.move(case, Status.RESOLVED)
    assert refused.value.data["current_status"] == Status.NEW
    assert case.status == Status.NEW
    # The conditional UPDATE form refuses too, before touching a row.
    with pytest.raises(Conflict):
        CASE_LIFECYCLE.claim(Case.objects.filter(pk=case.pk), source=Status.NEW, target=Status.ESCALATED)
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_a_conditional_update_moves_only_rows_still_in_the_source_status(seed_playbook, make_case):
    case = make_case()
    rows = Case.objects.filter(pk=case.pk)
    assert CASE_LIFECYCLE.claim(rows, source=Status.TRIAGE, target=Status.ESCALATED) == 0
    assert CASE_LIFECYCLE.claim(rows, source=Status.NEW, target=Status.TRIAGE) == 1
    assert Case.objects.get(pk=case.pk).status == Status.TRIAGE


def test_the_services_obey_the_table(seed_playbook, make_case, l1, monkeypatch):
    """Take triage -> escalated out of the table and escalating is refused, whatever the
    workflow's own checks say: the table, not the service, has the last word."""
    table = {**CASE_LIFECYCLE.transitions, Status.TRIAGE: frozenset({Status.NEW, Status.CLOSED})}
    monkeypatch.setattr(CASE_LIFECYCLE, "transitions", table)
    case = claimed(make_case(), l1)
    answer_suspicious(case, l1)
    with pytest.raises(Conflict, match="cannot move from 'triage' to 'escalated'"):
        wf.case_escalate(case=case, by=l1, note="Probing from an unknown IP.")
    assert Case.objects.get(pk=case.pk).status == Status.TRIAGE


def test_nothing_but_the_lifecycle_helper_writes_a_status():
    found = status_writes()
    direct = [str(w) for w in found if (w.path, w.receiver) not in NOT_A_LIFECYCLE_MOVE]
    assert direct == [], "status written outside soc.lifecycle.Lifecycle:\n" + "\n".join(direct)
    # The exceptions still exist (an exception for code that is gone would hide a new write).
    assert {(w.path, w.receiver) for w in found} >= set(NOT_A_LIFECYCLE_MOVE)


def test_the_scan_sees_every_form_of_a_direct_write(tmp_path):
    """The scanner is what the previous test relies on: each form of write is reported."""
    import ast

    from tests.status_writes import _writes

    source = """
case.status = "closed"
action.status, action.finished_at = "failed", now
setattr(case, "status", "new")
Case.objects.filter(pk=1).update(status="triage")
Case.objects.filter(pk=1).update(**{"status": "triage"})
Case.objects.bulk_update(rows, ["status", "closed_at"])
case.note = "not a status"
"""
    found = [(line, receiver) for line, _how, receiver in _writes(ast.parse(source))]
    assert sorted(found) == [(2, "case"), (3, "action"), (4, "case"), (5, "Case"), (6, "Case"), (7, "Case")]
