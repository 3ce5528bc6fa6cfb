"""soc.lifecycle.Lifecycle on its own: a table naming a status it does not list is refused."""

import pytest

from soc.errors import Conflict
from soc.lifecycle import Lifecycle


def test_a_table_moving_to_a_status_it_does_not_list_is_refused_when_declared():
    with pytest.raises(ValueError, match="'gone'"):
        Lifecycle("thing", {"new": {"done", "gone"}, "done": set()})


def test_move_checks_the_table_then_sets_the_status():
    class Row:
        status = "new"

    table = Lifecycle("thing", {"new": {"done"}, "done": set()})
    row = Row()
    table.move(row, "done")
    assert row.status == "done"
    with pytest.raises(Conflict, match="A thing cannot move from 'done' to 'new'") as refused:
        table.move(row, "new")
    assert refused.value.data == {"current_status": "done"} and row.status == "done"
    assert list(table.edges()) == [("new", "done")]
