"""The audit trail of reference data: building and writing ReferenceChange rows.

intel.services and the importers call these inside the transaction of the change; nothing
else writes ReferenceChange. `by` is the acting user (None for code and the import
command); `via` names the path the change came through (ReferenceChange.Via).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from .models import NETWORK_FIELDS, PARTNER_FIELDS, BusinessPartner, KnownNetwork, ReferenceChange

TRACKED: dict[type, tuple[str, tuple[str, ...]]] = {
    KnownNetwork: (ReferenceChange.Kind.NETWORK, NETWORK_FIELDS),
    BusinessPartner: (ReferenceChange.Kind.PARTNER, PARTNER_FIELDS),
}
# Who acted when no user did: the import command, or code (seed data, scenarios, a shell).
UNATTENDED_ACTOR = {ReferenceChange.Via.COMMAND: "manage.py import_reference"}
BULK_BATCH = 2000

Action = ReferenceChange.Action


def network_key(cidr: str, list_name: str, source: str) -> str:
    """A known network's natural key as text: what makes it unique (cidr, list, source)."""
    return f"{cidr} {list_name} {source or '-'}"


def natural_key(entry: KnownNetwork | BusinessPartner) -> str:
    if isinstance(entry, KnownNetwork):
        return network_key(entry.cidr, entry.list, entry.source)
    return entry.name


def _plain(value):
    """A field value as JSON (dates and times in ISO 8601, lists copied)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def snapshot(entry: KnownNetwork | BusinessPartner) -> dict:
    """The audited fields of an entry, as Python values (compare these, then store)."""
    _, fields = TRACKED[type(entry)]
    return {name: getattr(entry, name) for name in fields}


def diff(before: dict | None, after: dict | None) -> dict:
    """{field: [before, after]} for each field that differs; a missing side is None
    (a create has no before, a delete no after)."""
    before, after = before or {}, after or {}
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }


def actor_fields(by, via: str) -> dict:
    if by is not None and getattr(by, "is_authenticated", False):
        return {"actor": by, "actor_name": by.get_username()}
    return {"actor": None, "actor_name": UNATTENDED_ACTOR.get(via, "system")}


def entry_row(
    entry: KnownNetwork | BusinessPartner,
    *,
    action: str,
    changes: dict,
    by,
    via: str,
    at: datetime | None = None,
    batch: ReferenceChange | None = None,
) -> ReferenceChange:
    """An unsaved row for one entry (bulk writers collect these for `record_many`)."""
    kind, _ = TRACKED[type(entry)]
    return ReferenceChange(
        at=at or timezone.now(),
        kind=kind,
        object_id=entry.pk,
        natural_key=natural_key(entry),
        action=action,
        via=via,
        changes=changes,
        batch=batch,
        **actor_fields(by, via),
    )


def record(entry, *, action: str, changes: dict, by, via: str) -> ReferenceChange:
    row = entry_row(entry, action=action, changes=changes, by=by, via=via)
    row.save()
    return row


def record_many(rows: Iterable[ReferenceChange]) -> None:
    ReferenceChange.objects.bulk_create(rows, batch_size=BULK_BATCH)


def record_deletes(entries: Iterable, *, by, via: str) -> None:
    """One delete row per entry (read before the delete), written in bulk."""
    at = timezone.now()
    record_many(
        entry_row(entry, action=Action.DELETE, changes=diff(snapshot(entry), None), by=by, via=via, at=at)
        for entry in entries
    )


def record_import(*, kind: str, report, by, via: str, file: str = "", source: str = "") -> ReferenceChange:
    """The summary row of one import (its counts, file and feed source); the rows of the
    entries it created, changed or removed point at it (`batch`)."""
    summary = {
        "file": file,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "deleted": report.removed,
        "skipped": report.skipped,
        "strict": report.strict,
    }
    if source:
        summary["source"] = source
    row = ReferenceChange(
        kind=kind,
        action=Action.IMPORT,
        via=via,
        natural_key=(file or source)[:300],
        changes=summary,
        **actor_fields(by, via),
    )
    row.save()
    return row


def record_import_entries(
    summary: ReferenceChange,
    *,
    created: Iterable = (),
    changed: Iterable[tuple[object, dict]] = (),
    deleted: Iterable = (),
    by,
) -> None:
    """The per-entry rows of an import, in bulk: `changed` pairs an entry with its
    snapshot before the import."""

    def row(entry, action: str, changes: dict) -> ReferenceChange:
        return entry_row(
            entry, action=action, changes=changes, by=by, via=summary.via, at=summary.at, batch=summary
        )

    record_many(
        [
            *(row(e, Action.CREATE, diff(None, snapshot(e))) for e in created),
            *(row(e, Action.CHANGE, diff(before, snapshot(e))) for e, before in changed),
            *(row(e, Action.DELETE, diff(snapshot(e), None)) for e in deleted),
        ]
    )
