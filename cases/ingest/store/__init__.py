"""Database helpers of the intake service: set-based writes that keep ingestion at a
constant number of queries per request, and the few places that differ by backend.

- `reads`: observables got or created, correlation locks and candidate links, ids and
  playbook versions reserved in one round trip;
- `writes`: the WriteBatch (every insert and update in one round trip on PostgreSQL),
  case steps, joined cases, counters, the post-commit dispatch stamp;
- `new_row` (from soc.internals, with the other shortcuts on private internals): model
  instances without Model.__init__ for bulk rows.
"""

from soc.internals import new_row

from .reads import (
    Reservation,
    case_reference,
    ensure_observables,
    lock_keys_and_read,
    reserve,
)
from .writes import (
    OrmBatch,
    WriteBatch,
    count_ingested,
    create_steps,
    stamp_dispatched,
    update_joined_cases,
)

__all__ = [
    "OrmBatch",
    "Reservation",
    "WriteBatch",
    "case_reference",
    "count_ingested",
    "create_steps",
    "ensure_observables",
    "lock_keys_and_read",
    "new_row",
    "reserve",
    "stamp_dispatched",
    "update_joined_cases",
]
