"""Which playbook covers a technique: the routing rule, as pure functions.

A playbook covers its own technique and that technique's sub-techniques, plus the related
techniques a SOC lead lists for it (`Playbook.covers`); a listed parent covers its
sub-techniques too. Coverage is routing, not content: it is not part of a version.

When several published playbooks cover one technique, the most specific claim wins:

1. the playbook of that exact technique;
2. the playbook of its parent (a sub-technique without a playbook of its own);
3. a playbook listing that exact technique;
4. a playbook listing its parent.

Ties within a rank go to the lowest technique id, so the answer never depends on row order.
No database access here: `services.published_coverage()` reads the rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from . import attack


class InvalidCoverage(ValueError):
    """Some listed ids are not ATT&CK technique ids of the catalogue; `errors` lists them."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def parent_of(technique_id: str) -> str:
    """'T1110.003' -> 'T1110'; a technique without a dot is its own parent."""
    return technique_id.split(".", 1)[0]


def normalise_covers(values: Iterable[str], *, own: str = "") -> list[str]:
    """The stored form of a covers list: upper-case ids, no repeats, sorted, own id dropped.

    Raises InvalidCoverage naming every value that is not a technique id, or is one the
    bundled ATT&CK catalogue does not know (routing alerts by an id nobody defined would
    treat it as real).
    """
    if isinstance(values, str):
        values = [v for v in values.replace(";", ",").split(",") if v.strip()]
    errors, result = [], set()
    for value in values:
        normalised = attack.normalize_technique_id(value) if isinstance(value, str) else None
        if normalised is None:
            errors.append(f"{str(value)[:40]!r} is not an ATT&CK technique id (like T1566 or T1110.003).")
        elif attack.lookup(normalised) is None:
            errors.append(f"{normalised} is not in the bundled ATT&CK catalogue.")
        elif normalised != own:
            result.add(normalised)
    if errors:
        raise InvalidCoverage(errors)
    return sorted(result)


@dataclass(frozen=True, slots=True)
class Coverage:
    """One published playbook's routing: its technique, what it lists, its version id."""

    technique_id: str
    covers: tuple[str, ...] = ()
    version_id: int | None = None

    def rank(self, technique_id: str) -> int | None:
        """How specifically this playbook claims the technique (lower wins), or None."""
        if not technique_id:
            return None
        parent = parent_of(technique_id)
        if technique_id == self.technique_id:
            return 0
        if parent == self.technique_id:
            return 1
        if technique_id in self.covers:
            return 2
        if parent in self.covers:
            return 3
        return None


def covering(technique_id: str, playbooks: Iterable[Coverage]) -> Coverage | None:
    """The playbook that covers this technique id (see the module docstring), or None."""
    best: tuple[int, str] | None = None
    winner = None
    for playbook in playbooks:
        rank = playbook.rank(technique_id)
        if rank is None:
            continue
        key = (rank, playbook.technique_id)
        if best is None or key < best:
            best, winner = key, playbook
    return winner
