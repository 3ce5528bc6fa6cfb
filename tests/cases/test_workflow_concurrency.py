"""Two analysts claiming the same case at the same moment: exactly one wins.

Real threads with their own database connections need PostgreSQL (row locks); on SQLite
the lost-update rule is covered with stale instances in test_workflow.py.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from cases.models import Case, CaseEvent
from cases.services.workflow import case_claim
from soc.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_claims_have_exactly_one_winner(seed_playbook, make_case, l1, l1_other, attempt):
    case = make_case()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(user):
        try:
            stale = Case.objects.get(pk=case.pk)
            barrier.wait(timeout=10)
            case_claim(case=stale, by=user)
            outcomes[user.username] = "won"
        except Conflict as exc:
            outcomes[user.username] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (l1, l1_other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1, outcomes
    loser = next(name for name in outcomes if name not in winners)
    assert f"already claimed by {winners[0]}" in outcomes[loser]
    case.refresh_from_db()
    assert case.assignee.username == winners[0]
    assert case.events.filter(verb=CaseEvent.Verb.CLAIMED).count() == 1
