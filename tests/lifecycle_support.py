"""The recording harness of the lifecycle tests (tests/cases/test_lifecycle_table.py and
tests/containment/test_lifecycle_table.py): every move a lifecycle table is asked about
while a test runs, so a test can compare the moves the services make with the table."""

import pytest

from soc.lifecycle import Lifecycle


@pytest.fixture
def moves(monkeypatch) -> list[tuple[str, str, str]]:
    """Every (lifecycle, source, target) checked while the test runs, refused or not."""
    seen = []
    check = Lifecycle.check

    def recording(self, source, target):
        seen.append((self.name, str(source), str(target)))
        return check(self, source, target)

    monkeypatch.setattr(Lifecycle, "check", recording)
    return seen


def moves_of(lifecycle: Lifecycle, moves: list[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """The (source, target) moves recorded for `lifecycle`."""
    return {(source, target) for name, source, target in moves if name == lifecycle.name}
