"""Database helpers of the intake service: set-based writes that keep ingestion at a
constant number of queries per request, and the few places that differ by backend."""

import hashlib
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from cases.models import Case, Observable
from playbooks.models import PlaybookItem, PlaybookVersion

from .observables import is_internal


def ensure_observables(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Observable]:
    """Get or create every (type, value) in at most two queries.

    Existing rows are read first (the common case for repeat entities takes no lock);
    missing ones are upserted with ON CONFLICT so a concurrent insert of the same value
    does not fail, and PostgreSQL/SQLite return the ids of both new and conflicting rows.
    """
    wanted = set(pairs)
    if not wanted:
        return {}
    by_type: dict[str, list[str]] = {}
    for type_, value in wanted:
        by_type.setdefault(type_, []).append(value)
    query = Q()
    for type_, values in by_type.items():
        query |= Q(type=type_, value__in=values)
    found = {
        (o.type, o.value): o
        for o in Observable.objects.filter(query).only("id", "type", "value", "is_internal")
    }
    missing = sorted(wanted - found.keys())  # sorted: concurrent upserts lock rows in one order
    if missing:
        rows = [Observable(type=t, value=v, is_internal=is_internal(t, v)) for t, v in missing]
        created = Observable.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["type", "value"], update_fields=["is_internal"]
        )
        found.update({(o.type, o.value): o for o in created})
    return found


def lock_correlation_keys(keys: Iterable[str]) -> None:
    """Serialise correlation on shared entities (PostgreSQL advisory locks until commit).

    Two alerts about the same attacker arriving at once must not both open a case; the
    lock makes the second wait and then find the first one's case. SQLite serialises all
    writers already (BEGIN IMMEDIATE), so nothing is needed there.
    """
    if connection.vendor != "postgresql":
        return
    ids = sorted(
        {
            int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True)
            for k in keys
        }
    )
    if not ids:
        return
    with connection.cursor() as cursor:
        # Sorted inside one statement: every transaction takes its locks in the same order.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS keys",
            [ids],
        )


def allocate_case_ids(count: int) -> list[int]:
    """Reserve primary keys for new cases so their reference (CASE-<year>-<pk>) is written
    with the row, in one INSERT, without a max()+1 race."""
    if count <= 0:
        return []
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The intake transaction holds SQLite's write lock (BEGIN IMMEDIATE), so reading
            # the AUTOINCREMENT counter and inserting above it cannot race; inserting explicit
            # ids advances the counter.
            cursor.execute(
                f"SELECT MAX(x) FROM (SELECT seq AS x FROM sqlite_sequence WHERE name = %s "  # noqa: S608
                f'UNION ALL SELECT MAX(id) FROM "{table}")',
                [table],
            )
            base = cursor.fetchone()[0] or 0
            return list(range(base + 1, base + 1 + count))
    raise NotImplementedError(f"case id allocation for {connection.vendor}")


def case_reference(pk: int, year: int) -> str:
    return f"CASE-{year}-{pk:06d}"


# Items of a published version never change (playbooks.models refuses it), so they are
# cached per process. The key includes published_at so a test database that reuses a
# primary key for another version never hits a stale entry.
_ITEMS_CACHE: dict[tuple[int, object], list[tuple[int, str, int]]] = {}
_ITEMS_CACHE_MAX = 256


def playbook_items(version: PlaybookVersion) -> list[tuple[int, str, int]]:
    """(item id, section, order) of every item of a published version."""
    key = (version.pk, version.published_at)
    items = _ITEMS_CACHE.get(key) if version.published_at else None
    if items is None:
        items = list(
            PlaybookItem.objects.filter(version_id=version.pk)
            .order_by("section", "order")
            .values_list("id", "section", "order")
        )
        if version.published_at:
            if len(_ITEMS_CACHE) >= _ITEMS_CACHE_MAX:
                _ITEMS_CACHE.clear()
            _ITEMS_CACHE[key] = items
    return items
