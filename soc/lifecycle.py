"""State tables that are the law: every status change of a lifecycle goes through one.

An app declares its lifecycle once, as a table of the moves that exist (``Lifecycle``),
and changes a row's status only through it: ``move()`` on a locked instance the caller
saves, or ``claim()`` for a conditional UPDATE (``filter(status=source).update(...)``),
which stays race-safe because the source is part of the UPDATE's WHERE clause. A move
the table does not list raises ``Conflict``, so the table cannot drift from the code:
code that needs a new move must add it to the table first.

Roles, ownership and other preconditions stay in the services; the table only says
which status may follow which.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.db.models import QuerySet

from soc.errors import Conflict


class Lifecycle:
    """One lifecycle's table: ``transitions[source]`` is the set of statuses it may move to."""

    field = "status"

    def __init__(self, name: str, transitions: Mapping[str, frozenset[str] | set[str]]):
        self.name = name
        self.transitions: dict[str, frozenset[str]] = {
            str(source): frozenset(str(target) for target in targets)
            for source, targets in transitions.items()
        }
        unknown = {t for targets in self.transitions.values() for t in targets} - set(self.transitions)
        if unknown:
            raise ValueError(f"{name}: moves to statuses the table does not list: {sorted(unknown)}")

    def edges(self) -> Iterator[tuple[str, str]]:
        """Every (source, target) move of the table."""
        for source, targets in self.transitions.items():
            for target in sorted(targets):
                yield source, target

    def allows(self, source: str, target: str) -> bool:
        return target in self.transitions.get(str(source), frozenset())

    def check(self, source: str, target: str) -> None:
        """Raise Conflict unless the table has the move source -> target."""
        if not self.allows(source, target):
            raise Conflict(
                f"A {self.name} cannot move from '{source}' to '{target}'.",
                current_status=str(source),
            )

    def move(self, obj, target: str) -> None:
        """Set `obj`'s status to `target` after checking the move (the caller saves the row,
        which it holds locked)."""
        self.check(getattr(obj, self.field), target)
        setattr(obj, self.field, target)

    def claim(self, queryset: QuerySet, *, source: str, target: str, **values) -> int:
        """Conditional UPDATE: rows of `queryset` still in `source` move to `target` (with
        `values`); returns how many did. A lost race updates nothing and returns 0."""
        self.check(source, target)
        return queryset.filter(**{self.field: source}).update(**{self.field: target}, **values)
